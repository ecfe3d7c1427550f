import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { copyBytes } from './bytes.ts';
import type { ResourceResolver } from './schema.ts';
import { checkRange, encodeType } from './values.ts';

/**
 * Encodes an Opaque resource (instance) as its raw bytes (LwM2M Core 7.4.2, application/octet-stream).
 * Only opaque values qualify; the record must be the request path itself.
 */
export function encodeOpaque(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  if (basePath.depth < 3) throw new CodecError(`opaque carries one resource value; ${basePath.toString()} is not a resource path`);
  if (records.length !== 1) throw new CodecError(`opaque carries exactly one value, got ${records.length}`);
  const r = records[0]!;
  if (!r.path.equals(basePath)) throw new CodecError(`opaque: record ${r.path.toString()} is not the request path ${basePath.toString()}`);
  const type = encodeType(resolver.lookup(r.path), r.value, r.path);
  if (type !== 'opaque') throw new CodecError(`${r.path.toString()}: octet-stream carries opaque values only, not ${type}`);
  return copyBytes(r.value as Uint8Array);
}

/** Decodes an octet-stream payload as the opaque value of the resource (instance) at `basePath`. */
export function decodeOpaque(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver): LwM2mRecord[] {
  if (basePath.depth < 3) throw new CodecError(`opaque carries one resource value; ${basePath.toString()} is not a resource path`);
  const res = resolver.forValue(basePath);
  if (res !== undefined && res.type !== 'opaque') {
    throw new CodecError(`${basePath.toString()}: octet-stream carries opaque values only, resource ${res.id} is ${res.type}`);
  }
  const value = copyBytes(bytes);
  checkRange(res, basePath, value);
  return [{ path: basePath, value }];
}
