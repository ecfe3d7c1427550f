import { defineObject } from '../../define-object.ts';

/** Filling level (object 3435) version 2.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const FILLING_LEVEL_V2_0 = defineObject({
  id: 3435, name: 'Filling level', version: '2.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    1: { name: 'Container height', type: 'integer', ops: 'RW', units: 'cm' },
    2: { name: 'Actual filling percentage', type: 'float', ops: 'R', mandatory: true, units: '/100' },
    3: { name: 'Actual filling level', type: 'integer', ops: 'R', units: 'cm' },
    4: { name: 'High threshold', type: 'float', ops: 'RW', units: '/100' },
    5: { name: 'Container full', type: 'boolean', ops: 'R', mandatory: true },
    6: { name: 'Low threshold', type: 'float', ops: 'RW', units: '/100' },
    7: { name: 'Container empty', type: 'boolean', ops: 'R', mandatory: true },
    8: { name: 'Average filling speed', type: 'float', ops: 'R', units: '/100' },
    9: { name: 'Average filling speed reset', type: 'none', ops: 'E' },
    10: { name: 'Forecast full date', type: 'time', ops: 'R' },
    11: { name: 'Forecast empty date', type: 'time', ops: 'R' },
    12: { name: 'Container out of location', type: 'boolean', ops: 'R' },
    13: { name: 'Container out of position', type: 'boolean', ops: 'R' },
    14: { name: 'Container width', type: 'integer', ops: 'RW', units: 'cm' },
    15: { name: 'Container installation type', type: 'string', ops: 'RW', units: 'cm' },
    16: { name: 'Container volume max', type: 'float', ops: 'RW', units: 'm3' },
    17: { name: 'Filling sensor position', type: 'string', ops: 'RW' },
    18: { name: 'Type of materials', type: 'string', ops: 'RW' },
    19: { name: 'Filling operations counter', type: 'integer', ops: 'R' },
    20: { name: 'Reset filling operations counter', type: 'none', ops: 'E' },
    21: { name: 'Cover open', type: 'boolean', ops: 'R' },
    22: { name: 'Temperature alarm', type: 'boolean', ops: 'R' },
    23: { name: 'Water infiltration alarm', type: 'boolean', ops: 'R' },
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    6042: { name: 'Measurement Quality Indicator', type: 'integer', ops: 'R', range: '0..23' },
    6049: { name: 'Measurement Quality Level', type: 'integer', ops: 'R', range: '0..100' },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Filling level: the only version shipped. */
export const FILLING_LEVEL = FILLING_LEVEL_V2_0;
