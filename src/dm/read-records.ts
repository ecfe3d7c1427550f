/**
 * Collecting the records a Read, Notify or Send carries (LwM2M Core 1.1.1 6.3.1, 6.4, 7.4): the
 * readable, present resources at or below a path, with the rules that make a read fail: unknown
 * object, missing instance or resource (4.04), a resource that is not readable (4.05), Access
 * Control (4.01), and the Security object, which no LwM2M Server may see (4.01). Cached time-series
 * entries replace the current value in formats with timestamps.
 */
import { MethodNotAllowedError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import type { ResourceData } from './registry.ts';
import { AclBit, type AccessControl } from './access-control.ts';
import { isInstances, type Registry } from './registry.ts';

/** Who reads: an LwM2M Server (ssid), the bootstrap server, or the client itself (Send, internal). */
export interface Reader {
  readonly ssid: number | undefined;
  readonly bootstrap: boolean;
}

/** How cached entries are used. */
export type CacheUse =
  /** Ignore the cache (formats without timestamps). */
  | { readonly kind: 'none' }
  /** Every cached entry (Read, Send). */
  | { readonly kind: 'all' }
  /** Entries newer than the time already sent per path (Notify). */
  | { readonly kind: 'since'; readonly sent: ReadonlyMap<string, number> };

export const NO_CACHE: CacheUse = { kind: 'none' };
export const ALL_CACHE: CacheUse = { kind: 'all' };

export interface ReadResult {
  readonly records: LwM2mRecord[];
  /** Present multiple resources with no instance (TLV and LwM2M CBOR can say so). */
  readonly emptyResources: LwM2mPath[];
  /** The newest cached time included per path, when any cached entry was. */
  cacheTimes: Map<string, number> | undefined;
}

export interface ReadOptions {
  readonly cache: CacheUse;
  /** Errors of a read callback below the request level are skipped and reported here. */
  readonly onSkippedError?: ((error: unknown) => void) | undefined;
}

export const SECURITY_OBJECT = 0;

/** The environment reads need. */
export interface ReadScope {
  readonly registry: Registry;
  readonly acl: AccessControl;
}

function checkReadable(scope: ReadScope, reader: Reader, oid: number, iid: number): boolean {
  return reader.ssid === undefined || reader.bootstrap || scope.acl.allows(reader.ssid, oid, iid, AclBit.READ);
}

/**
 * The records at `path` for `reader`. Object level: every instance the reader may read (none is
 * an empty result); instance and below: 4.04 / 4.05 / 4.01 as the class comment says.
 */
export function readRecords(scope: ReadScope, reader: Reader, path: LwM2mPath, options: ReadOptions): ReadResult {
  const out: ReadResult = { records: [], emptyResources: [], cacheTimes: undefined };
  const reg = scope.registry;
  const ids = path.ids;
  if (ids.length === 0) {
    for (const oid of reg.objectIds()) {
      if (oid === SECURITY_OBJECT && !reader.bootstrap && reader.ssid !== undefined) continue;
      collectObject(scope, reader, oid, options, out);
    }
    return out;
  }
  const oid = ids[0]!;
  if (oid === SECURITY_OBJECT && !reader.bootstrap && reader.ssid !== undefined) throw new UnauthorizedError('the Security object is not accessible to an LwM2M Server');
  const def = reg.definition(oid);
  if (def === undefined) throw new NotFoundError(`object ${oid} is not supported`);
  if (ids.length === 1) {
    if (!reg.isSupported(oid)) throw new NotFoundError(`object ${oid} is not supported`);
    collectObject(scope, reader, oid, options, out);
    return out;
  }
  const iid = ids[1]!;
  if (!reg.hasInstance(oid, iid)) throw new NotFoundError(`${LwM2mPath.of(oid, iid).toString()} does not exist`);
  if (!checkReadable(scope, reader, oid, iid)) throw new UnauthorizedError(`server ${String(reader.ssid)} may not read /${oid}/${iid}`);
  if (ids.length === 2) {
    collectInstance(scope, oid, iid, options, out);
    return out;
  }
  const rid = ids[2]!;
  const rdef = def.resources.get(rid);
  if (rdef === undefined) throw new NotFoundError(`${path.toString()} does not exist`);
  if (!rdef.operations.includes('R')) throw new MethodNotAllowedError(`${path.toString()} (${rdef.name}) is not readable`);
  if (!reg.hasResource(oid, iid, rid)) throw new NotFoundError(`${path.toString()} does not exist`);
  const data = reg.readResource(oid, iid, rid);
  const rpath = ids.length === 3 ? path : path.parent();
  if (data === undefined) throw new NotFoundError(`${path.toString()} has no value`);
  if (isInstances(data)) {
    if (ids.length === 4) {
      const riid = ids[3]!;
      const v = data.get(riid);
      if (v === undefined) throw new NotFoundError(`${path.toString()} does not exist`);
      pushValue(scope, path, v, options.cache, out);
      return out;
    }
    if (data.size === 0) out.emptyResources.push(rpath);
    for (const riid of [...data.keys()].sort((a, b) => a - b)) pushValue(scope, rpath.child(riid), data.get(riid)!, options.cache, out);
    return out;
  }
  if (ids.length === 4) throw new NotFoundError(`${path.toString()}: resource ${rid} has a single instance`);
  pushValue(scope, rpath, data, options.cache, out);
  return out;
}

function collectObject(scope: ReadScope, reader: Reader, oid: number, options: ReadOptions, out: ReadResult): void {
  for (const iid of scope.registry.instanceIds(oid)) {
    if (!checkReadable(scope, reader, oid, iid)) continue;
    collectInstance(scope, oid, iid, options, out);
  }
}

function collectInstance(scope: ReadScope, oid: number, iid: number, options: ReadOptions, out: ReadResult): void {
  const reg = scope.registry;
  const def = reg.definition(oid)!;
  const ipath = LwM2mPath.of(oid, iid);
  for (const rid of reg.presentResources(oid, iid)) {
    const rdef = def.resources.get(rid)!;
    if (rdef.type === 'none' || !rdef.operations.includes('R')) continue;
    let data: ResourceData | undefined;
    try {
      data = reg.readResource(oid, iid, rid);
    } catch (error) {
      options.onSkippedError?.(error);
      continue;
    }
    if (data === undefined) continue;
    const rpath = ipath.child(rid);
    if (isInstances(data)) {
      if (data.size === 0) out.emptyResources.push(rpath);
      for (const riid of [...data.keys()].sort((a, b) => a - b)) pushValue(scope, rpath.child(riid), data.get(riid)!, options.cache, out);
    } else pushValue(scope, rpath, data, options.cache, out);
  }
}

function pushValue(scope: ReadScope, path: LwM2mPath, value: ResourceValue, cache: CacheUse, out: ReadResult): void {
  if (cache.kind !== 'none' && scope.registry.cachedEntries(path)) {
    const key = path.toString();
    let entries = scope.registry.cache.peek(path);
    if (cache.kind === 'since') {
      const after = cache.sent.get(key);
      if (after !== undefined) entries = entries.filter((e) => e.time! > after);
    }
    if (entries.length > 0) {
      (out.cacheTimes ??= new Map()).set(key, entries[entries.length - 1]!.time!);
      for (const e of entries) out.records.push(e);
      return;
    }
  }
  out.records.push({ path, value });
}
