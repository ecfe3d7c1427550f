import { CodecError } from '../errors.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { cborLeafValue, writeCborValue } from './cbor.ts';
import { CborWriter } from './cbor-writer.ts';
import { decodeCbor } from './cborg-strict.ts';
import { childPath } from './paths.ts';
import { checkRecords, prepareRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';

/*
 * LwM2M CBOR (application/vnd.oma.lwm2m+cbor, 11544; LwM2M Core 1.2 7.4.7): a CBOR map nested by
 * path segments from the root - {3: {0: {0: "Open Mobile Alliance", 7: {0: 3800, 1: 5000}}}}. A key
 * is one id or an array of ids standing for several levels ({[3, 0, 1]: "x"}); resource values are
 * the leaves; values use the CBOR (60) mapping. Path-only bodies (Read-/Observe-Composite) put null
 * at the leaves.
 */

function keyIds(key: unknown, at: readonly number[]): readonly number[] {
  const bad = (): never => {
    throw new CodecError(`LwM2M CBOR: invalid key under /${at.join('/')}: keys are ids 0..65534 or arrays of them`);
  };
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0 || key > 65534) bad();
    return [key];
  }
  if (!Array.isArray(key) || key.length === 0) return bad();
  for (const id of key) if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 65534) bad();
  return key as number[];
}

function pathOf(ids: readonly number[]): LwM2mPath {
  let p = LwM2mPath.ROOT;
  for (const id of ids) p = childPath(p, id);
  return p;
}

interface Walker {
  leaf(path: LwM2mPath, value: unknown): void;
  emptyMap(ids: readonly number[]): void;
}

function walk(map: unknown, prefix: readonly number[], w: Walker): void {
  if (!(map instanceof Map)) {
    throw new CodecError(`LwM2M CBOR: expected a map at /${prefix.join('/')}`);
  }
  if (map.size === 0) w.emptyMap(prefix);
  for (const [k, v] of map as Map<unknown, unknown>) {
    const ids = prefix.concat(keyIds(k, prefix));
    if (ids.length > 4) throw new CodecError(`LwM2M CBOR: path /${ids.join('/')} is deeper than a resource instance`);
    if (v instanceof Map) walk(v, ids, w);
    else w.leaf(pathOf(ids), v);
  }
}

/**
 * Decodes LwM2M CBOR for a request on `basePath` (root for composite operations). Values are typed
 * and range-checked as in CBOR (60); every path must lie under `basePath`; `emptyResources` collects
 * resources sent as empty maps (a multi-instance resource with no instances).
 */
export function decodeLwm2mCbor(
  bytes: Uint8Array,
  basePath: LwM2mPath,
  resolver: ResourceResolver,
  emptyResources?: LwM2mPath[],
): LwM2mRecord[] {
  if (bytes.length === 0) return [];
  return recordsOf(decodeCbor(bytes), basePath, resolver, emptyResources);
}

function recordsOf(tree: unknown, basePath: LwM2mPath, resolver: ResourceResolver, emptyResources?: LwM2mPath[]): LwM2mRecord[] {
  const out: LwM2mRecord[] = [];
  walk(tree, [], {
    leaf(path, v) {
      if (path.depth < 3) throw new CodecError(`LwM2M CBOR: ${path.toString()} holds a value, values belong to resources`);
      const res = resolver.forValue(path);
      out.push({ path, value: cborLeafValue(res, path, v) });
    },
    emptyMap(ids) {
      if (ids.length !== 3) return;
      const path = pathOf(ids);
      if (resolver.isMultiple(path) === false) throw new CodecError(`${path.toString()}: an empty map for a single-instance resource`);
      emptyResources?.push(path);
    },
  });
  checkRecords(out, basePath, false);
  if (emptyResources !== undefined) {
    for (const p of emptyResources) {
      if (!p.startsWith(basePath)) throw new CodecError(`${p.toString()} is outside the request path ${basePath.toString()}`);
    }
  }
  return out;
}

interface Item {
  readonly path: LwM2mPath;
}

/** Writes sorted items as nested maps; `leaf` writes the value of an item that ends at this level. */
function writeTree<T extends Item>(w: CborWriter, items: readonly T[], from: number, to: number, level: number, leaf: (item: T) => void): void {
  let groups = 0;
  for (let i = from; i < to; groups++) {
    const id = items[i]!.path.ids[level];
    while (i < to && items[i]!.path.ids[level] === id) i++;
  }
  w.map(groups);
  let i = from;
  while (i < to) {
    const first = items[i]!;
    const id = first.path.ids[level]!;
    let j = i + 1;
    while (j < to && items[j]!.path.ids[level] === id) j++;
    w.int(id);
    if (first.path.ids.length === level + 1) {
      if (j - i !== 1) throw new CodecError(`${first.path.toString()} is listed together with paths below it`);
      leaf(first);
    } else writeTree(w, items, i, j, level + 1, leaf);
    i = j;
  }
}

/**
 * Encodes records as LwM2M CBOR: nested maps from the root, one integer key per level, in path
 * order; `emptyResources` become empty maps. LwM2M CBOR has no timestamps, so one value per path.
 */
export function encodeLwm2mCbor(
  records: readonly LwM2mRecord[],
  basePath: LwM2mPath,
  resolver: ResourceResolver,
  emptyResources: readonly LwM2mPath[] = [],
): Uint8Array {
  const items: (LwM2mRecord | { path: LwM2mPath; empty: true })[] = prepareRecords(records, basePath, false, true, 'LwM2M CBOR').slice();
  if (emptyResources.length > 0) {
    for (const p of emptyResources) {
      if (p.depth !== 3 || !p.startsWith(basePath)) throw new CodecError(`empty resource ${p.toString()} is not a resource under ${basePath.toString()}`);
      items.push({ path: p, empty: true });
    }
    items.sort((a, b) => a.path.compare(b.path));
  }
  const w = new CborWriter(64 + records.length * 12);
  writeTree(w, items, 0, items.length, 0, (item) => {
    if ('empty' in item) w.map(0);
    else writeCborValue(w, item, resolver.lookup(item.path));
  });
  return w.finish();
}

/** The path list of a Read-/Observe-Composite request as LwM2M CBOR: nested maps with null leaves. */
export function encodeLwm2mCborPaths(paths: readonly LwM2mPath[]): Uint8Array {
  const sorted = paths.slice().sort((a, b) => a.compare(b));
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (p.isRoot()) throw new CodecError('LwM2M CBOR cannot list the root path');
    const next = sorted[i + 1];
    if (next !== undefined && next.startsWith(p)) throw new CodecError(`${next.toString()} is listed together with ${p.toString()}`);
  }
  const w = new CborWriter(16 + paths.length * 8);
  writeTree(w, sorted.map((path) => ({ path })), 0, sorted.length, 0, () => {
    w.nil();
  });
  return w.finish();
}

/** Decodes the path list of a Read-/Observe-Composite request in LwM2M CBOR. */
export function decodeLwm2mCborPaths(bytes: Uint8Array): LwM2mPath[] {
  if (bytes.length === 0) return [];
  const out: LwM2mPath[] = [];
  walk(decodeCbor(bytes), [], {
    leaf(path, v) {
      if (v !== null) throw new CodecError(`LwM2M CBOR: ${path.toString()} carries a value in a path list`);
      out.push(path);
    },
    emptyMap(ids) {
      if (ids.length > 0) throw new CodecError(`LwM2M CBOR: empty map at /${ids.join('/')} in a path list`);
    },
  });
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(p.toString())) throw new CodecError(`${p.toString()} is listed twice`);
    seen.add(p.toString());
  }
  return out;
}

// --- IoT device prefixes (LwM2M Gateway TS 1.1 section 9 with Core 1.2 7.4.7) -----------------

/**
 * The LwM2M CBOR payload of an IoT device behind a gateway, with its prefix: the prefix becomes a
 * text-string key at the top of the nested maps, `{"dev1": {3303: {0: {5700: 22.5}}}}`, where a
 * gateway's own data has integer keys. Byte-level: the device's encoded map is wrapped unchanged.
 */
export function prefixLwm2mCbor(payload: Uint8Array, prefix: string): Uint8Array {
  if (prefix === '' || /^[0-9]+$/.test(prefix)) throw new CodecError(`'${prefix}' cannot be an IoT device prefix in LwM2M CBOR`);
  const w = new CborWriter(payload.length + prefix.length + 8);
  w.map(1);
  w.text(prefix);
  if (payload.length === 0) w.map(0);
  else w.bytes(payload);
  return w.finish();
}

/** The records of one part of a prefixed LwM2M CBOR payload: a gateway's own (prefix undefined) or one IoT device's. */
export interface PrefixedRecords {
  readonly prefix: string | undefined;
  readonly records: LwM2mRecord[];
}

/**
 * Decodes a LwM2M CBOR payload that may hold IoT devices' data (a Send from a gateway): top-level
 * integer keys are the gateway's own paths; a text-string key is a device prefix whose value is
 * that device's nested maps; an array key may start with the prefix (`["dev1", 3303, 0]`). Text
 * keys anywhere else are a CodecError. `resolverFor(prefix)` gives the definitions of each part
 * (undefined: an unknown prefix, CodecError). Parts come in the order first seen.
 */
export function decodePrefixedLwm2mCbor(bytes: Uint8Array, resolverFor: (prefix: string | undefined) => ResourceResolver | undefined): PrefixedRecords[] {
  if (bytes.length === 0) return [];
  const top = decodeCbor(bytes);
  if (!(top instanceof Map)) throw new CodecError('LwM2M CBOR: expected a map at /');
  const parts = new Map<string | undefined, Map<unknown, unknown>>();
  const part = (prefix: string | undefined): Map<unknown, unknown> => {
    let m = parts.get(prefix);
    if (m === undefined) {
      m = new Map();
      parts.set(prefix, m);
    }
    return m;
  };
  for (const [k, v] of top as Map<unknown, unknown>) {
    if (typeof k === 'string') {
      checkPrefix(k);
      if (!(v instanceof Map)) throw new CodecError(`LwM2M CBOR: the value of prefix '${k}' must be a map`);
      const m = part(k);
      for (const [ik, iv] of v as Map<unknown, unknown>) m.set(ik, iv);
    } else if (Array.isArray(k) && typeof k[0] === 'string') {
      const prefix = k[0];
      checkPrefix(prefix);
      const rest: unknown[] = k.slice(1);
      if (rest.length === 0) {
        if (!(v instanceof Map)) throw new CodecError(`LwM2M CBOR: the value of prefix '${prefix}' must be a map`);
        const m = part(prefix);
        for (const [ik, iv] of v as Map<unknown, unknown>) m.set(ik, iv);
      } else part(prefix).set(rest, v);
    } else part(undefined).set(k, v);
  }
  const out: PrefixedRecords[] = [];
  for (const [prefix, tree] of parts) {
    const resolver = resolverFor(prefix);
    if (resolver === undefined) throw new CodecError(`LwM2M CBOR: unknown IoT device prefix '${String(prefix)}'`);
    out.push({ prefix, records: tree.size === 0 ? [] : recordsOf(tree, LwM2mPath.ROOT, resolver) });
  }
  return out;
}

function checkPrefix(prefix: string): void {
  if (prefix === '' || /^[0-9]+$/.test(prefix) || prefix.includes('/')) throw new CodecError(`LwM2M CBOR: '${prefix}' is not an IoT device prefix`);
}
