import { CodecError } from '../errors.ts';
import type { ResourceDefinition } from '../model/object-definition.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { ObjectLink, ResourceValue, ValueType } from '../model/resource-type.ts';
import { fromBase64 } from './base64.ts';
import { utf8Length } from './bytes.ts';

/*
 * Value typing shared by every codec (LwM2M Core Appendix C).
 *
 * Encoding: a record's value is written as its resource's type when definitions know the resource,
 * otherwise as the type its JS value implies (inferType). Decoding: a wire value becomes the JS
 * value of its resource's type, checked against the definition's range; without a definition the
 * wire's own type is kept - see the rule table in codec.ts.
 */

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
/** Largest time (seconds) a JS Date can hold. */
const MAX_DATE_SECONDS = 8.64e12;

/** A bigint as a number when that is exact, else as is (the ResourceValueMap rule for integers). */
export function normalizeInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export function isObjectLink(v: unknown): v is ObjectLink {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<Record<'oid' | 'iid', unknown>>;
  return isU16(o.oid) && isU16(o.iid);
}

function isU16(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

/** The type a JS value implies when no definition says otherwise. */
export function inferType(value: unknown): ValueType | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) && Number.isSafeInteger(value) ? 'integer' : 'float';
    case 'bigint':
      return value > INT64_MAX ? 'unsigned' : 'integer';
    case 'object':
      if (value instanceof Uint8Array) return 'opaque';
      if (value instanceof Date) return 'time';
      if (isObjectLink(value)) return 'objlnk';
      return undefined;
    default:
      return undefined;
  }
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.byteLength}-byte opaque value`;
  if (value instanceof Date) return 'Date';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'number') return `number ${String(value)}`;
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Whether a JS value can be written as a resource of `type`. */
export function valueFits(type: ValueType, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'corelnk':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX;
    case 'unsigned':
      return typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX;
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'opaque':
      return value instanceof Uint8Array;
    case 'time':
      return value instanceof Date ? !Number.isNaN(value.getTime()) : Number.isSafeInteger(value);
    case 'objlnk':
      return isObjectLink(value);
  }
}

/**
 * The type to encode a value as: its resource's type (which the value must fit) or, without a
 * definition, the type the value implies. Throws CodecError for executable resources and misfits.
 */
export function encodeType(res: ResourceDefinition | undefined, value: unknown, path: LwM2mPath): ValueType {
  if (res === undefined) {
    const t = inferType(value);
    if (t === undefined) throw new CodecError(`${path.toString()}: a ${describe(value)} is not an LwM2M value`);
    return t;
  }
  if (res.type === 'none') throw new CodecError(`${path.toString()}: resource ${res.id} is executable and has no value`);
  if (!valueFits(res.type, value)) {
    throw new CodecError(`${path.toString()}: a ${describe(value)} is not a valid ${res.type} value`);
  }
  return res.type;
}

/** Seconds since the epoch of a Time value (a Date, or seconds); whole seconds, rounded down. */
export function timeSeconds(value: unknown): number {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  return value as number;
}

/** An integer value (number or bigint) as a bigint. */
export function intBig(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

/** "oid:iid", the text form of an Objlnk (LwM2M Core Appendix C). */
export function formatObjlnk(v: ObjectLink): string {
  return `${v.oid}:${v.iid}`;
}

const OBJLNK = /^([0-9]{1,5}):([0-9]{1,5})$/;

/** Parses "oid:iid" with both ids 0..65535; anything else is a CodecError. */
export function parseObjlnk(text: string, path?: LwM2mPath): ObjectLink {
  const m = OBJLNK.exec(text);
  const oid = m === null ? NaN : Number(m[1]);
  const iid = m === null ? NaN : Number(m[2]);
  if (!(oid <= 65535 && iid <= 65535)) throw new CodecError(`${where(path)}invalid object link '${text}'`);
  return { oid, iid };
}

function where(path: LwM2mPath | undefined): string {
  return path === undefined ? '' : `${path.toString()}: `;
}

function wrongType(res: ResourceDefinition, path: LwM2mPath, got: string): CodecError {
  return new CodecError(`${path.toString()}: resource ${res.id} is ${res.type}, payload has ${got}`);
}

/** An integer of `type` from an exact integer, range-checked for its 64-bit kind. */
export function checkedInt(type: 'integer' | 'unsigned', v: number | bigint, path: LwM2mPath): number | bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) {
      if (type === 'unsigned' && v < 0) throw new CodecError(`${path.toString()}: ${v} is negative for an unsigned integer`);
      return v === 0 ? 0 : v; // -0 -> 0
    }
    if (!Number.isInteger(v)) throw new CodecError(`${path.toString()}: ${String(v)} is not an integer`);
    v = BigInt(v);
  }
  const min = type === 'integer' ? INT64_MIN : 0n;
  const max = type === 'integer' ? INT64_MAX : UINT64_MAX;
  if (v < min || v > max) throw new CodecError(`${path.toString()}: ${v} is outside the 64-bit ${type} range`);
  return normalizeInt(v);
}

/** A Date from seconds since the epoch (whole seconds, within Date's range). */
export function dateFromSeconds(v: number | bigint, path: LwM2mPath): Date {
  const n = Number(v);
  if (!Number.isInteger(n) || Math.abs(n) > MAX_DATE_SECONDS) {
    throw new CodecError(`${path.toString()}: ${String(v)} is not a valid time (whole seconds since 1970)`);
  }
  return new Date(n * 1000);
}

/** A numeric wire value (JSON number, CBOR integer or float) as the resource's value. */
export function fromNumber(res: ResourceDefinition | undefined, path: LwM2mPath, v: number | bigint): ResourceValue {
  if (res === undefined) return v;
  switch (res.type) {
    case 'integer':
    case 'unsigned':
      return checkedInt(res.type, v, path);
    case 'float':
      return Number(v);
    case 'time':
      return dateFromSeconds(v, path);
    default:
      throw wrongType(res, path, 'a number');
  }
}

/**
 * A text wire value as the resource's value. Objlnk resources accept "oid:iid" (CBOR and LwM2M CBOR
 * carry object links as text); opaque resources accept base64 only where the format says so (OMA
 * JSON "sv").
 */
export function fromText(res: ResourceDefinition | undefined, path: LwM2mPath, s: string, base64Opaque = false): ResourceValue {
  if (res === undefined) return s;
  switch (res.type) {
    case 'string':
    case 'corelnk':
      return s;
    case 'objlnk':
      return parseObjlnk(s, path);
    case 'opaque':
      if (base64Opaque) return fromBase64(s, path.toString());
      throw wrongType(res, path, 'a string');
    default:
      throw wrongType(res, path, 'a string');
  }
}

export function fromBoolean(res: ResourceDefinition | undefined, path: LwM2mPath, b: boolean): ResourceValue {
  if (res !== undefined && res.type !== 'boolean') throw wrongType(res, path, 'a boolean');
  return b;
}

export function fromBytes(res: ResourceDefinition | undefined, path: LwM2mPath, b: Uint8Array): ResourceValue {
  if (res !== undefined && res.type !== 'opaque') throw wrongType(res, path, 'opaque bytes');
  return b;
}

export function fromObjlnk(res: ResourceDefinition | undefined, path: LwM2mPath, o: ObjectLink): ResourceValue {
  if (res !== undefined && res.type !== 'objlnk') throw wrongType(res, path, 'an object link');
  return o;
}

/** A value tagged as a time on the wire (CBOR tag 1): a Date unless the resource says otherwise. */
export function fromTaggedTime(res: ResourceDefinition | undefined, path: LwM2mPath, seconds: number | bigint): ResourceValue {
  if (res === undefined || res.type === 'time') return dateFromSeconds(seconds, path);
  return fromNumber(res, path, seconds);
}

/**
 * Checks a decoded value against its definition's range (numeric bounds, length in bytes, or an
 * enumeration); throws CodecError naming the bound.
 */
export function checkRange(res: ResourceDefinition | undefined, path: LwM2mPath, value: ResourceValue): void {
  const range = res?.range;
  if (range === undefined) return;
  let problem: string | undefined;
  switch (range.kind) {
    case 'numeric': {
      const n = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
      if (typeof n === 'number' || typeof n === 'bigint') {
        if (!(n >= range.min && n <= range.max)) problem = `${String(n)} is outside ${String(range.min)}..${String(range.max)}`;
      }
      break;
    }
    case 'length': {
      const len = typeof value === 'string' ? utf8Length(value) : value instanceof Uint8Array ? value.byteLength : undefined;
      if (len !== undefined && (len < range.min || len > range.max)) {
        problem = `length ${len} is outside ${range.min}..${range.max} bytes`;
      }
      break;
    }
    case 'enum': {
      const v = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') {
        const ok = range.values.some((e) => sameEnumValue(e, v));
        if (!ok) problem = `${String(v)} is not one of ${range.values.join(', ')}`;
      }
      break;
    }
  }
  if (problem !== undefined) throw new CodecError(`${path.toString()}: ${problem}`);
}

function sameEnumValue(e: number | string, v: string | number | bigint): boolean {
  if (typeof e === 'string' || typeof v === 'string') return e === v;
  if (typeof v === 'number') return e === v;
  return Number.isInteger(e) && BigInt(e) === v;
}
