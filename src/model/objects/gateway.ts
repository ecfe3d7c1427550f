import { defineObject } from '../define-object.ts';

/**
 * LwM2M Gateway (object 25) version 1.0, LwM2M 1.2 (Core 1.2 Appendix E.12): resources as in the
 * OMA LwM2M registry. Its Routing Table Entry points at object 26, which the Gateway TS 1.1 dropped.
 */
export const GATEWAY_V1_0 = defineObject({
  id: 25, name: 'LwM2M Gateway', version: '1.0', lwm2mVersion: '1.2', multiple: true,
  resources: {
    0: { name: 'Device ID', type: 'string', ops: 'R', mandatory: true },
    1: { name: 'Prefix', type: 'string', ops: 'RW', mandatory: true },
    2: { name: 'Routing Table Entry', type: 'objlnk', ops: 'R' },
  },
});

/**
 * LwM2M Gateway (object 25) version 2.0, LwM2M 1.1 (LwM2M Gateway TS 1.1 section 6): one instance
 * per IoT device behind the gateway, with its id, the prefix the server puts before its paths and
 * the device's objects and instances as CoRE links.
 */
export const GATEWAY_V2_0 = defineObject({
  id: 25, name: 'LwM2M Gateway', version: '2.0', lwm2mVersion: '1.1', multiple: true,
  resources: {
    0: { name: 'Device ID', type: 'string', ops: 'R', mandatory: true },
    1: { name: 'Prefix', type: 'string', ops: 'R', mandatory: true },
    3: { name: 'IoT Device Objects', type: 'corelnk', ops: 'R', mandatory: true },
  },
});

/** LwM2M Gateway: the version the Gateway TS 1.1 uses. */
export const GATEWAY = GATEWAY_V2_0;
