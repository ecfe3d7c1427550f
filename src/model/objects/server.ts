import { defineObject } from '../define-object.ts';

/** LwM2M Server (object 1) version 1.0: resources as in the OMA LwM2M registry. */
export const SERVER_V1_0 = defineObject({
  id: 1, name: 'LwM2M Server', version: '1.0', multiple: true, mandatory: true,
  resources: {
    0: { name: 'Short Server ID', type: 'integer', ops: 'R', mandatory: true, range: '1-65535' },
    1: { name: 'Lifetime', type: 'integer', ops: 'RW', mandatory: true, units: 's' },
    2: { name: 'Default Minimum Period', type: 'integer', ops: 'RW', units: 's' },
    3: { name: 'Default Maximum Period', type: 'integer', ops: 'RW', units: 's' },
    4: { name: 'Disable', type: 'none', ops: 'E' },
    5: { name: 'Disable Timeout', type: 'integer', ops: 'RW', units: 's' },
    6: { name: 'Notification Storing When Disabled or Offline', type: 'boolean', ops: 'RW', mandatory: true },
    7: { name: 'Binding', type: 'string', ops: 'RW', mandatory: true, range: 'The possible values of Resource are listed in 5.3.1.1' },
    8: { name: 'Registration Update Trigger', type: 'none', ops: 'E', mandatory: true },
  },
});

/** LwM2M Server (object 1) version 1.1, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const SERVER_V1_1 = defineObject({
  id: 1, name: 'LwM2M Server', version: '1.1', lwm2mVersion: '1.1', multiple: true, mandatory: true,
  resources: {
    0: { name: 'Short Server ID', type: 'integer', ops: 'R', mandatory: true, range: '1..65534' },
    1: { name: 'Lifetime', type: 'integer', ops: 'RW', mandatory: true, units: 's' },
    2: { name: 'Default Minimum Period', type: 'integer', ops: 'RW', units: 's' },
    3: { name: 'Default Maximum Period', type: 'integer', ops: 'RW', units: 's' },
    4: { name: 'Disable', type: 'none', ops: 'E' },
    5: { name: 'Disable Timeout', type: 'integer', ops: 'RW', units: 's' },
    6: { name: 'Notification Storing When Disabled or Offline', type: 'boolean', ops: 'RW', mandatory: true },
    7: { name: 'Binding', type: 'string', ops: 'RW', mandatory: true, range: 'The possible values are those listed in the LwM2M Core Specification' },
    8: { name: 'Registration Update Trigger', type: 'none', ops: 'E', mandatory: true },
    9: { name: 'Bootstrap-Request Trigger', type: 'none', ops: 'E' },
    10: { name: 'APN Link', type: 'objlnk', ops: 'RW' },
    11: { name: 'TLS-DTLS Alert Code', type: 'unsigned', ops: 'R', range: '0..255' },
    12: { name: 'Last Bootstrapped', type: 'time', ops: 'R' },
    13: { name: 'Registration Priority Order', type: 'unsigned', ops: '' },
    14: { name: 'Initial Registration Delay Timer', type: 'unsigned', ops: '', units: 's' },
    15: { name: 'Registration Failure Block', type: 'boolean', ops: '' },
    16: { name: 'Bootstrap on Registration Failure', type: 'boolean', ops: '' },
    17: { name: 'Communication Retry Count', type: 'unsigned', ops: '' },
    18: { name: 'Communication Retry Timer', type: 'unsigned', ops: '', units: 's' },
    19: { name: 'Communication Sequence Delay Timer', type: 'unsigned', ops: '' },
    20: { name: 'Communication Sequence Retry Count', type: 'unsigned', ops: '' },
    21: { name: 'Trigger', type: 'boolean', ops: 'RW' },
    22: { name: 'Preferred Transport', type: 'string', ops: 'RW', range: 'The possible values are those listed in the LwM2M Core Specification' },
    23: { name: 'Mute Send', type: 'boolean', ops: 'RW' },
  },
});

/** LwM2M Server (object 1) version 1.2, LwM2M 1.2: resources as in the OMA LwM2M registry. */
export const SERVER_V1_2 = defineObject({
  id: 1, name: 'LwM2M Server', version: '1.2', lwm2mVersion: '1.2', multiple: true, mandatory: true,
  resources: {
    0: { name: 'Short Server ID', type: 'integer', ops: 'R', mandatory: true, range: '1..65534' },
    1: { name: 'Lifetime', type: 'integer', ops: 'RW', mandatory: true, units: 's' },
    2: { name: 'Default Minimum Period', type: 'integer', ops: 'RW', units: 's' },
    3: { name: 'Default Maximum Period', type: 'integer', ops: 'RW', units: 's' },
    4: { name: 'Disable', type: 'none', ops: 'E' },
    5: { name: 'Disable Timeout', type: 'integer', ops: 'RW', units: 's' },
    6: { name: 'Notification Storing When Disabled or Offline', type: 'boolean', ops: 'RW', mandatory: true },
    7: { name: 'Binding', type: 'string', ops: 'RW', mandatory: true },
    8: { name: 'Registration Update Trigger', type: 'none', ops: 'E', mandatory: true },
    9: { name: 'Bootstrap-Request Trigger', type: 'none', ops: 'E' },
    10: { name: 'APN Link', type: 'objlnk', ops: 'RW' },
    11: { name: 'TLS-DTLS Alert Code', type: 'unsigned', ops: 'R', range: '0..255' },
    12: { name: 'Last Bootstrapped', type: 'time', ops: 'R' },
    13: { name: 'Registration Priority Order', type: 'unsigned', ops: 'R' },
    14: { name: 'Initial Registration Delay Timer', type: 'unsigned', ops: 'RW', units: 's' },
    15: { name: 'Registration Failure Block', type: 'boolean', ops: 'R' },
    16: { name: 'Bootstrap on Registration Failure', type: 'boolean', ops: 'R' },
    17: { name: 'Communication Retry Count', type: 'unsigned', ops: 'RW' },
    18: { name: 'Communication Retry Timer', type: 'unsigned', ops: 'RW', units: 's' },
    19: { name: 'Communication Sequence Delay Timer', type: 'unsigned', ops: 'RW', units: 's' },
    20: { name: 'Communication Sequence Retry Count', type: 'unsigned', ops: 'RW' },
    21: { name: 'Trigger', type: 'boolean', ops: 'RW' },
    22: { name: 'Preferred Transport', type: 'string', ops: 'RW', range: 'The possible values are those listed in the LwM2M Core Specification' },
    23: { name: 'Mute Send', type: 'boolean', ops: 'RW' },
    24: { name: 'Alternate APN Links', type: 'objlnk', ops: 'RW', multiple: true },
    25: { name: 'Supported Server Versions', type: 'string', ops: 'RW', multiple: true },
    26: { name: 'Default Notification Mode', type: 'integer', ops: 'RW', range: '0..1' },
    27: { name: 'Profile ID Hash Algorithm', type: 'unsigned', ops: 'RW', range: '0..255' },
  },
});

/** The LwM2M Server version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const SERVER = SERVER_V1_1;
