import { defineObject } from '../define-object.ts';

/** LWM2M Security (object 0) version 1.0: resources as in the OMA LwM2M registry. */
export const SECURITY_V1_0 = defineObject({
  id: 0, name: 'LWM2M Security', version: '1.0', multiple: true, mandatory: true,
  resources: {
    0: { name: 'LWM2M Server URI', type: 'string', ops: '', mandatory: true, range: '0-255 bytes' },
    1: { name: 'Bootstrap-Server', type: 'boolean', ops: '', mandatory: true },
    2: { name: 'Security Mode', type: 'integer', ops: '', mandatory: true, range: '0-4' },
    3: { name: 'Public Key or Identity', type: 'opaque', ops: '', mandatory: true },
    4: { name: 'Server Public Key', type: 'opaque', ops: '', mandatory: true },
    5: { name: 'Secret Key', type: 'opaque', ops: '', mandatory: true },
    6: { name: 'SMS Security Mode', type: 'integer', ops: '', range: '0-255' },
    7: { name: 'SMS Binding Key Parameters', type: 'opaque', ops: '', range: '6 bytes' },
    8: { name: 'SMS Binding Secret Key(s)', type: 'opaque', ops: '', range: '16-32-48 bytes' },
    9: { name: 'LwM2M Server SMS Number', type: 'string', ops: '' },
    10: { name: 'Short Server ID', type: 'integer', ops: '', range: '1-65534' },
    11: { name: 'Client Hold Off Time', type: 'integer', ops: '', units: 's' },
    12: { name: 'Bootstrap-Server Account Timeout', type: 'integer', ops: '', units: 's' },
  },
});

/** LWM2M Security (object 0) version 1.1, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const SECURITY_V1_1 = defineObject({
  id: 0, name: 'LWM2M Security', version: '1.1', lwm2mVersion: '1.1', multiple: true, mandatory: true,
  resources: {
    0: { name: 'LWM2M Server URI', type: 'string', ops: '', mandatory: true, range: '0..255 bytes' },
    1: { name: 'Bootstrap-Server', type: 'boolean', ops: '', mandatory: true },
    2: { name: 'Security Mode', type: 'integer', ops: '', mandatory: true, range: '0..4' },
    3: { name: 'Public Key or Identity', type: 'opaque', ops: '', mandatory: true },
    4: { name: 'Server Public Key', type: 'opaque', ops: '', mandatory: true },
    5: { name: 'Secret Key', type: 'opaque', ops: '', mandatory: true },
    6: { name: 'SMS Security Mode', type: 'integer', ops: '', range: '0..255' },
    7: { name: 'SMS Binding Key Parameters', type: 'opaque', ops: '', range: '6' },
    8: { name: 'SMS Binding Secret Key(s)', type: 'opaque', ops: '', range: '16,32,48' },
    9: { name: 'LwM2M Server SMS Number', type: 'string', ops: '' },
    10: { name: 'Short Server ID', type: 'integer', ops: '', range: '1..65534' },
    11: { name: 'Client Hold Off Time', type: 'integer', ops: '', units: 's' },
    12: { name: 'Bootstrap-Server Account Timeout', type: 'integer', ops: '', units: 's' },
    13: { name: 'Matching Type', type: 'unsigned', ops: '', range: '0..3', units: 's' },
    14: { name: 'SNI', type: 'string', ops: '' },
    15: { name: 'Certificate Usage', type: 'unsigned', ops: '', range: '0..3', units: 's' },
    16: { name: 'DTLS/TLS Ciphersuite', type: 'unsigned', ops: '', multiple: true },
    17: { name: 'OSCORE Security Mode', type: 'objlnk', ops: '' },
  },
});

/** LWM2M Security (object 0) version 1.2, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const SECURITY_V1_2 = defineObject({
  id: 0, name: 'LWM2M Security', version: '1.2', lwm2mVersion: '1.1', multiple: true, mandatory: true,
  resources: {
    0: { name: 'LWM2M Server URI', type: 'string', ops: '', mandatory: true, range: '0..255' },
    1: { name: 'Bootstrap-Server', type: 'boolean', ops: '', mandatory: true },
    2: { name: 'Security Mode', type: 'integer', ops: '', mandatory: true, range: '0..4' },
    3: { name: 'Public Key or Identity', type: 'opaque', ops: '', mandatory: true },
    4: { name: 'Server Public Key', type: 'opaque', ops: '', mandatory: true },
    5: { name: 'Secret Key', type: 'opaque', ops: '', mandatory: true },
    6: { name: 'SMS Security Mode', type: 'integer', ops: '', range: '0..255' },
    7: { name: 'SMS Binding Key Parameters', type: 'opaque', ops: '', range: '6' },
    8: { name: 'SMS Binding Secret Key(s)', type: 'opaque', ops: '', range: '16,32,48' },
    9: { name: 'LwM2M Server SMS Number', type: 'string', ops: '' },
    10: { name: 'Short Server ID', type: 'integer', ops: '', range: '1..65534' },
    11: { name: 'Client Hold Off Time', type: 'integer', ops: '', units: 's' },
    12: { name: 'Bootstrap-Server Account Timeout', type: 'integer', ops: '', units: 's' },
    13: { name: 'Matching Type', type: 'unsigned', ops: '', range: '0..3' },
    14: { name: 'SNI', type: 'string', ops: '' },
    15: { name: 'Certificate Usage', type: 'unsigned', ops: '', range: '0..3' },
    16: { name: 'DTLS/TLS Ciphersuite', type: 'unsigned', ops: '', multiple: true },
    17: { name: 'OSCORE Security Mode', type: 'objlnk', ops: '' },
    18: { name: 'Groups To Use by Client', type: 'unsigned', ops: '', multiple: true, range: '0..65535' },
    19: { name: 'Signature Algorithms Supported by Server', type: 'unsigned', ops: '', multiple: true, range: '0..65535' },
    20: { name: 'Signature Algorithms To Use by Client', type: 'unsigned', ops: '', multiple: true, range: '0..65535' },
    21: { name: 'Signature Algorithm Certs Supported by Server', type: 'unsigned', ops: '', multiple: true, range: '0..65535' },
    22: { name: 'TLS 1.3 Features To Use by Client', type: 'unsigned', ops: '', range: '0..65535' },
    23: { name: 'TLS Extensions Supported by Server', type: 'unsigned', ops: '', range: '0..65535' },
    24: { name: 'TLS Extensions To Use by Client', type: 'unsigned', ops: '', range: '0..65535' },
    25: { name: 'Secondary LwM2M Server URI', type: 'string', ops: '', multiple: true, range: '0..255' },
    26: { name: 'MQTT Server', type: 'objlnk', ops: '' },
    27: { name: 'LwM2M COSE Security', type: 'objlnk', ops: '', multiple: true },
    28: { name: 'RDS Destination Port', type: 'integer', ops: '', range: '0..15' },
    29: { name: 'RDS Source Port', type: 'integer', ops: '', range: '0..15' },
    30: { name: 'RDS Application ID', type: 'string', ops: '' },
  },
});

/** The LWM2M Security version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const SECURITY = SECURITY_V1_1;
