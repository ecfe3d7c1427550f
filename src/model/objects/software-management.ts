import { defineObject } from '../define-object.ts';

/** LWM2M Software Management (object 9) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const SOFTWARE_MANAGEMENT_V1_0 = defineObject({
  id: 9, name: 'LWM2M Software Management', version: '1.0', lwm2mVersion: '1.0', multiple: true,
  resources: {
    0: { name: 'PkgName', type: 'string', ops: 'R', mandatory: true, range: '0..255 bytes' },
    1: { name: 'PkgVersion', type: 'string', ops: 'R', mandatory: true, range: '0..255 bytes' },
    2: { name: 'Package', type: 'opaque', ops: 'W' },
    3: { name: 'Package URI', type: 'string', ops: 'W', range: '0..255 bytes' },
    4: { name: 'Install', type: 'none', ops: 'E', mandatory: true },
    5: { name: 'Checkpoint', type: 'objlnk', ops: 'R' },
    6: { name: 'Uninstall', type: 'none', ops: 'E', mandatory: true },
    7: { name: 'Update State', type: 'integer', ops: 'R', mandatory: true, range: '0..4' },
    8: { name: 'Update Supported Objects', type: 'boolean', ops: 'RW' },
    9: { name: 'Update Result', type: 'integer', ops: 'R', mandatory: true, range: '0..200' },
    10: { name: 'Activate', type: 'none', ops: 'E', mandatory: true },
    11: { name: 'Deactivate', type: 'none', ops: 'E', mandatory: true },
    12: { name: 'Activation State', type: 'boolean', ops: 'R', mandatory: true },
    13: { name: 'Package Settings', type: 'objlnk', ops: 'RW' },
    14: { name: 'User Name', type: 'string', ops: 'W', range: '0..255 bytes' },
    15: { name: 'Password', type: 'string', ops: 'W', range: '0..255 bytes' },
    16: { name: 'Status Reason', type: 'string', ops: 'R' },
    17: { name: 'Software Component Link', type: 'objlnk', ops: 'R', multiple: true },
    18: { name: 'Software Component tree length', type: 'integer', ops: 'R', range: '0..255' },
  },
});

/** LWM2M Software Management: the only version shipped. */
export const SOFTWARE_MANAGEMENT = SOFTWARE_MANAGEMENT_V1_0;
