import { defineObject } from '../../define-object.ts';

/** Magnetometer (object 3314) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const MAGNETOMETER_V1_1 = defineObject({
  id: 3314, name: 'Magnetometer', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5701: { name: 'Sensor Units', type: 'string', ops: 'R' },
    5702: { name: 'X Value', type: 'float', ops: 'R', mandatory: true },
    5703: { name: 'Y Value', type: 'float', ops: 'R' },
    5704: { name: 'Z Value', type: 'float', ops: 'R' },
    5705: { name: 'Compass Direction', type: 'float', ops: 'R', range: '0..360', units: 'deg' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Magnetometer: the only version shipped. */
export const MAGNETOMETER = MAGNETOMETER_V1_1;
