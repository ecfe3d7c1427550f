import { defineObject } from '../define-object.ts';

/** Firmware Update (object 5) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const FIRMWARE_UPDATE_V1_0 = defineObject({
  id: 5, name: 'Firmware Update', version: '1.0', lwm2mVersion: '1.0', multiple: false,
  resources: {
    0: { name: 'Package', type: 'opaque', ops: 'W', mandatory: true },
    1: { name: 'Package URI', type: 'string', ops: 'RW', mandatory: true, range: '0..255' },
    2: { name: 'Update', type: 'none', ops: 'E', mandatory: true },
    3: { name: 'State', type: 'integer', ops: 'R', mandatory: true, range: '0..3' },
    5: { name: 'Update Result', type: 'integer', ops: 'R', mandatory: true, range: '0..9' },
    6: { name: 'PkgName', type: 'string', ops: 'R', range: '0..255' },
    7: { name: 'PkgVersion', type: 'string', ops: 'R', range: '0..255' },
    8: { name: 'Firmware Update Protocol Support', type: 'integer', ops: 'R', multiple: true, range: '0..5' },
    9: { name: 'Firmware Update Delivery Method', type: 'integer', ops: 'R', mandatory: true, range: '0..2' },
  },
});

/** Firmware Update (object 5) version 1.1, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const FIRMWARE_UPDATE_V1_1 = defineObject({
  id: 5, name: 'Firmware Update', version: '1.1', lwm2mVersion: '1.1', multiple: false,
  resources: {
    0: { name: 'Package', type: 'opaque', ops: 'W', mandatory: true },
    1: { name: 'Package URI', type: 'string', ops: 'RW', mandatory: true, range: '0..255' },
    2: { name: 'Update', type: 'none', ops: 'E', mandatory: true },
    3: { name: 'State', type: 'integer', ops: 'R', mandatory: true, range: '0..3' },
    5: { name: 'Update Result', type: 'integer', ops: 'R', mandatory: true, range: '0..11' },
    6: { name: 'PkgName', type: 'string', ops: 'R', range: '0..255' },
    7: { name: 'PkgVersion', type: 'string', ops: 'R', range: '0..255' },
    8: { name: 'Firmware Update Protocol Support', type: 'integer', ops: 'R', multiple: true, range: '0..5' },
    9: { name: 'Firmware Update Delivery Method', type: 'integer', ops: 'R', mandatory: true, range: '0..2' },
    10: { name: 'Cancel', type: 'none', ops: 'E' },
    11: { name: 'Severity', type: 'integer', ops: 'RW', range: '0..2' },
    12: { name: 'Last State Change Time', type: 'time', ops: 'R' },
    13: { name: 'Maximum Defer Period', type: 'unsigned', ops: 'RW', units: 's' },
  },
});

/** Firmware Update (object 5) version 1.2, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const FIRMWARE_UPDATE_V1_2 = defineObject({
  id: 5, name: 'Firmware Update', version: '1.2', lwm2mVersion: '1.1', multiple: false,
  resources: {
    0: { name: 'Package', type: 'opaque', ops: 'W', mandatory: true },
    1: { name: 'Package URI', type: 'string', ops: 'RW', mandatory: true, range: '0..255' },
    2: { name: 'Update', type: 'none', ops: 'E', mandatory: true },
    3: { name: 'State', type: 'integer', ops: 'R', mandatory: true, range: '0..3' },
    5: { name: 'Update Result', type: 'integer', ops: 'R', mandatory: true, range: '0..11' },
    6: { name: 'PkgName', type: 'string', ops: 'R', range: '0..255' },
    7: { name: 'PkgVersion', type: 'string', ops: 'R', range: '0..255' },
    8: { name: 'Firmware Update Protocol Support', type: 'integer', ops: 'R', multiple: true, range: '0..5' },
    9: { name: 'Firmware Update Delivery Method', type: 'integer', ops: 'R', mandatory: true, range: '0..2' },
    10: { name: 'Cancel', type: 'none', ops: 'E' },
    11: { name: 'Severity', type: 'integer', ops: 'RW', range: '0..2' },
    12: { name: 'Last State Change Time', type: 'time', ops: 'R' },
    13: { name: 'Maximum Defer Period', type: 'unsigned', ops: 'RW', units: 's' },
    14: { name: 'Automatic Upgrade at Download', type: 'boolean', ops: 'RW' },
  },
});

/** The Firmware Update version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const FIRMWARE_UPDATE = FIRMWARE_UPDATE_V1_1;
