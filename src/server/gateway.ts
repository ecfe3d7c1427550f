/**
 * The server's side of LwM2M Gateways (LwM2M Gateway TS 1.1): the IoT devices a gateway lists in
 * object 25 (section 6: Device ID, Prefix, IoT Device Objects as Register-style CoRE links; the
 * device objects are never in Register/Update), and prefixed targets for the DM calls (8.3.1: the
 * prefix is treated as an alternate path after the gateway's own, `/dev1/3303/0`).
 */
import type { RegisteredObject } from '../codec/index.ts';
import { CodecError, ValueError } from '../errors.ts';
import { isPrefixSegment, PREFIX_CHARACTERS } from '../model/device-prefix.ts';
import { LwM2mPath, type PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { parseObjectLinks, type Registration } from './registration.ts';

/** An IoT device behind a gateway, as its /25 instance describes it. */
export interface GatewayDevice {
  /** /25/x/0. */
  readonly deviceId: string;
  /** /25/x/1: give it as `{ prefix }` or as the first segment of a path (`'/dev1/3/0'`) to the DM calls. */
  readonly prefix: string;
  /** The /25 instance id. */
  readonly instanceId: number;
  /** /25/x/3 parsed: the device's objects and instances. */
  readonly objects: readonly RegisteredObject[];
}

export const GATEWAY_OBJECT = 25;

/**
 * Splits a DM target into the IoT device prefix and the LwM2M path: a string path whose first
 * segment is not an id carries the prefix (`'/dev1/3/0'`), or `prefix` names it. Throws ValueError
 * for a bad prefix or one given twice differently, InvalidPathError for a bad path.
 */
export function prefixedTarget(path: PathLike, prefix: string | undefined): { path: LwM2mPath; prefix: string | undefined } {
  let own: string | undefined;
  let p: LwM2mPath;
  if (typeof path === 'string') {
    const segments = path.split('/').filter((s, i) => !(i === 0 && s === ''));
    const first = segments[0];
    if (first !== undefined && first !== '' && isPrefixSegment(first)) {
      own = first;
      p = LwM2mPath.parse('/' + segments.slice(1).join('/'));
    } else p = LwM2mPath.parse(path);
  } else p = path;
  if (own !== undefined && prefix !== undefined && own !== prefix) throw new ValueError(`path ${String(path)} names IoT device '${own}', the options '${prefix}'`);
  const result = own ?? prefix;
  if (result !== undefined && (result === '' || !isPrefixSegment(result) || !PREFIX_CHARACTERS.test(result))) {
    throw new ValueError(`'${result}' is not an IoT device prefix`);
  }
  return { path: p, prefix: result };
}

/** The alternate path with the IoT device prefix appended (Gateway TS 1.1 8.3.1). */
export function prefixedRoot(rootPath: string, prefix: string | undefined): string {
  return prefix === undefined ? rootPath : `${rootPath.replace(/\/+$/, '')}/${prefix}`;
}

/** `/dev1/3/0` for messages. */
export function describeTarget(path: LwM2mPath, prefix: string | undefined): string {
  return prefix === undefined ? path.toString() : `/${prefix}${path.isRoot() ? '' : path.toString()}`;
}

/** True when the registration lists object 25 instances (a gateway with devices). */
export function listsGatewayDevices(reg: Pick<Registration, 'objects'>): boolean {
  return (reg.objects.find((o) => o.id === GATEWAY_OBJECT)?.instances.length ?? 0) > 0;
}

/** The /25 instance ids of a registration, for change detection across an Update. */
export function gatewayInstances(reg: Pick<Registration, 'objects'>): string {
  return (reg.objects.find((o) => o.id === GATEWAY_OBJECT)?.instances ?? []).join(',');
}

/**
 * The devices in the records of a Read of /25. An instance without a Device ID or Prefix, or with
 * IoT Device Objects that do not parse, is a CodecError (the gateway sent bad data).
 */
export function gatewayDevicesOf(records: readonly LwM2mRecord[]): GatewayDevice[] {
  const byInstance = new Map<number, Map<number, unknown>>();
  for (const r of records) {
    const [oid, iid, rid] = r.path.ids;
    if (oid !== GATEWAY_OBJECT || iid === undefined || rid === undefined) continue;
    let m = byInstance.get(iid);
    if (m === undefined) {
      m = new Map();
      byInstance.set(iid, m);
    }
    m.set(rid, r.value);
  }
  const out: GatewayDevice[] = [];
  for (const [iid, values] of [...byInstance].sort((a, b) => a[0] - b[0])) {
    const deviceId = values.get(0);
    const prefix = values.get(1);
    const links = values.get(3);
    if (typeof deviceId !== 'string' || typeof prefix !== 'string') throw new CodecError(`/25/${iid} lacks a Device ID or Prefix string`);
    let objects: readonly RegisteredObject[] = [];
    if (typeof links === 'string' && links !== '') {
      try {
        objects = parseObjectLinks(new TextEncoder().encode(links), undefined).objects;
      } catch (error) {
        throw new CodecError(`/25/${iid}/3 is not a list of objects: ${(error as Error).message}`, { cause: error });
      }
    }
    out.push({ deviceId, prefix, instanceId: iid, objects });
  }
  return out;
}
