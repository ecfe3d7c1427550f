import { defineObject } from '../define-object.ts';

/** BinaryAppDataContainer (object 19) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const BINARY_APP_DATA_CONTAINER_V1_0 = defineObject({
  id: 19, name: 'BinaryAppDataContainer', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    0: { name: 'Data', type: 'opaque', ops: 'RW', multiple: true, mandatory: true },
    1: { name: 'Data Priority', type: 'integer', ops: 'RW', range: '1 bytes' },
    2: { name: 'Data Creation Time', type: 'time', ops: 'RW' },
    3: { name: 'Data Description', type: 'string', ops: 'RW', range: '32 bytes' },
    4: { name: 'Data Format', type: 'string', ops: 'RW', range: '32 bytes' },
    5: { name: 'App ID', type: 'integer', ops: 'RW', range: '2 bytes' },
  },
});

/** BinaryAppDataContainer: the only version shipped. */
export const BINARY_APP_DATA_CONTAINER = BINARY_APP_DATA_CONTAINER_V1_0;
