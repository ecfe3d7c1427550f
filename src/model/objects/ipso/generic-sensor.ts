import { defineObject } from '../../define-object.ts';

/** Generic Sensor (object 3300) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const GENERIC_SENSOR_V1_1 = defineObject({
  id: 3300, name: 'Generic Sensor', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5601: { name: 'Min Measured Value', type: 'float', ops: 'R' },
    5602: { name: 'Max Measured Value', type: 'float', ops: 'R' },
    5603: { name: 'Min Range Value', type: 'float', ops: 'R' },
    5604: { name: 'Max Range Value', type: 'float', ops: 'R' },
    5605: { name: 'Reset Min and Max Measured Values', type: 'none', ops: 'E' },
    5700: { name: 'Sensor Value', type: 'float', ops: 'R', mandatory: true },
    5701: { name: 'Sensor Units', type: 'string', ops: 'R' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    5751: { name: 'Sensor Type', type: 'string', ops: 'R' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Generic Sensor: the only version shipped. */
export const GENERIC_SENSOR = GENERIC_SENSOR_V1_1;
