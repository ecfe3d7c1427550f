import { CodecError } from '../errors.ts';
import type { ResourceDefinition } from '../model/object-definition.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ObjectLink, ResourceValue, ValueType } from '../model/resource-type.ts';
import { ByteWriter, copyBytes, decodeUtf8, utf8Length } from './bytes.ts';
import { childPath } from './paths.ts';
import { checkRecords, prepareRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';
import { checkedInt, checkRange, dateFromSeconds, encodeType, intBig, timeSeconds } from './values.ts';

/** TLV identifier types, bits 7-6 of the type byte (LwM2M Core 7.4.3, Table 7.4.3-1). */
export const TlvType = {
  OBJECT_INSTANCE: 0,
  RESOURCE_INSTANCE: 1,
  MULTIPLE_RESOURCE: 2,
  RESOURCE_VALUE: 3,
} as const;
export type TlvType = (typeof TlvType)[keyof typeof TlvType];

const TYPE_NAMES = ['object instance', 'resource instance', 'multiple resource', 'resource'] as const;
/** Path depth of the thing each TLV type identifies. */
const LEVEL = [2, 4, 3, 3] as const;
/** Largest value a 24-bit length field holds. */
const MAX_LENGTH = 0xffffff;

/** A multi-instance resource carried with no instances (a TLV multiple resource of length 0). */
interface EmptyResource {
  readonly path: LwM2mPath;
  readonly empty: true;
}

export interface TlvDecodeOptions {
  /** Where a Create on an object path puts resources sent without an object instance TLV. */
  readonly newInstanceId?: number | undefined;
  /** Collects multi-instance resources that the payload carries with zero instances. */
  readonly emptyResources?: LwM2mPath[] | undefined;
}

interface Header {
  type: number;
  id: number;
  start: number;
  end: number;
}

/** Reads one TLV header at `pos` (LwM2M Core 7.4.3): 8/16-bit identifier, 0-3 byte length. */
function readHeader(buf: Uint8Array, pos: number, limit: number, h: Header): void {
  const t = buf[pos]!;
  let p = pos + 1;
  const idBytes = (t & 0x20) !== 0 ? 2 : 1;
  const lenBytes = (t >> 3) & 3;
  if (p + idBytes + lenBytes > limit) throw new CodecError(`TLV header at byte ${pos} is truncated`);
  let id = buf[p++]!;
  if (idBytes === 2) id = (id << 8) | buf[p++]!;
  let len = t & 7;
  if (lenBytes > 0) {
    len = 0;
    for (let i = 0; i < lenBytes; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new CodecError(`TLV ${TYPE_NAMES[t >> 6]!} ${id} at byte ${pos} claims ${len} bytes, only ${limit - p} remain`);
  h.type = t >> 6;
  h.id = id;
  h.start = p;
  h.end = p + len;
}

/**
 * Decodes a TLV payload (LwM2M Core 7.4.3) addressed to `basePath` into records.
 *
 * Accepted shapes: on an object, object instance TLVs (or bare resources with `newInstanceId`, as a
 * Create may send); on an instance, resource TLVs or one object instance TLV of that id; on a
 * resource, a resource TLV, a multiple resource TLV or bare resource instances (or these wrapped in
 * their object instance); on a resource instance, that resource instance. Without a definition a
 * value stays opaque bytes; with one it is decoded as its type (integers 1/2/4/8 bytes, floats 4/8,
 * booleans 1 byte 0/1, object links 4 bytes) and range-checked.
 */
export function decodeTlv(
  bytes: Uint8Array,
  basePath: LwM2mPath,
  resolver: ResourceResolver,
  options: TlvDecodeOptions = {},
): LwM2mRecord[] {
  if (basePath.isRoot()) throw new CodecError('TLV cannot carry a payload for the root path');
  return new TlvDecoder(bytes, basePath, resolver, options).decode();
}

/**
 * One decode. The structural rules of `checkRecords` are enforced on the way: ids are unique within
 * each container (TLVs usually come in id order, so that is a comparison with the previous id),
 * ids below the request path must match it, and leaves may not sit above it. Only a payload that
 * mixes levels at the top (an object instance TLV next to bare resources) needs the generic check.
 */
class TlvDecoder {
  readonly #bytes: Uint8Array;
  readonly #base: LwM2mPath;
  readonly #baseIds: readonly number[];
  readonly #resolver: ResourceResolver;
  readonly #options: TlvDecodeOptions;
  readonly #out: LwM2mRecord[] = [];

  constructor(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver, options: TlvDecodeOptions) {
    this.#bytes = bytes;
    this.#base = basePath;
    this.#baseIds = basePath.ids;
    this.#resolver = resolver;
    this.#options = options;
  }

  decode(): LwM2mRecord[] {
    const bytes = this.#bytes;
    const basePath = this.#base;
    const h: Header = { type: 0, id: 0, start: 0, end: 0 };
    let pos = 0;
    let topLevel = 0;
    let mixed = false;
    let last = -1;
    let seen: Set<number> | undefined;
    while (pos < bytes.length) {
      readHeader(bytes, pos, bytes.length, h);
      const level = LEVEL[h.type]!;
      if (topLevel === 0) topLevel = level;
      else if (level !== topLevel) mixed = true;
      const containerDepth = level - 1;
      let container: LwM2mPath;
      if (basePath.depth >= containerDepth) container = basePath.ancestor(containerDepth as 1 | 2 | 3);
      else if (level === 3 && this.#options.newInstanceId !== undefined) container = childPath(basePath, this.#options.newInstanceId);
      else {
        throw new CodecError(
          `TLV ${TYPE_NAMES[h.type]!} ${h.id} needs a request path naming its ${containerDepth === 1 ? 'object' : containerDepth === 2 ? 'object instance' : 'resource'} (request path ${basePath.toString()})`,
        );
      }
      const path = childPath(container, h.id);
      if (basePath.depth >= level && this.#baseIds[level - 1] !== h.id) {
        throw new CodecError(`TLV ${TYPE_NAMES[h.type]!} ${path.toString()} is outside the request path ${basePath.toString()}`);
      }
      if (!mixed) {
        if (seen === undefined && h.id > last) last = h.id;
        else {
          seen ??= this.#idsBefore(0, pos);
          if (seen.has(h.id)) throw new CodecError(`${path.toString()}: appears twice in the payload`);
        }
        seen?.add(h.id);
      }
      const next = h.end;
      this.#entry(h, path, level);
      pos = next;
    }
    // Mixed levels (an instance TLV beside bare resources) can repeat a path across levels.
    if (mixed) checkRecords(this.#out, basePath, false);
    return this.#out;
  }

  /** The ids of the TLVs in [start, end), for the rare container whose ids do not ascend. */
  #idsBefore(start: number, end: number): Set<number> {
    const ids = new Set<number>();
    const h: Header = { type: 0, id: 0, start: 0, end: 0 };
    for (let pos = start; pos < end; pos = h.end) {
      readHeader(this.#bytes, pos, end, h);
      ids.add(h.id);
    }
    return ids;
  }

  #entry(h: Header, path: LwM2mPath, level: number): void {
    switch (h.type) {
      case TlvType.OBJECT_INSTANCE:
        this.#children(h.start, h.end, path, 'instance');
        return;
      case TlvType.MULTIPLE_RESOURCE: {
        if (this.#resolver.isMultiple(path) === false) {
          throw new CodecError(`${path.toString()}: resource is single-instance but TLV sends it as a multiple resource`);
        }
        if (h.start === h.end) this.#options.emptyResources?.push(path);
        this.#children(h.start, h.end, path, 'multiple');
        return;
      }
      default: {
        if (this.#base.depth > level) throw new CodecError(`${path.toString()} is outside the request path ${this.#base.toString()}`);
        const res = this.#resolver.forValue(path);
        const value = tlvValue(res, path, this.#bytes, h.start, h.end);
        checkRange(res, path, value);
        this.#out.push({ path, value });
      }
    }
  }

  #children(start: number, end: number, parent: LwM2mPath, kind: 'instance' | 'multiple'): void {
    const bytes = this.#bytes;
    const h: Header = { type: 0, id: 0, start: 0, end: 0 };
    const level = kind === 'instance' ? 3 : 4;
    const must = this.#base.depth >= level ? this.#baseIds[level - 1] : undefined;
    let last = -1;
    let seen: Set<number> | undefined;
    let pos = start;
    while (pos < end) {
      readHeader(bytes, pos, end, h);
      const ok = kind === 'instance' ? h.type === TlvType.RESOURCE_VALUE || h.type === TlvType.MULTIPLE_RESOURCE : h.type === TlvType.RESOURCE_INSTANCE;
      if (!ok) throw new CodecError(`${parent.toString()}: a TLV ${TYPE_NAMES[h.type]!} cannot be nested in a ${kind === 'instance' ? 'object instance' : 'multiple resource'}`);
      const path = childPath(parent, h.id);
      if (must !== undefined && h.id !== must) throw new CodecError(`${path.toString()} is outside the request path ${this.#base.toString()}`);
      if (seen === undefined && h.id > last) last = h.id;
      else {
        seen ??= this.#idsBefore(start, pos);
        if (seen.has(h.id)) throw new CodecError(`${path.toString()}: appears twice in the payload`);
      }
      seen?.add(h.id);
      const next = h.end;
      this.#entry(h, path, level);
      pos = next;
    }
  }
}

function readInt(bytes: Uint8Array, start: number, len: number, signed: boolean): number | bigint {
  switch (len) {
    case 1:
      return signed ? (bytes[start]! << 24) >> 24 : bytes[start]!;
    case 2: {
      const v = (bytes[start]! << 8) | bytes[start + 1]!;
      return signed ? (v << 16) >> 16 : v;
    }
    case 4: {
      const v = ((bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!) >>> 0;
      return signed ? v | 0 : v;
    }
    default: {
      const view = new DataView(bytes.buffer, bytes.byteOffset + start, 8);
      return signed ? view.getBigInt64(0) : view.getBigUint64(0);
    }
  }
}

function badValue(path: LwM2mPath, len: number, what: string): CodecError {
  return new CodecError(`${path.toString()}: ${len}-byte TLV value is not ${what}`);
}

/** Decodes the bytes of one TLV value as `res`'s type (LwM2M Core Appendix C, TLV column). */
function tlvValue(res: ResourceDefinition | undefined, path: LwM2mPath, bytes: Uint8Array, start: number, end: number): ResourceValue {
  const len = end - start;
  if (res === undefined) return copyBytes(bytes, start, end);
  switch (res.type) {
    case 'string':
    case 'corelnk':
      return decodeUtf8(bytes, start, end);
    case 'opaque':
      return copyBytes(bytes, start, end);
    case 'integer':
    case 'unsigned':
    case 'time': {
      if (len !== 1 && len !== 2 && len !== 4 && len !== 8) throw badValue(path, len, 'an integer of 1, 2, 4 or 8 bytes');
      const v = readInt(bytes, start, len, res.type !== 'unsigned');
      return res.type === 'time' ? dateFromSeconds(v, path) : checkedInt(res.type, v, path);
    }
    case 'float': {
      const view = new DataView(bytes.buffer, bytes.byteOffset + start, len);
      if (len === 4) return view.getFloat32(0);
      if (len === 8) return view.getFloat64(0);
      throw badValue(path, len, 'a float of 4 or 8 bytes');
    }
    case 'boolean': {
      const b = bytes[start];
      if (len !== 1 || (b !== 0 && b !== 1)) throw badValue(path, len, 'a boolean (one byte, 0 or 1)');
      return b === 1;
    }
    case 'objlnk': {
      if (len !== 4) throw badValue(path, len, 'an object link (4 bytes)');
      return { oid: (bytes[start]! << 8) | bytes[start + 1]!, iid: (bytes[start + 2]! << 8) | bytes[start + 3]! };
    }
    case 'none':
      throw new CodecError(`${path.toString()}: resource ${res.id} is executable and has no value`);
  }
}

type Entry = LwM2mRecord | EmptyResource;

function isEmpty(e: Entry): e is EmptyResource {
  return 'empty' in e;
}

/**
 * Encodes records as TLV for a request on `basePath` (LwM2M Core 7.4.3): object instance TLVs for an
 * object, bare resources for an instance, a resource or multiple resource TLV for a resource, a
 * resource instance TLV for a resource instance. Records are sorted by path; identifiers take 8 bits
 * when they fit, lengths the shortest field; integers the shortest of 1/2/4/8 bytes, floats 4 bytes
 * when exact, else 8. `emptyResources` adds multi-instance resources with no instances.
 */
export function encodeTlv(
  records: readonly LwM2mRecord[],
  basePath: LwM2mPath,
  resolver: ResourceResolver,
  emptyResources: readonly LwM2mPath[] = [],
): Uint8Array {
  if (basePath.isRoot()) throw new CodecError('TLV cannot carry a payload for the root path');
  let entries: readonly Entry[] = prepareRecords(records, basePath, false, true, 'TLV');
  if (emptyResources.length > 0) entries = withEmpties(entries as readonly LwM2mRecord[], basePath, emptyResources);
  const enc = new TlvEncoder(resolver);
  const w = OUT;
  w.reset();
  switch (basePath.depth) {
    case 1:
      enc.instances(w, entries);
      break;
    case 2:
      enc.resources(w, entries, 0, entries.length);
      break;
    default:
      enc.resources(w, entries, 0, entries.length, basePath.depth === 4);
  }
  const out = w.finish();
  if (out.length > 65536) {
    // A big payload grew the shared scratch buffers: give that memory back.
    OUT.trim();
    INSTANCE.trim();
    MULTIPLE.trim();
  }
  return out;
}

function withEmpties(records: readonly LwM2mRecord[], basePath: LwM2mPath, empties: readonly LwM2mPath[]): Entry[] {
  const taken = new Set(records.map((r) => (r.path.depth === 4 ? r.path.parent() : r.path).toString()));
  const all: Entry[] = records.slice();
  for (const p of empties) {
    if (p.depth !== 3 || !p.startsWith(basePath)) throw new CodecError(`empty resource ${p.toString()} is not a resource under ${basePath.toString()}`);
    if (taken.has(p.toString())) throw new CodecError(`${p.toString()} is both empty and has values`);
    taken.add(p.toString());
    all.push({ path: p, empty: true });
  }
  return all.sort((a, b) => a.path.compare(b.path));
}

/*
 * Scratch buffers, shared: encoding is synchronous and calls no user code, so one encode finishes
 * before the next starts. `finish()` copies the result out.
 */
const OUT = new ByteWriter(512);
const INSTANCE = new ByteWriter(256);
const MULTIPLE = new ByteWriter(64);

class TlvEncoder {
  readonly #resolver: ResourceResolver;
  readonly #instance = INSTANCE;
  readonly #multiple = MULTIPLE;

  constructor(resolver: ResourceResolver) {
    this.#resolver = resolver;
  }

  instances(w: ByteWriter, entries: readonly Entry[]): void {
    let i = 0;
    while (i < entries.length) {
      const iid = entries[i]!.path.ids[1]!;
      let j = i + 1;
      while (j < entries.length && entries[j]!.path.ids[1] === iid) j++;
      const sub = this.#instance;
      sub.reset();
      this.resources(sub, entries, i, j);
      writeHeader(w, TlvType.OBJECT_INSTANCE, iid, sub.length);
      w.bytes(sub.buffer, 0, sub.length);
      i = j;
    }
  }

  /** Resources of one instance (or of one resource); `bareInstance` writes a lone resource instance. */
  resources(w: ByteWriter, entries: readonly Entry[], from: number, to: number, bareInstance = false): void {
    let i = from;
    while (i < to) {
      const first = entries[i]!;
      const rid = first.path.ids[2]!;
      if (first.path.depth === 3 && !isEmpty(first)) {
        this.leaf(w, TlvType.RESOURCE_VALUE, rid, first);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < to && entries[j]!.path.ids[2] === rid) j++;
      if (bareInstance) {
        for (let k = i; k < j; k++) this.leaf(w, TlvType.RESOURCE_INSTANCE, entries[k]!.path.ids[3]!, entries[k] as LwM2mRecord);
      } else {
        const sub = this.#multiple;
        sub.reset();
        if (!isEmpty(first)) {
          for (let k = i; k < j; k++) this.leaf(sub, TlvType.RESOURCE_INSTANCE, entries[k]!.path.ids[3]!, entries[k] as LwM2mRecord);
        }
        writeHeader(w, TlvType.MULTIPLE_RESOURCE, rid, sub.length);
        w.bytes(sub.buffer, 0, sub.length);
      }
      i = j;
    }
  }

  leaf(w: ByteWriter, type: TlvType, id: number, r: LwM2mRecord): void {
    const valueType = encodeType(this.#resolver.lookup(r.path), r.value, r.path);
    writeValue(w, type, id, valueType, r.value, r.path);
  }
}

function writeHeader(w: ByteWriter, type: number, id: number, len: number): void {
  let t = type << 6;
  if (id > 255) t |= 0x20;
  if (len < 8) t |= len;
  else if (len < 0x100) t |= 0x08;
  else if (len < 0x10000) t |= 0x10;
  else if (len <= MAX_LENGTH) t |= 0x18;
  else throw new CodecError(`TLV ${TYPE_NAMES[type]!} ${id}: ${len} bytes exceed the 24-bit TLV length`);
  w.u8(t);
  if (id > 255) w.u16(id);
  else w.u8(id);
  if (len >= 8) {
    if (len < 0x100) w.u8(len);
    else if (len < 0x10000) w.u16(len);
    else w.u24(len);
  }
}

/** Byte size of the shortest two's-complement (or unsigned) form of 1/2/4/8 bytes. */
function intSize(v: number | bigint, signed: boolean): 1 | 2 | 4 | 8 {
  if (typeof v === 'number') {
    if (signed) {
      if (v >= -0x80 && v <= 0x7f) return 1;
      if (v >= -0x8000 && v <= 0x7fff) return 2;
      if (v >= -0x80000000 && v <= 0x7fffffff) return 4;
      return 8;
    }
    if (v <= 0xff) return 1;
    if (v <= 0xffff) return 2;
    if (v <= 0xffffffff) return 4;
    return 8;
  }
  if (signed ? v >= -0x80000000n && v <= 0x7fffffffn : v <= 0xffffffffn) return intSize(Number(v), signed);
  return 8;
}

function writeInt(w: ByteWriter, v: number | bigint, size: number, signed: boolean): void {
  switch (size) {
    case 1:
      w.u8(Number(v) & 0xff);
      return;
    case 2:
      w.u16(Number(v) & 0xffff);
      return;
    case 4:
      w.u32(Number(v) >>> 0);
      return;
    default:
      if (signed) w.i64(intBig(v));
      else w.u64(intBig(v));
  }
}

function writeValue(w: ByteWriter, tlvType: number, id: number, type: ValueType, value: unknown, path: LwM2mPath): void {
  switch (type) {
    case 'string':
    case 'corelnk': {
      const s = value as string;
      writeHeader(w, tlvType, id, utf8Length(s));
      w.utf8(s);
      return;
    }
    case 'opaque': {
      const b = value as Uint8Array;
      writeHeader(w, tlvType, id, b.byteLength);
      w.bytes(b);
      return;
    }
    case 'integer':
    case 'unsigned':
    case 'time': {
      const v = type === 'time' ? timeSeconds(value) : (value as number | bigint);
      const signed = type !== 'unsigned';
      const size = intSize(v, signed);
      writeHeader(w, tlvType, id, size);
      writeInt(w, v, size, signed);
      return;
    }
    case 'float': {
      const v = value as number;
      if (Object.is(Math.fround(v), v) || Number.isNaN(v)) {
        writeHeader(w, tlvType, id, 4);
        w.f32(v);
      } else {
        writeHeader(w, tlvType, id, 8);
        w.f64(v);
      }
      return;
    }
    case 'boolean':
      writeHeader(w, tlvType, id, 1);
      w.u8(value === true ? 1 : 0);
      return;
    case 'objlnk': {
      const o = value as ObjectLink;
      writeHeader(w, tlvType, id, 4);
      w.u16(o.oid);
      w.u16(o.iid);
      return;
    }
  }
  throw new CodecError(`${path.toString()}: cannot encode ${String(type)} as TLV`);
}
