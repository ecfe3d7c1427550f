import { CodecError } from '../errors.ts';
import type { ResourceDefinition } from '../model/object-definition.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ObjectLink, ResourceValue } from '../model/resource-type.ts';
import { copyBytes } from './bytes.ts';
import { CborWriter } from './cbor-writer.ts';
import { CborTime, decodeCbor } from './cborg-strict.ts';
import type { ResourceResolver } from './schema.ts';
import { checkRange, encodeType, formatObjlnk, fromBoolean, fromBytes, fromNumber, fromTaggedTime, fromText, timeSeconds } from './values.ts';

/** CBOR tag 1, epoch-based date/time (RFC 8949 3.4.2). */
const TAG_EPOCH_TIME = 1;

/**
 * Writes one LwM2M value as CBOR (LwM2M Core 1.1.1 7.4.6, 1.2 7.4.7): integers as major 0/1, floats
 * as the shortest exact float, strings as text, opaque as bytes, booleans as simple values, Time as
 * tag 1 with integer seconds, object links as "oid:iid" text.
 */
export function writeCborValue(w: CborWriter, r: LwM2mRecord, res: ResourceDefinition | undefined): void {
  const type = encodeType(res, r.value, r.path);
  switch (type) {
    case 'string':
    case 'corelnk':
      w.text(r.value as string);
      return;
    case 'integer':
    case 'unsigned':
      w.int(r.value as number | bigint);
      return;
    case 'float':
      w.float(r.value as number);
      return;
    case 'boolean':
      w.bool(r.value as boolean);
      return;
    case 'opaque':
      w.byteString(r.value as Uint8Array);
      return;
    case 'time':
      w.tag(TAG_EPOCH_TIME);
      w.int(timeSeconds(r.value));
      return;
    case 'objlnk':
      w.text(formatObjlnk(r.value as ObjectLink));
      return;
  }
}

/**
 * Turns one decoded CBOR item into the value of the resource at `path` (checked against its range).
 * Without a definition the CBOR type is kept: integers -> number/bigint, floats -> number, text ->
 * string, bytes -> Uint8Array, booleans, tagged times (tags 0/1) -> Date.
 */
export function cborLeafValue(res: ResourceDefinition | undefined, path: LwM2mPath, v: unknown): ResourceValue {
  let value: ResourceValue;
  if (typeof v === 'number' || typeof v === 'bigint') value = fromNumber(res, path, v);
  else if (typeof v === 'string') value = fromText(res, path, v);
  else if (typeof v === 'boolean') value = fromBoolean(res, path, v);
  else if (v instanceof Uint8Array) value = fromBytes(res, path, copyBytes(v));
  else if (v instanceof CborTime) value = fromTaggedTime(res, path, v.seconds);
  else throw new CodecError(`${path.toString()}: ${v === null ? 'null' : Array.isArray(v) ? 'an array' : 'a map'} is not a resource value`);
  checkRange(res, path, value);
  return value;
}

/** Encodes the single value at `basePath` as CBOR (content format 60). */
export function encodeCbor(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  if (basePath.depth < 3) throw new CodecError(`CBOR carries one resource value; ${basePath.toString()} is not a resource path`);
  if (records.length !== 1) throw new CodecError(`CBOR carries exactly one value, got ${records.length}`);
  const r = records[0]!;
  if (!r.path.equals(basePath)) throw new CodecError(`CBOR: record ${r.path.toString()} is not the request path ${basePath.toString()}`);
  const w = new CborWriter(32);
  writeCborValue(w, r, resolver.lookup(r.path));
  return w.finish();
}

/** Decodes a CBOR (60) payload as the value of the resource (instance) at `basePath`. */
export function decodeCborValue(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver): LwM2mRecord[] {
  if (basePath.depth < 3) throw new CodecError(`CBOR carries one resource value; ${basePath.toString()} is not a resource path`);
  const res = resolver.forValue(basePath);
  return [{ path: basePath, value: cborLeafValue(res, basePath, decodeCbor(bytes)) }];
}
