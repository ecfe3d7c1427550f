import { defineObject } from '../define-object.ts';

/** Connectivity Monitoring (object 4) version 1.0, LwM2M 1.0: resources as in the OMA LwM2M registry. */
export const CONNECTIVITY_MONITORING_V1_0 = defineObject({
  id: 4, name: 'Connectivity Monitoring', version: '1.0', lwm2mVersion: '1.0', multiple: false,
  resources: {
    0: { name: 'Network Bearer', type: 'integer', ops: 'R', mandatory: true, range: '0-50' },
    1: { name: 'Available Network Bearer', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0-50' },
    2: { name: 'Radio Signal Strength', type: 'integer', ops: 'R', mandatory: true, units: 'dBm' },
    3: { name: 'Link Quality', type: 'integer', ops: 'R' },
    4: { name: 'IP Addresses', type: 'string', ops: 'R', multiple: true, mandatory: true },
    5: { name: 'Router IP Addresses', type: 'string', ops: 'R', multiple: true },
    6: { name: 'Link Utilization', type: 'integer', ops: 'R', range: '0-100', units: '%' },
    7: { name: 'APN', type: 'string', ops: 'R', multiple: true },
    8: { name: 'Cell ID', type: 'integer', ops: 'R' },
    9: { name: 'SMNC', type: 'integer', ops: 'R', range: '0-999', units: '%' },
    10: { name: 'SMCC', type: 'integer', ops: 'R', range: '0-999' },
  },
});

/** Connectivity Monitoring (object 4) version 1.2, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const CONNECTIVITY_MONITORING_V1_2 = defineObject({
  id: 4, name: 'Connectivity Monitoring', version: '1.2', lwm2mVersion: '1.1', multiple: false,
  resources: {
    0: { name: 'Network Bearer', type: 'integer', ops: 'R', mandatory: true, range: '0..50' },
    1: { name: 'Available Network Bearer', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0..50' },
    2: { name: 'Radio Signal Strength', type: 'integer', ops: 'R', mandatory: true },
    3: { name: 'Link Quality', type: 'integer', ops: 'R' },
    4: { name: 'IP Addresses', type: 'string', ops: 'R', multiple: true, mandatory: true },
    5: { name: 'Router IP Addresses', type: 'string', ops: 'R', multiple: true },
    6: { name: 'Link Utilization', type: 'integer', ops: 'R', range: '0..100', units: '%' },
    7: { name: 'APN', type: 'string', ops: 'R', multiple: true },
    8: { name: 'Cell ID', type: 'integer', ops: 'R' },
    9: { name: 'SMNC', type: 'integer', ops: 'R', range: '0..999' },
    10: { name: 'SMCC', type: 'integer', ops: 'R', range: '0..999' },
    11: { name: 'SignalSNR', type: 'integer', ops: 'R', units: 'dB' },
    12: { name: 'LAC', type: 'integer', ops: 'R' },
  },
});

/** Connectivity Monitoring (object 4) version 1.3, LwM2M 1.1: resources as in the OMA LwM2M registry. */
export const CONNECTIVITY_MONITORING_V1_3 = defineObject({
  id: 4, name: 'Connectivity Monitoring', version: '1.3', lwm2mVersion: '1.1', multiple: false,
  resources: {
    0: { name: 'Network Bearer', type: 'integer', ops: 'R', mandatory: true, range: '0..50' },
    1: { name: 'Available Network Bearer', type: 'integer', ops: 'R', multiple: true, mandatory: true, range: '0..50' },
    2: { name: 'Radio Signal Strength', type: 'integer', ops: 'R', mandatory: true, units: 'dBm' },
    3: { name: 'Link Quality', type: 'integer', ops: 'R' },
    4: { name: 'IP Addresses', type: 'string', ops: 'R', multiple: true, mandatory: true },
    5: { name: 'Router IP Addresses', type: 'string', ops: 'R', multiple: true },
    6: { name: 'Link Utilization', type: 'integer', ops: 'R', range: '0..100', units: '/100' },
    7: { name: 'APN', type: 'string', ops: 'R', multiple: true },
    8: { name: 'Cell ID', type: 'integer', ops: 'R' },
    9: { name: 'SMNC', type: 'integer', ops: 'R', range: '0..999' },
    10: { name: 'SMCC', type: 'integer', ops: 'R', range: '0..999' },
    11: { name: 'SignalSNR', type: 'integer', ops: 'R', units: 'dB' },
    12: { name: 'LAC', type: 'integer', ops: 'R' },
    13: { name: 'Coverage Enhancement Level', type: 'integer', ops: 'R', range: '0..4' },
  },
});

/** The Connectivity Monitoring version a LwM2M 1.1 client uses by default (see `objects/index.ts`). */
export const CONNECTIVITY_MONITORING = CONNECTIVITY_MONITORING_V1_2;
