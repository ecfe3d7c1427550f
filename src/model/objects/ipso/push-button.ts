import { defineObject } from '../../define-object.ts';

/** Push button (object 3347) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const PUSH_BUTTON_V1_1 = defineObject({
  id: 3347, name: 'Push button', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5500: { name: 'Digital Input State', type: 'boolean', ops: 'R', mandatory: true },
    5501: { name: 'Digital Input Counter', type: 'integer', ops: 'R' },
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Push button: the only version shipped. */
export const PUSH_BUTTON = PUSH_BUTTON_V1_1;
