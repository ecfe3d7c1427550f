import { defineObject } from '../../define-object.ts';

/** Time (object 3333) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const TIME_V1_1 = defineObject({
  id: 3333, name: 'Time', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5506: { name: 'Current Time', type: 'time', ops: 'RW', mandatory: true },
    5507: { name: 'Fractional Time', type: 'float', ops: 'RW', range: '0..1', units: 's' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
  },
});

/** Time: the only version shipped. */
export const TIME = TIME_V1_1;
