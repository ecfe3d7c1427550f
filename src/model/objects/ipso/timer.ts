import { defineObject } from '../../define-object.ts';

/** Timer (object 3340) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const TIMER_V1_0 = defineObject({
  id: 3340, name: 'Timer', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    5501: { name: 'Digital Input Counter', type: 'integer', ops: 'R' },
    5521: { name: 'Delay Duration', type: 'float', ops: 'RW', mandatory: true, units: 's' },
    5523: { name: 'Trigger', type: 'none', ops: 'E' },
    5525: { name: 'Minimum Off-time', type: 'float', ops: 'RW', units: 's' },
    5526: { name: 'Timer Mode', type: 'integer', ops: 'RW', range: '0..4' },
    5534: { name: 'Counter', type: 'integer', ops: 'RW' },
    5538: { name: 'Remaining Time', type: 'float', ops: 'R', units: 's' },
    5543: { name: 'Digital State', type: 'boolean', ops: 'R' },
    5544: { name: 'Cumulative Time', type: 'float', ops: 'RW', units: 's' },
    5750: { name: 'Application Type', type: 'string', ops: 'RW' },
    5850: { name: 'On/Off', type: 'boolean', ops: 'RW' },
  },
});

/** Timer: the only version shipped. */
export const TIMER = TIMER_V1_0;
