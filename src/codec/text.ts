import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ObjectLink, ResourceValue } from '../model/resource-type.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';
import type { ResourceResolver } from './schema.ts';
import { checkedInt, checkRange, dateFromSeconds, encodeType, formatObjlnk, parseObjlnk, timeSeconds } from './values.ts';

const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * A float as decimal text (LwM2M Core Appendix C): the shortest round-trip form, "-0.0" for negative
 * zero, exponent form for integral values beyond 2^53 (so they read back as floats, not integers).
 * NaN and infinities have no decimal form: CodecError.
 */
export function floatText(v: number, path?: LwM2mPath): string {
  if (!Number.isFinite(v)) {
    throw new CodecError(`${path === undefined ? '' : `${path.toString()}: `}${String(v)} has no decimal text form`);
  }
  if (Object.is(v, -0)) return '-0.0';
  // Integral floats beyond 2^53 print as long digit strings that read back as integers: keep the exponent.
  return Number.isInteger(v) && Math.abs(v) >= 2 ** 53 ? v.toExponential() : String(v);
}

/** Parses decimal text ("21.5", "-3", "1e3") as a finite float; anything else is a CodecError. */
export function parseFloatText(s: string, path: LwM2mPath): number {
  const n = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) throw new CodecError(`${path.toString()}: '${s}' is not a decimal number`);
  return n;
}

function parseIntegerText(s: string, path: LwM2mPath): bigint {
  if (!INTEGER.test(s) || s.length > 24) throw new CodecError(`${path.toString()}: '${s}' is not an integer`);
  return BigInt(s);
}

function requireSingle(records: readonly LwM2mRecord[], basePath: LwM2mPath, name: string): LwM2mRecord {
  if (basePath.depth < 3) throw new CodecError(`${name} carries one resource value; ${basePath.toString()} is not a resource path`);
  if (records.length !== 1) throw new CodecError(`${name} carries exactly one value, got ${records.length}`);
  const r = records[0]!;
  if (!r.path.equals(basePath)) throw new CodecError(`${name}: record ${r.path.toString()} is not the request path ${basePath.toString()}`);
  return r;
}

/**
 * Encodes one value as plain text (LwM2M Core 7.4.1): numbers in decimal, booleans "0"/"1", time as
 * seconds, object links "oid:iid", opaque as base64. The record must be the request path itself.
 */
export function encodeText(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  const r = requireSingle(records, basePath, 'plain text');
  const type = encodeType(resolver.lookup(r.path), r.value, r.path);
  let s: string;
  switch (type) {
    case 'string':
    case 'corelnk':
      s = r.value as string;
      break;
    case 'integer':
    case 'unsigned':
      s = (r.value as number | bigint).toString();
      break;
    case 'float':
      s = floatText(r.value as number, r.path);
      break;
    case 'boolean':
      s = r.value === true ? '1' : '0';
      break;
    case 'time':
      s = String(timeSeconds(r.value));
      break;
    case 'opaque':
      s = toBase64(r.value as Uint8Array);
      break;
    case 'objlnk':
      s = formatObjlnk(r.value as ObjectLink);
      break;
  }
  return encodeUtf8(s);
}

/**
 * Decodes a plain text payload (LwM2M Core 7.4.1) for the resource (instance) at `basePath`. Without
 * a definition the text stays a string; with one it is parsed strictly as the resource's type.
 */
export function decodeText(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver): LwM2mRecord[] {
  if (basePath.depth < 3) throw new CodecError(`plain text carries one resource value; ${basePath.toString()} is not a resource path`);
  const res = resolver.forValue(basePath);
  const s = decodeUtf8(bytes);
  let value: ResourceValue;
  switch (res?.type) {
    case undefined:
    case 'string':
    case 'corelnk':
      value = s;
      break;
    case 'integer':
    case 'unsigned':
      value = checkedInt(res.type, parseIntegerText(s, basePath), basePath);
      break;
    case 'float':
      value = parseFloatText(s, basePath);
      break;
    case 'boolean':
      if (s !== '0' && s !== '1') throw new CodecError(`${basePath.toString()}: boolean text must be '0' or '1', got '${s}'`);
      value = s === '1';
      break;
    case 'time':
      value = dateFromSeconds(parseIntegerText(s, basePath), basePath);
      break;
    case 'opaque':
      value = fromBase64(s, basePath.toString());
      break;
    case 'objlnk':
      value = parseObjlnk(s, basePath);
      break;
    case 'none':
      throw new CodecError(`${basePath.toString()}: executable resources have no value`);
  }
  checkRange(res, basePath, value);
  return [{ path: basePath, value }];
}
