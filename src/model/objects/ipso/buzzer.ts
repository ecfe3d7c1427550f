import { defineObject } from '../../define-object.ts';

/** Buzzer (object 3338) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const BUZZER_V1_1 = defineObject({
  id: 3338, name: 'Buzzer', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    5521: { name: 'Delay Duration', type: 'float', ops: 'RW', units: 's' },
    5525: { name: 'Minimum Off-time', type: 'float', ops: 'RW', mandatory: true, units: 's' },
    5548: { name: 'Level', type: 'float', ops: 'RW', range: '0..100', units: '/100' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    5850: { name: 'On/Off', type: 'boolean', ops: 'RW', mandatory: true },
    6050: { name: 'Fractional Timestamp', type: 'float', ops: 'R', range: '0..1', units: 's' },
  },
});

/** Buzzer: the only version shipped. */
export const BUZZER = BUZZER_V1_1;
