import { defineObject } from '../../define-object.ts';

/** On/Off switch (object 3342) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const ON_OFF_SWITCH_V1_1 = defineObject({
  id: 3342, name: 'On/Off switch', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5500: { name: 'Digital Input State', type: 'boolean', ops: 'R', mandatory: true },
    5501: { name: 'Digital Input Counter', type: 'integer', ops: 'R' },
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    5852: { name: 'On time', type: 'integer', ops: 'RW', units: 's' },
    5854: { name: 'Off Time', type: 'integer', ops: 'RW', units: 's' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** On/Off switch: the only version shipped. */
export const ON_OFF_SWITCH = ON_OFF_SWITCH_V1_1;
