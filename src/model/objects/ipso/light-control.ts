import { defineObject } from '../../define-object.ts';

/** Light Control (object 3311) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const LIGHT_CONTROL_V1_0 = defineObject({
  id: 3311, name: 'Light Control', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5701: { name: 'Sensor Units', type: 'string', ops: 'R' },
    5706: { name: 'Colour', type: 'string', ops: 'RW' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    5805: { name: 'Cumulative active power', type: 'float', ops: 'R', units: 'Wh' },
    5820: { name: 'Power factor', type: 'float', ops: 'R' },
    5850: { name: 'On/Off', type: 'boolean', ops: 'RW', mandatory: true },
    5851: { name: 'Dimmer', type: 'integer', ops: 'RW', range: '0..100', units: '/100' },
    5852: { name: 'On time', type: 'integer', ops: 'RW', units: 's' },
  },
});

/** Light Control: the only version shipped. */
export const LIGHT_CONTROL = LIGHT_CONTROL_V1_0;
