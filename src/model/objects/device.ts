import { defineObject } from '../define-object.ts';

/** Device (object 3) version 1.0: resources as in the OMA LwM2M registry. */
export const DEVICE_V1_0 = defineObject({
  id: 3, name: 'Device', version: '1.0', multiple: false, mandatory: true,
  resources: {
    0: { name: 'Manufacturer', type: 'string', ops: 'R' },
    1: { name: 'Model Number', type: 'string', ops: 'R' },
    2: { name: 'Serial Number', type: 'string', ops: 'R' },
    3: { name: 'Firmware Version', type: 'string', ops: 'R' },
    4: { name: 'Reboot', type: 'none', ops: 'E', mandatory: true },
    5: { name: 'Factory Reset', type: 'none', ops: 'E' },
    6: { name: 'Available Power Sources', type: 'integer', ops: 'R', multiple: true, range: '0-7' },
    7: { name: 'Power Source Voltage', type: 'integer', ops: 'R', multiple: true, units: 'mV' },
    8: { name: 'Power Source Current', type: 'integer', ops: 'R', multiple: true, units: 'mA' },
    9: { name: 'Battery Level', type: 'integer', ops: 'R', range: '0-100', units: '%' },
    10: { name: 'Memory Free', type: 'integer', ops: 'R', units: 'KB' },
    11: { name: 'Error Code', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0-8' },
    12: { name: 'Reset Error Code', type: 'none', ops: 'E' },
    13: { name: 'Current Time', type: 'time', ops: 'RW' },
    14: { name: 'UTC Offset', type: 'string', ops: 'RW' },
    15: { name: 'Timezone', type: 'string', ops: 'RW' },
    16: { name: 'Supported Binding and Modes', type: 'string', ops: 'R', mandatory: true },
    17: { name: 'Device Type', type: 'string', ops: 'R' },
    18: { name: 'Hardware Version', type: 'string', ops: 'R' },
    19: { name: 'Software Version', type: 'string', ops: 'R' },
    20: { name: 'Battery Status', type: 'integer', ops: 'R', range: '0-6' },
    21: { name: 'Memory Total', type: 'integer', ops: 'R' },
    22: { name: 'ExtDevInfo', type: 'objlnk', ops: 'R', multiple: true },
  },
});

/** Device (object 3) version 1.1, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const DEVICE_V1_1 = defineObject({
  id: 3, name: 'Device', version: '1.1', lwm2mVersion: '1.1', multiple: false, mandatory: true,
  resources: {
    0: { name: 'Manufacturer', type: 'string', ops: 'R' },
    1: { name: 'Model Number', type: 'string', ops: 'R' },
    2: { name: 'Serial Number', type: 'string', ops: 'R' },
    3: { name: 'Firmware Version', type: 'string', ops: 'R' },
    4: { name: 'Reboot', type: 'none', ops: 'E', mandatory: true },
    5: { name: 'Factory Reset', type: 'none', ops: 'E' },
    6: { name: 'Available Power Sources', type: 'integer', ops: 'R', multiple: true, range: '0..7' },
    7: { name: 'Power Source Voltage', type: 'integer', ops: 'R', multiple: true },
    8: { name: 'Power Source Current', type: 'integer', ops: 'R', multiple: true },
    9: { name: 'Battery Level', type: 'integer', ops: 'R', range: '0..100', units: '%' },
    10: { name: 'Memory Free', type: 'integer', ops: 'R' },
    11: { name: 'Error Code', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0..8' },
    12: { name: 'Reset Error Code', type: 'none', ops: 'E' },
    13: { name: 'Current Time', type: 'time', ops: 'RW' },
    14: { name: 'UTC Offset', type: 'string', ops: 'RW' },
    15: { name: 'Timezone', type: 'string', ops: 'RW' },
    16: { name: 'Supported Binding and Modes', type: 'string', ops: 'R', mandatory: true },
    17: { name: 'Device Type', type: 'string', ops: 'R' },
    18: { name: 'Hardware Version', type: 'string', ops: 'R' },
    19: { name: 'Software Version', type: 'string', ops: 'R' },
    20: { name: 'Battery Status', type: 'integer', ops: 'R', range: '0..6' },
    21: { name: 'Memory Total', type: 'integer', ops: 'R' },
    22: { name: 'ExtDevInfo', type: 'objlnk', ops: 'R', multiple: true },
  },
});

/** Device (object 3) version 1.2, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const DEVICE_V1_2 = defineObject({
  id: 3, name: 'Device', version: '1.2', lwm2mVersion: '1.1', multiple: false, mandatory: true,
  resources: {
    0: { name: 'Manufacturer', type: 'string', ops: 'R' },
    1: { name: 'Model Number', type: 'string', ops: 'R' },
    2: { name: 'Serial Number', type: 'string', ops: 'R' },
    3: { name: 'Firmware Version', type: 'string', ops: 'R' },
    4: { name: 'Reboot', type: 'none', ops: 'E', mandatory: true },
    5: { name: 'Factory Reset', type: 'none', ops: 'E' },
    6: { name: 'Available Power Sources', type: 'integer', ops: 'R', multiple: true, range: '0..7' },
    7: { name: 'Power Source Voltage', type: 'integer', ops: 'R', multiple: true },
    8: { name: 'Power Source Current', type: 'integer', ops: 'R', multiple: true },
    9: { name: 'Battery Level', type: 'integer', ops: 'R', range: '0..100', units: '/100' },
    10: { name: 'Memory Free', type: 'integer', ops: 'R' },
    11: { name: 'Error Code', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0..32' },
    12: { name: 'Reset Error Code', type: 'none', ops: 'E' },
    13: { name: 'Current Time', type: 'time', ops: 'RW' },
    14: { name: 'UTC Offset', type: 'string', ops: 'RW' },
    15: { name: 'Timezone', type: 'string', ops: 'RW' },
    16: { name: 'Supported Binding and Modes', type: 'string', ops: 'R', mandatory: true },
    17: { name: 'Device Type', type: 'string', ops: 'R' },
    18: { name: 'Hardware Version', type: 'string', ops: 'R' },
    19: { name: 'Software Version', type: 'string', ops: 'R' },
    20: { name: 'Battery Status', type: 'integer', ops: 'R', range: '0..6' },
    21: { name: 'Memory Total', type: 'integer', ops: 'R' },
    22: { name: 'ExtDevInfo', type: 'objlnk', ops: 'R', multiple: true },
  },
});

/** The Device version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const DEVICE = DEVICE_V1_1;
