import { defineObject } from '../define-object.ts';

/** LwM2M Access Control (object 2) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const ACCESS_CONTROL_V1_0 = defineObject({
  id: 2, name: 'LwM2M Access Control', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    0: { name: 'Object ID', type: 'integer', ops: 'R', mandatory: true, range: '1..65534' },
    1: { name: 'Object Instance ID', type: 'integer', ops: 'R', mandatory: true, range: '0..65535' },
    2: { name: 'ACL', type: 'integer', ops: 'RW', multiple: true, range: '16-bit' },
    3: { name: 'Access Control Owner', type: 'integer', ops: 'RW', mandatory: true, range: '0..65535' },
  },
});

/** LwM2M Access Control (object 2) version 1.1, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const ACCESS_CONTROL_V1_1 = defineObject({
  id: 2, name: 'LwM2M Access Control', version: '1.1', lwm2mVersion: '1.0', multiple: true,
  resources: {
    0: { name: 'Object ID', type: 'integer', ops: 'R', mandatory: true, range: '1..65534' },
    1: { name: 'Object Instance ID', type: 'integer', ops: 'R', mandatory: true, range: '0..65535' },
    2: { name: 'ACL', type: 'integer', ops: 'RW', multiple: true, range: '0..31' },
    3: { name: 'Access Control Owner', type: 'integer', ops: 'RW', mandatory: true, range: '0..65535' },
  },
});

/** The LwM2M Access Control version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const ACCESS_CONTROL = ACCESS_CONTROL_V1_0;
