import type { RangeConstraint } from './object-definition.ts';
import type { ResourceType } from './resource-type.ts';

/**
 * RangeEnumeration texts of OMA DDF files (LwM2M Core Appendix D.1, the registry's LWM2M.xsd):
 * parsing into a machine-checkable RangeConstraint, applying a constraint to a value, and
 * printing one. The registry's texts are free-form ("0..7", "0-7", "1..255 bytes", "6 bytes",
 * "0,1,2", "ON;OFF", "8-Bits", prose); a text this module cannot read with certainty is left
 * unparsed, so that a range check never rejects a value the specification allows.
 */

const NUM = String.raw`[-+]?(?:\d+(?:\.\d+)?|\.\d+)`;
const RANGE_RE = new RegExp(String.raw`^(${NUM})\s*(?:\.\.\.?|-|–|\bto\b)\s*(${NUM})$`, 'i');
const NUMBER_RE = new RegExp(`^${NUM}$`);
const BYTES_SUFFIX_RE = /\s*\bbytes?$/i;
const WORD_RE = /^[A-Za-z_][\w.+-]*$/;
/** Integer enumerations given as ranges ("0..3, 99") are expanded only up to this many values. */
const MAX_EXPANDED_ENUM = 1024;

type Bound = number | bigint;

function parseNumber(text: string): Bound {
  const t = text.startsWith('+') ? text.slice(1) : text;
  if (/^-?\d+$/.test(t)) {
    const big = BigInt(t);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return Number(t);
}

function isIntegral(b: Bound): boolean {
  return typeof b === 'bigint' || Number.isInteger(b);
}

/** Reads "a..b" / "a-b" / "a...b" / "a to b"; a reversed range ("-30..-120") is read as written backwards. */
function parseInterval(text: string): [Bound, Bound] | undefined {
  const m = RANGE_RE.exec(text);
  if (m === null) return undefined;
  const a = parseNumber(m[1]!);
  const b = parseNumber(m[2]!);
  return a <= b ? [a, b] : [b, a];
}

function lengthConstraint(min: Bound, max: Bound): RangeConstraint | undefined {
  if (!isIntegral(min) || !isIntegral(max) || min < 0) return undefined;
  const lo = Number(min);
  const hi = Number(max);
  if (!Number.isSafeInteger(hi)) return undefined;
  return { kind: 'length', min: lo, max: hi };
}

function parseLength(body: string, hasBytes: boolean): RangeConstraint | undefined {
  const interval = parseInterval(body);
  if (interval !== undefined) return lengthConstraint(interval[0], interval[1]);
  // A single size: the registry uses it both for exact sizes (SMS Binding Key Parameters, "6 bytes")
  // and for maxima (Data Description, "32 bytes"), so only the upper bound is certain.
  if (hasBytes && NUMBER_RE.test(body)) return lengthConstraint(0, parseNumber(body));
  return undefined;
}

function splitList(body: string): string[] | undefined {
  const items = body.split(/\s*[,;]\s*|\s+or\s+/i);
  if (items.length < 2 || items.some((s) => s === '')) return undefined;
  return items;
}

function parseNumericEnum(body: string, integer: boolean): RangeConstraint | undefined {
  const items = splitList(body);
  if (items === undefined) return undefined;
  const values: number[] = [];
  for (const item of items) {
    if (NUMBER_RE.test(item)) {
      const v = parseNumber(item);
      if (typeof v === 'bigint' || (integer && !Number.isInteger(v))) return undefined;
      values.push(v);
      continue;
    }
    const interval = integer ? parseInterval(item) : undefined;
    if (interval === undefined) return undefined;
    const [lo, hi] = interval;
    if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isInteger(lo) || !Number.isInteger(hi)) return undefined;
    if (hi - lo + values.length >= MAX_EXPANDED_ENUM) return undefined;
    for (let v = lo; v <= hi; v++) values.push(v);
  }
  return { kind: 'enum', values: [...new Set(values)] };
}

function parseWordEnum(body: string): RangeConstraint | undefined {
  const items = splitList(body);
  if (items?.every((s) => WORD_RE.test(s)) !== true) return undefined;
  return { kind: 'enum', values: items };
}

/**
 * Parses a RangeEnumeration text for a resource of `type` (LwM2M Core Appendix D.1). Returns
 * undefined for an empty text and for texts that are not machine-checkable for that type; callers
 * keep the text itself in `ResourceDefinition.rangeText` in every case.
 *
 * - integer / unsigned / float / time: "min..max" (also "min-max", "min...max"; bounds beyond
 *   2^53 become bigint) -> numeric; a list of numbers ("0,1,2", "5, 10, 15", integer sub-ranges
 *   as in "0..3, 99" are expanded) -> enum.
 * - string / corelnk / opaque: "min..max" with or without "bytes" -> length in bytes (UTF-8 for
 *   strings); "N bytes" -> length 0..N. string / corelnk also take a list of words ("ON;OFF") as enum.
 * - boolean / objlnk / none: never constrained.
 */
export function parseRange(text: string, type: ResourceType): RangeConstraint | undefined {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '') return undefined;
  const hasBytes = BYTES_SUFFIX_RE.test(trimmed);
  const body = hasBytes ? trimmed.replace(BYTES_SUFFIX_RE, '') : trimmed;
  switch (type) {
    case 'integer':
    case 'unsigned':
    case 'time':
    case 'float': {
      if (hasBytes) return undefined;
      const integer = type !== 'float';
      const interval = parseInterval(body);
      if (interval !== undefined) return { kind: 'numeric', min: interval[0], max: interval[1] };
      return parseNumericEnum(body, integer);
    }
    case 'string':
    case 'corelnk':
      return parseLength(body, hasBytes) ?? (hasBytes ? undefined : parseWordEnum(body));
    case 'opaque':
      return parseLength(body, hasBytes);
    case 'boolean':
    case 'objlnk':
    case 'none':
      return undefined;
  }
}

/** True when a constraint of this kind can be checked against values of `type`. */
export function rangeAppliesTo(range: RangeConstraint, type: ResourceType): boolean {
  switch (range.kind) {
    case 'numeric':
      return type === 'integer' || type === 'unsigned' || type === 'float' || type === 'time';
    case 'length':
      return type === 'string' || type === 'corelnk' || type === 'opaque';
    case 'enum':
      return range.values.every((v) => typeof v === 'number')
        ? type === 'integer' || type === 'unsigned' || type === 'float' || type === 'time'
        : type === 'string' || type === 'corelnk';
  }
}

/** Prints a constraint in RangeEnumeration style: "0..7", "0..255 bytes", "0,1,2". */
export function formatRange(range: RangeConstraint): string {
  switch (range.kind) {
    case 'numeric':
      return `${String(range.min)}..${String(range.max)}`;
    case 'length':
      return `${range.min}..${range.max} bytes`;
    case 'enum':
      return range.values.map(String).join(',');
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Checks a value (already of the right JS type for its resource type) against a constraint.
 * Returns a human-readable reason when the value is outside, undefined when it is inside or the
 * constraint does not apply to this kind of value. Time values compare as seconds.
 */
export function rangeProblem(range: RangeConstraint, value: unknown): string | undefined {
  switch (range.kind) {
    case 'numeric': {
      const n = numericOf(value);
      if (n === undefined) return undefined;
      if (typeof n === 'number' && Number.isNaN(n)) return `NaN is outside the range ${formatRange(range)}`;
      return n < range.min || n > range.max ? `${String(n)} is outside the range ${formatRange(range)}` : undefined;
    }
    case 'length': {
      const len =
        typeof value === 'string' ? utf8Length(value) : value instanceof Uint8Array ? value.byteLength : undefined;
      if (len === undefined) return undefined;
      return len < range.min || len > range.max ? `length ${len} bytes is outside ${formatRange(range)}` : undefined;
    }
    case 'enum': {
      if (typeof value === 'string') {
        return range.values.includes(value) ? undefined : `${JSON.stringify(value)} is not one of ${formatRange(range)}`;
      }
      const n = numericOf(value);
      if (n === undefined) return undefined;
      return range.values.some((v) => typeof v === 'number' && sameNumber(v, n))
        ? undefined
        : `${String(n)} is not one of ${formatRange(range)}`;
    }
  }
}

function numericOf(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  return undefined;
}

function sameNumber(a: number, b: number | bigint): boolean {
  if (typeof b === 'number') return a === b;
  return Number.isInteger(a) && BigInt(a) === b;
}
