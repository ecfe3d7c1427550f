import { defineObject } from '../../define-object.ts';

/** Accelerometer (object 3313) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const ACCELEROMETER_V1_1 = defineObject({
  id: 3313, name: 'Accelerometer', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5603: { name: 'Min Range Value', type: 'float', ops: 'R' },
    5604: { name: 'Max Range Value', type: 'float', ops: 'R' },
    5701: { name: 'Sensor Units', type: 'string', ops: 'R' },
    5702: { name: 'X Value', type: 'float', ops: 'R', mandatory: true },
    5703: { name: 'Y Value', type: 'float', ops: 'R' },
    5704: { name: 'Z Value', type: 'float', ops: 'R' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Accelerometer: the only version shipped. */
export const ACCELEROMETER = ACCELEROMETER_V1_1;
