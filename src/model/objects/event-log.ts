import { defineObject } from '../define-object.ts';

/** Event Log (object 20) version 2.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const EVENT_LOG_V2_0 = defineObject({
  id: 20, name: 'Event Log', version: '2.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    4010: { name: 'LogClass', type: 'integer', ops: 'RW', range: '255' },
    4011: { name: 'LogStart', type: 'none', ops: 'E' },
    4012: { name: 'LogStop', type: 'none', ops: 'E' },
    4013: { name: 'LogStatus', type: 'integer', ops: 'R', range: '8-Bits' },
    4014: { name: 'LogData', type: 'opaque', ops: 'R', mandatory: true },
    4015: { name: 'LogDataFormat', type: 'integer', ops: 'RW', range: '255' },
  },
});

/** Event Log (object 20) version 2.1, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const EVENT_LOG_V2_1 = defineObject({
  id: 20, name: 'Event Log', version: '2.1', lwm2mVersion: '1.1', multiple: true,
  resources: {
    4010: { name: 'LogClass', type: 'integer', ops: 'RW', range: '255' },
    4011: { name: 'LogStart', type: 'none', ops: 'E' },
    4012: { name: 'LogStop', type: 'none', ops: 'E' },
    4013: { name: 'LogStatus', type: 'integer', ops: 'R', range: '8-Bits' },
    4014: { name: 'LogData', type: 'opaque', ops: 'R', mandatory: true },
    4015: { name: 'LogDataFormat', type: 'integer', ops: 'RW', range: '255' },
    4016: { name: 'LogDataIncremental', type: 'opaque', ops: '' },
    4017: { name: 'LogDataIncrementalMinimumSendInterval', type: 'unsigned', ops: 'RW' },
  },
});

/** The Event Log version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const EVENT_LOG = EVENT_LOG_V2_1;
