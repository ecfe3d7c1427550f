/**
 * The shell's value options, as the seed's `read`/`write` take them: -x hex stream (read default),
 * -s string, -b bool (1/0), -uX / -sX unsigned / signed X-bit integers (X = 8, 16, 32, 64), -f float,
 * -t time (seconds since 1970). Values are checked against the resource's type (LwM2M Core Appendix C)
 * so a mismatch gets a clear message rather than a reinterpreted buffer.
 */
import { type ResourceInput, type ResourceValue, type ValueType } from '../../model/resource-type.ts';
import { UsageError } from '../errors.ts';

export type ValueOption =
  | { readonly kind: 'hex' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'float' }
  | { readonly kind: 'time' }
  | { readonly kind: 'uint' | 'int'; readonly bits: 8 | 16 | 32 | 64 };

export const READ_OPTIONS_HELP = '-x, -s, -b, -u8/-u16/-u32/-u64, -s8/-s16/-s32/-s64, -f or -t';
export const WRITE_OPTIONS_HELP = '-s, -b, -u8/-u16/-u32/-u64, -s8/-s16/-s32/-s64, -f or -t';

/** Whether a word is a value option (so `write PATH -5` is not mistaken for one). */
export function isValueOption(word: string): boolean {
  return /^-(x|s|b|f|t|[us](8|16|32|64))$/.test(word);
}

/** Parses a value option; `-x` only for reads. */
export function parseValueOption(word: string, mode: 'read' | 'write'): ValueOption {
  const m = /^-([us])(8|16|32|64)$/.exec(word);
  if (m !== null) return { kind: m[1] === 'u' ? 'uint' : 'int', bits: Number(m[2]) as 8 | 16 | 32 | 64 };
  switch (word) {
    case '-x':
      if (mode === 'read') return { kind: 'hex' };
      break;
    case '-s':
      return { kind: 'string' };
    case '-b':
      return { kind: 'bool' };
    case '-f':
      return { kind: 'float' };
    case '-t':
      return { kind: 'time' };
  }
  throw new UsageError(`unknown option '${word}' (${mode} takes ${mode === 'read' ? READ_OPTIONS_HELP : WRITE_OPTIONS_HELP})`);
}

function range(option: { kind: 'uint' | 'int'; bits: number }): [bigint, bigint] {
  const b = BigInt(option.bits);
  return option.kind === 'uint' ? [0n, (1n << b) - 1n] : [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n];
}

function optionName(option: ValueOption): string {
  switch (option.kind) {
    case 'uint':
      return `-u${option.bits}`;
    case 'int':
      return `-s${option.bits}`;
    case 'hex':
      return '-x';
    case 'string':
      return '-s';
    case 'bool':
      return '-b';
    case 'float':
      return '-f';
    case 'time':
      return '-t';
  }
}

/** The option that reads or writes a type as itself. */
function optionFor(type: ValueType, mode: 'read' | 'write'): string {
  switch (type) {
    case 'string':
    case 'corelnk':
      return '-s';
    case 'integer':
      return '-s64 (or -s8/-s16/-s32)';
    case 'unsigned':
      return '-u64 (or -u8/-u16/-u32)';
    case 'float':
      return '-f';
    case 'boolean':
      return '-b';
    case 'time':
      return '-t';
    case 'opaque':
      return mode === 'read' ? '-x or -s' : '-s (UTF-8 text), or no option with 0xHEX';
    case 'objlnk':
      return mode === 'read' ? '-x or -s' : 'no option (OID:IID)';
  }
}

function mismatch(path: string, type: ValueType, option: ValueOption, mode: 'read' | 'write'): UsageError {
  return new UsageError(`${path} is a${/^[aeiou]/.test(type) ? 'n' : ''} ${type} resource, not for ${optionName(option)}: ${mode} it with ${optionFor(type, mode)}${mode === 'write' ? ' or without an option' : ''}`);
}

// --- read ---------------------------------------------------------------------------------------

function integerBytes(v: bigint, unsigned: boolean): Uint8Array {
  for (const n of [1, 2, 4, 8]) {
    const bits = BigInt(n * 8);
    const fits = unsigned ? v >= 0n && v < 1n << bits : v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n);
    if (fits || n === 8) {
      const out = new Uint8Array(n);
      let x = BigInt.asUintN(n * 8, v);
      for (let i = n - 1; i >= 0; i--) {
        out[i] = Number(x & 0xffn);
        x >>= 8n;
      }
      return out;
    }
  }
  return new Uint8Array(0);
}

/**
 * The bytes `-x` shows: UTF-8 for strings, the bytes of opaque, big-endian two's complement in the
 * fewest of 1/2/4/8 bytes for integers, an IEEE 754 double for floats, one byte for booleans, 8-byte
 * seconds for time, 2+2 bytes for an object link (the TLV value forms, LwM2M Core 7.4.3).
 */
export function valueBytes(value: ResourceValue, type: ValueType): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (typeof value === 'boolean') return Uint8Array.of(value ? 1 : 0);
  if (value instanceof Date) return eight(BigInt(Math.floor(value.getTime() / 1000)));
  if (typeof value === 'number' && type === 'float') {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, value);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return integerBytes(BigInt(value), type === 'unsigned');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint16(0, value.oid);
  new DataView(out.buffer).setUint16(2, value.iid);
  return out;
}

function eight(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v);
  return out;
}

/** A hex dump: 16 bytes a line, offset, hex, printable ASCII. */
export function hexdump(bytes: Uint8Array): string {
  if (bytes.length === 0) return '(0 bytes)';
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}: ${hex.padEnd(47)} |${ascii}|`);
  }
  return lines.join('\n');
}

/** Formats a value for `read` with an option; throws UsageError when the option does not fit the type. */
export function formatRead(value: ResourceValue, type: ValueType, option: ValueOption, path: string): string {
  switch (option.kind) {
    case 'hex':
      return hexdump(valueBytes(value, type));
    case 'string':
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array) return new TextDecoder().decode(value);
      if (type === 'objlnk' && typeof value === 'object' && !(value instanceof Date)) return `${value.oid}:${value.iid}`;
      break;
    case 'bool':
      if (typeof value === 'boolean') return value ? '1' : '0';
      break;
    case 'float':
      if (type === 'float' && typeof value === 'number') return String(value);
      break;
    case 'time':
      if (value instanceof Date) return String(Math.floor(value.getTime() / 1000));
      break;
    case 'uint':
    case 'int':
      if ((type === 'integer' || type === 'unsigned') && (typeof value === 'number' || typeof value === 'bigint')) {
        const v = BigInt(value);
        const [lo, hi] = range(option);
        if (v < lo || v > hi) throw new UsageError(`${path} holds ${v}, which does not fit ${optionName(option)} (${lo}..${hi})`);
        return v.toString();
      }
      break;
  }
  throw mismatch(path, type, option, 'read');
}

// --- write --------------------------------------------------------------------------------------

const INTEGER = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

function parseFloatText(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  if (/^[-+]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return undefined;
}

function parseBool(text: string): boolean | undefined {
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  return undefined;
}

function integerIn(text: string, lo: bigint, hi: bigint, what: string): bigint {
  if (!INTEGER.test(text)) throw new UsageError(`invalid number '${text}'`);
  const v = BigInt(text);
  if (v < lo || v > hi) throw new UsageError(`${text} is outside the ${what} range ${lo}..${hi}`);
  return v;
}

function asNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A value typed as its resource wants it, from plain text (no option): see `parseWrite`. */
function parseByType(text: string, type: ValueType): ResourceInput {
  switch (type) {
    case 'string':
    case 'corelnk':
      return text;
    case 'integer':
      return asNumber(integerIn(text, -(1n << 63n), (1n << 63n) - 1n, 'integer'));
    case 'unsigned':
      return asNumber(integerIn(text, 0n, (1n << 64n) - 1n, 'unsigned'));
    case 'float': {
      const f = parseFloatText(text);
      if (f === undefined) throw new UsageError(`invalid float '${text}'`);
      return f;
    }
    case 'boolean': {
      const b = parseBool(text);
      if (b === undefined) throw new UsageError(`invalid boolean '${text}' (1, 0, true or false)`);
      return b;
    }
    case 'opaque':
      if (/^0x([0-9a-fA-F]{2})*$/.test(text)) return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
      return new TextEncoder().encode(text);
    case 'time': {
      if (INTEGER.test(text)) return asNumber(BigInt(text));
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new UsageError(`invalid time '${text}' (seconds since 1970 or an ISO 8601 date)`);
      return new Date(Math.floor(ms / 1000) * 1000);
    }
    case 'objlnk': {
      const m = /^([0-9]{1,5}):([0-9]{1,5})$/.exec(text);
      if (m === null) throw new UsageError(`invalid object link '${text}' (OID:IID, e.g. 3:0)`);
      return { oid: Number(m[1]), iid: Number(m[2]) };
    }
  }
}

/**
 * Turns the text of `write` into a value for a resource of `type`. Without an option the text is
 * read as the type (integers in decimal, booleans 1/0/true/false, opaque as 0xHEX or UTF-8 text,
 * time as seconds or an ISO date, object links as OID:IID); with one, the option must fit the type.
 */
export function parseWrite(text: string, type: ValueType, option: ValueOption | undefined, path: string): ResourceInput {
  if (option === undefined) return parseByType(text, type);
  switch (option.kind) {
    case 'string':
      if (type === 'string' || type === 'corelnk') return text;
      if (type === 'opaque') return new TextEncoder().encode(text);
      break;
    case 'bool':
      if (type === 'boolean') {
        const b = parseBool(text);
        if (b === undefined) throw new UsageError(`invalid boolean '${text}' (1, 0, true or false)`);
        return b;
      }
      break;
    case 'float':
      if (type === 'float') return parseByType(text, type);
      break;
    case 'time':
      if (type === 'time') {
        if (!INTEGER.test(text)) throw new UsageError(`invalid number '${text}' (-t takes seconds since 1970)`);
        return asNumber(BigInt(text));
      }
      break;
    case 'uint':
    case 'int':
      if (type === 'integer' || type === 'unsigned') {
        const [lo, hi] = range(option);
        return asNumber(integerIn(text, lo, hi, optionName(option)));
      }
      break;
    case 'hex':
      break;
  }
  throw mismatch(path, type, option, 'write');
}
