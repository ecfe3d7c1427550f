import { defineObject } from '../../define-object.ts';

/** Voltage (object 3316) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const VOLTAGE_V1_1 = defineObject({
  id: 3316, name: 'Voltage', version: '1.1', lwm2mVersion: '1.0', multiple: true,
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
    5821: { name: 'Current Calibration', type: 'float', ops: 'RW' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Voltage: the only version shipped. */
export const VOLTAGE = VOLTAGE_V1_1;
