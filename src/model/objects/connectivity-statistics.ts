import { defineObject } from '../define-object.ts';

/** Connectivity Statistics (object 7) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const CONNECTIVITY_STATISTICS_V1_0 = defineObject({
  id: 7, name: 'Connectivity Statistics', version: '1.0', lwm2mVersion: '1.0', multiple: false,
  resources: {
    0: { name: 'SMS Tx Counter', type: 'integer', ops: 'R' },
    1: { name: 'SMS Rx Counter', type: 'integer', ops: 'R' },
    2: { name: 'Tx Data', type: 'integer', ops: 'R' },
    3: { name: 'Rx Data', type: 'integer', ops: 'R' },
    4: { name: 'Max Message Size', type: 'integer', ops: 'R', units: 'B' },
    5: { name: 'Average Message Size', type: 'integer', ops: 'R', units: 'B' },
    6: { name: 'Start', type: 'none', ops: 'E', mandatory: true },
    7: { name: 'Stop', type: 'none', ops: 'E', mandatory: true },
    8: { name: 'Collection Period', type: 'integer', ops: 'RW', units: 's' },
  },
});

/** Connectivity Statistics: the only version shipped. */
export const CONNECTIVITY_STATISTICS = CONNECTIVITY_STATISTICS_V1_0;
