import { CodecError, ValueError } from '../errors.ts';
import type { RangeConstraint, ResourceDefinition } from './object-definition.ts';
import { rangeProblem } from './range.ts';

/**
 * LwM2M resource data types (LwM2M Core Appendix C) and the JS value each one takes.
 * 'none' is the type of executable resources.
 */
export const RESOURCE_TYPES = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
  'none',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** An Objlnk value: object id and instance id (65535:65535 is the "no link" value). */
export interface ObjectLink {
  readonly oid: number;
  readonly iid: number;
}

/**
 * The JS type of each resource type. Integers are `number` while safe (|v| <= 2^53-1), `bigint`
 * beyond (64-bit range). Time is a `Date` (whole seconds on the wire).
 */
export interface ResourceValueMap {
  string: string;
  integer: number | bigint;
  unsigned: number | bigint;
  float: number;
  boolean: boolean;
  opaque: Uint8Array;
  time: Date;
  objlnk: ObjectLink;
  corelnk: string;
  none: never;
}

export type ValueType = Exclude<ResourceType, 'none'>;

/** Any value a resource (instance) can hold. */
export type ResourceValue = ResourceValueMap[ValueType];

// ---------------------------------------------------------------------------------------------
// Value checking and coercion (LwM2M Core Appendix C), equality and formatting.
// ---------------------------------------------------------------------------------------------

/** Smallest and largest LwM2M Integer (signed 64-bit, LwM2M Core Appendix C). */
export const INT64_MIN = -(2n ** 63n);
/** Largest LwM2M Integer, 2^63-1. */
export const INT64_MAX = 2n ** 63n - 1n;
/** Largest LwM2M Unsigned Integer (unsigned 64-bit, LwM2M 1.1). */
export const UINT64_MAX = 2n ** 64n - 1n;
/** Object and instance ids of an Objlnk are 16-bit; 65535:65535 is the "no link" value. */
export const OBJLNK_MAX_ID = 65535;
/** Objlnk value that points to no instance (LwM2M Core Appendix C). */
export const NULL_OBJLNK: ObjectLink = Object.freeze({ oid: OBJLNK_MAX_ID, iid: OBJLNK_MAX_ID });

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** A JS Date holds at most +-8.64e15 ms (ECMA-262 21.4.1.1), i.e. +-8.64e12 s. */
const MAX_DATE_SECONDS = 8_640_000_000_000;

/**
 * What the application may pass for each type (`client.set()`): integers as number or bigint,
 * Time as a Date or as seconds since the Unix epoch (number or bigint).
 */
export interface ResourceInputMap {
  string: string;
  integer: number | bigint;
  unsigned: number | bigint;
  float: number;
  boolean: boolean;
  opaque: Uint8Array;
  time: Date | number | bigint;
  objlnk: ObjectLink;
  corelnk: string;
  none: never;
}

/** Any value the application may pass for a resource (instance). */
export type ResourceInput = ResourceInputMap[ValueType];

/** True for the nine types that carry a value (everything but 'none'). */
export function isValueType(type: string): type is ValueType {
  return type !== 'none' && (RESOURCE_TYPES as readonly string[]).includes(type);
}

/** Returns a 64-bit integer as a number when it is a safe integer, else as the bigint itself. */
export function normalizeInteger(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** Reports a problem with a value by throwing the caller's error class. */
type Fail = (problem: string) => never;

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (input instanceof Date) return 'a Date';
  if (input instanceof Uint8Array) return 'a Uint8Array';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'string') return `the string ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)}`;
  if (typeof input === 'number' || typeof input === 'bigint' || typeof input === 'boolean') {
    return `${typeof input} ${String(input)}`;
  }
  return typeof input === 'object' ? 'an object' : typeof input;
}

function integerValue(input: unknown, min: bigint, max: bigint, label: string, fail: Fail): number | bigint {
  let big: bigint;
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return fail(`${label} expects an integer, got ${describeInput(input)}`);
    if (Number.isSafeInteger(input)) {
      if (input < min || input > max) return fail(`${String(input)} is outside the ${label} range ${min}..${max}`);
      return input === 0 ? 0 : input; // -0 -> 0: integers have no negative zero
    }
    big = BigInt(input);
  } else if (typeof input === 'bigint') {
    big = input;
  } else {
    return fail(`${label} expects a number or bigint, got ${describeInput(input)}`);
  }
  if (big < min || big > max) return fail(`${big} is outside the ${label} range ${min}..${max}`);
  return normalizeInteger(big);
}

function timeValue(input: unknown, fail: Fail): Date {
  if (input instanceof Date) {
    return Number.isNaN(input.getTime()) ? fail('time expects a valid Date, got an invalid Date') : input;
  }
  let seconds: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail(`time expects finite seconds, got ${describeInput(input)}`);
    seconds = input;
  } else if (typeof input === 'bigint') {
    if (input < -BigInt(MAX_DATE_SECONDS) || input > BigInt(MAX_DATE_SECONDS)) {
      return fail(`time ${input} s is beyond the range of a Date`);
    }
    seconds = Number(input);
  } else {
    return fail(`time expects a Date or seconds since 1970, got ${describeInput(input)}`);
  }
  if (Math.abs(seconds) > MAX_DATE_SECONDS) return fail(`time ${String(seconds)} s is beyond the range of a Date`);
  return new Date(seconds * 1000);
}

function objlnkId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= OBJLNK_MAX_ID;
}

function objlnkValue(input: unknown, fail: Fail): ObjectLink {
  if (typeof input !== 'object' || input === null || input instanceof Uint8Array || input instanceof Date) {
    return fail(`objlnk expects {oid, iid}, got ${describeInput(input)}`);
  }
  const { oid, iid } = input as { oid?: unknown; iid?: unknown };
  if (!objlnkId(oid) || !objlnkId(iid)) {
    return fail(`objlnk ids are integers 0..${OBJLNK_MAX_ID}, got oid ${String(oid)} iid ${String(iid)}`);
  }
  return { oid, iid };
}

/** A string with a lone UTF-16 surrogate cannot be encoded as UTF-8 without loss. */
const LONE_SURROGATE = /\p{Cs}/u;

function stringValue(input: unknown, label: string, fail: Fail): string {
  if (typeof input !== 'string') return fail(`${label} expects a string, got ${describeInput(input)}`);
  if (LONE_SURROGATE.test(input)) return fail(`${label} contains a lone UTF-16 surrogate, not encodable as UTF-8`);
  return input;
}

/**
 * The core check behind `coerceValue` and `checkWireValue`: returns the canonical value (integers
 * as number when safe else bigint, Time as Date, Objlnk as a fresh {oid, iid}) or calls `fail`.
 */
function canonical(type: ValueType, input: unknown, range: RangeConstraint | undefined, fail: Fail): ResourceValue {
  let value: ResourceValue;
  switch (type) {
    case 'string':
    case 'corelnk':
      value = stringValue(input, type, fail);
      break;
    case 'integer':
      value = integerValue(input, INT64_MIN, INT64_MAX, 'integer', fail);
      break;
    case 'unsigned':
      value = integerValue(input, 0n, UINT64_MAX, 'unsigned', fail);
      break;
    case 'float':
      value = typeof input === 'number' ? input : fail(`float expects a number, got ${describeInput(input)}`);
      break;
    case 'boolean':
      value = typeof input === 'boolean' ? input : fail(`boolean expects true or false, got ${describeInput(input)}`);
      break;
    case 'opaque':
      value = input instanceof Uint8Array ? input : fail(`opaque expects a Uint8Array, got ${describeInput(input)}`);
      break;
    case 'time':
      value = timeValue(input, fail);
      break;
    case 'objlnk':
      value = objlnkValue(input, fail);
      break;
  }
  if (range !== undefined) {
    const problem = rangeProblem(range, value);
    if (problem !== undefined) fail(problem);
  }
  return value;
}

class ProblemSignal extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

const signalProblem: Fail = (problem) => {
  throw new ProblemSignal(problem);
};

/**
 * The non-throwing form of `coerceValue`: undefined when `input` is an acceptable value of `type`
 * (within `range`), else the reason.
 */
export function valueProblem(type: ValueType, input: unknown, range?: RangeConstraint): string | undefined {
  try {
    canonical(type, input, range, signalProblem);
    return undefined;
  } catch (e) {
    if (e instanceof ProblemSignal) return e.problem;
    throw e;
  }
}

/** Where a value is going, for error messages. */
export interface ValueCheckOptions {
  /** The definition's constraint, checked after the type. */
  readonly range?: RangeConstraint | undefined;
  /** Path (or other label) named in the error message. */
  readonly path?: string | undefined;
}

const failValue: Fail = (problem) => {
  throw new ValueError(problem);
};

const failWire: Fail = (problem) => {
  throw new CodecError(problem);
};

function messageOf(problem: string, path: string | undefined): string {
  return path === undefined ? problem : `${path}: ${problem}`;
}

/**
 * Checks and normalises a value the application gives (`client.set()`, `create()`), per LwM2M Core
 * Appendix C: integer -2^63..2^63-1 and unsigned 0..2^64-1 as number or bigint (returned as number
 * when safe, bigint beyond 2^53), float as number (NaN and infinities allowed), boolean, Uint8Array,
 * Time as Date or seconds (returned as Date), Objlnk as {oid, iid} with 16-bit ids, strings without
 * lone surrogates; then the range. Throws `ValueError` (code 'VALUE', answers 4.00).
 */
export function coerceValue<T extends ValueType>(
  type: T,
  input: unknown,
  options?: ValueCheckOptions,
): ResourceValueMap[T] {
  const path = options?.path;
  const fail: Fail =
    path === undefined
      ? failValue
      : (problem) => {
          throw new ValueError(messageOf(problem, path));
        };
  return canonical(type, input, options?.range, fail) as ResourceValueMap[T];
}

/**
 * The same check for a value decoded from a peer's payload; throws `CodecError` (answers 4.00)
 * so a decoder never hands on a value its definition rejects.
 */
export function checkWireValue<T extends ValueType>(
  type: T,
  value: unknown,
  options?: ValueCheckOptions,
): ResourceValueMap[T] {
  const path = options?.path;
  const fail: Fail =
    path === undefined
      ? failWire
      : (problem) => {
          throw new CodecError(messageOf(problem, path));
        };
  return canonical(type, value, options?.range, fail) as ResourceValueMap[T];
}

/** Checks a value against a resource definition (type and range); throws `ValueError`. */
export function coerceResourceValue(def: ResourceDefinition, input: unknown, path?: string): ResourceValue {
  if (def.type === 'none') {
    throw new ValueError(messageOf(`resource ${def.id} (${def.name}) is executable and holds no value`, path));
  }
  return coerceValue(def.type, input, { range: def.range, path });
}

/** Guesses the type of a canonical value when no definition is at hand (logs, untyped decoders). */
export function valueTypeOf(value: ResourceValue): ValueType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? 'integer' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Uint8Array) return 'opaque';
  if (value instanceof Date) return 'time';
  return 'objlnk';
}

/**
 * Value equality for change detection (notifications, LwM2M Core 6.4.1 / 7.3): NaN equals NaN,
 * 0 equals -0, a number equals the bigint of the same value, Dates by time, opaque by bytes,
 * Objlnks by ids.
 */
export function valuesEqual(a: ResourceValue, b: ResourceValue): boolean {
  if (a === b) return true;
  if (typeof a === 'number') {
    if (typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    return typeof b === 'bigint' && Number.isInteger(a) && BigInt(a) === b;
  }
  if (typeof a === 'bigint') return typeof b === 'number' && Number.isInteger(b) && BigInt(b) === a;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.byteLength !== b.byteLength) return false;
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (b instanceof Date || b instanceof Uint8Array) return false;
  return a.oid === b.oid && a.iid === b.iid;
}

/** Options of `formatValue` / `describeValue`. */
export interface FormatOptions {
  /** Opaque values show at most this many bytes in hex (default 32), then "… (N bytes)". */
  readonly maxBytes?: number;
}

function hex(bytes: Uint8Array, maxBytes: number): string {
  const shown = bytes.byteLength > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
  const text = '0x' + Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex');
  return bytes.byteLength > maxBytes ? `${text}… (${bytes.byteLength} bytes)` : text;
}

/**
 * Plain text of a value for logs and the shell: strings as they are, numbers as JS prints them
 * (-0 as "-0"), bigints in decimal, Time as ISO 8601, opaque as hex, Objlnk as "oid:iid".
 */
export function formatValue(value: ResourceValue, options?: FormatOptions): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return hex(value, options?.maxBytes ?? 32);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return `${value.oid}:${value.iid}`;
}

/**
 * A value with its type, unambiguous in a log line: `string "abc"`, `integer 42`,
 * `opaque[3] 0x010203`, `time 2024-01-01T00:00:00.000Z (1704067200)`, `objlnk 3:0`.
 */
export function describeValue(value: ResourceValue, type?: ValueType, options?: FormatOptions): string {
  const t = type ?? valueTypeOf(value);
  if (typeof value === 'string') return `${t} ${JSON.stringify(value)}`;
  if (value instanceof Uint8Array) return `${t}[${value.byteLength}] ${hex(value, options?.maxBytes ?? 32)}`;
  if (value instanceof Date) return `${t} ${formatValue(value)} (${Math.floor(value.getTime() / 1000)})`;
  return `${t} ${formatValue(value, options)}`;
}
