/**
 * Connectivity Monitoring (object 4, LwM2M Core 1.1.1 E.5 / registry object 4): the network bearer,
 * signal and addresses of the current connection, set by the application. By default the IP
 * addresses are taken from the host's network interfaces and the bearer is Ethernet (41).
 */
import { networkInterfaces } from 'node:os';
import type { LwM2mEngine } from '../../dm/engine.ts';
import { LwM2mPath } from '../../model/path.ts';
import { definitionOf, fillInstance, setAll } from './common.ts';

const CONNECTIVITY_MONITORING = 4;
const PATH = LwM2mPath.of(CONNECTIVITY_MONITORING, 0);

/** Network Bearer values (/4/0/0): 0..20 cellular, 21..40 wireless, 41..50 wireline. */
export const NetworkBearer = {
  gsm: 0,
  tdScdma: 1,
  wcdma: 2,
  cdma2000: 3,
  wimax: 4,
  lteTdd: 5,
  lteFdd: 6,
  nbIot: 7,
  nrTdd: 8,
  nrFdd: 9,
  wlan: 21,
  bluetooth: 22,
  ieee802154: 23,
  ethernet: 41,
  dsl: 42,
  plc: 43,
} as const;

/** The values of object 4; every field maps to one resource. */
export interface ConnectivityValues {
  /** /4/0/0 */
  readonly networkBearer?: number;
  /** /4/0/1 */
  readonly availableBearers?: readonly number[];
  /** /4/0/2 dBm */
  readonly radioSignalStrength?: number;
  /** /4/0/3 */
  readonly linkQuality?: number;
  /** /4/0/4 */
  readonly ipAddresses?: readonly string[];
  /** /4/0/5 */
  readonly routerIpAddresses?: readonly string[];
  /** /4/0/6 % */
  readonly linkUtilization?: number;
  /** /4/0/7 */
  readonly apn?: readonly string[];
  /** /4/0/8 */
  readonly cellId?: number;
  /** /4/0/9 */
  readonly smnc?: number;
  /** /4/0/10 */
  readonly smcc?: number;
  /** /4/0/11 dB (1.1+) */
  readonly signalSnr?: number;
  /** /4/0/12 (1.1+) */
  readonly lac?: number;
  /** /4/0/13 (object 4 version 1.3) */
  readonly coverageEnhancementLevel?: number;
}

/** The host's non-internal IP addresses (IPv4 first). */
export function hostIpAddresses(): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      (a.family === 'IPv4' ? v4 : v6).push(a.address);
    }
  }
  return [...v4, ...v6];
}

function resources(v: ConnectivityValues): Record<number, number | string | number[] | string[] | undefined> {
  return {
    0: v.networkBearer,
    1: v.availableBearers === undefined ? undefined : [...v.availableBearers],
    2: v.radioSignalStrength,
    3: v.linkQuality,
    4: v.ipAddresses === undefined ? undefined : [...v.ipAddresses],
    5: v.routerIpAddresses === undefined ? undefined : [...v.routerIpAddresses],
    6: v.linkUtilization,
    7: v.apn === undefined ? undefined : [...v.apn],
    8: v.cellId,
    9: v.smnc,
    10: v.smcc,
    11: v.signalSnr,
    12: v.lac,
    13: v.coverageEnhancementLevel,
  };
}

/** The application's handle on /4/0. */
export class ConnectivityMonitoringObject {
  readonly #engine: LwM2mEngine;

  constructor(engine: LwM2mEngine, initial: ConnectivityValues) {
    this.#engine = engine;
    const ips = initial.ipAddresses ?? hostIpAddresses();
    const bearer = initial.networkBearer ?? NetworkBearer.ethernet;
    fillInstance(engine.registry, definitionOf(engine, CONNECTIVITY_MONITORING), 0, {
      ...resources(initial),
      0: bearer,
      1: [...(initial.availableBearers ?? [bearer])],
      2: initial.radioSignalStrength ?? 0,
      4: ips.length > 0 ? [...ips] : ['127.0.0.1'],
    });
  }

  /** Updates any of the values in one change (one notification per observation). */
  update(values: ConnectivityValues): void {
    setAll(this.#engine.registry, PATH, resources(values));
  }
}

/** Creates /4/0 with the given values (defaults: Ethernet, the host's addresses, 0 dBm). */
export function installConnectivityMonitoring(engine: LwM2mEngine, values: ConnectivityValues = {}): ConnectivityMonitoringObject {
  return new ConnectivityMonitoringObject(engine, values);
}
