import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ObjectLink, ResourceValue, ValueType } from '../model/resource-type.ts';
import { payloadPath } from './paths.ts';
import { checkRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';
import {
  checkRange,
  encodeType,
  formatObjlnk,
  fromBoolean,
  fromBytes,
  fromNumber,
  fromObjlnk,
  fromTaggedTime,
  fromText,
  parseObjlnk,
  timeSeconds,
} from './values.ts';

/**
 * One SenML record as written (RFC 8428 4.1, 4.5), the fields LwM2M uses plus the rest of RFC 8428's
 * base fields. `vlo` is LwM2M's object link value (LwM2M Core 7.4.5); `vTime` marks a value a CBOR
 * peer tagged as an epoch time (tag 1).
 */
export interface SenmlRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  bv?: number;
  bs?: number;
  bver?: number;
  n?: string;
  u?: string;
  v?: number | bigint;
  vs?: string;
  vb?: boolean;
  vd?: Uint8Array;
  vlo?: string;
  s?: number;
  t?: number;
  ut?: number;
  vTime?: boolean;
}

/** A record's value after resolution; `time` marks a CBOR-tagged epoch time. */
export type SenmlValue =
  | { readonly kind: 'v'; readonly value: number | bigint; readonly time?: boolean }
  | { readonly kind: 'vs'; readonly value: string }
  | { readonly kind: 'vb'; readonly value: boolean }
  | { readonly kind: 'vd'; readonly value: Uint8Array }
  | { readonly kind: 'vlo'; readonly value: string };

/** A resolved record (RFC 8428 4.6): base fields folded into name, time, unit, value and sum. */
export interface ResolvedSenml {
  readonly name: string;
  readonly time?: number;
  readonly unit?: string;
  readonly value?: SenmlValue;
  readonly sum?: number;
  readonly updateTime?: number;
}

/** The SenML version this implementation understands (RFC 8428 4.4). */
export const SENML_VERSION = 10;
/** Times below 2^28 are relative to "now" (RFC 8428 4.5.3). */
export const RELATIVE_TIME_LIMIT = 2 ** 28;

/**
 * Resolves a pack (RFC 8428 4.6): base name, time, unit, value and sum carry over to following
 * records until replaced; name = bn + n, time = bt + t, value = bv + v, sum = bs + s. A record may
 * hold at most one value field. With `now` (seconds), resolved times below 2^28 - relative times -
 * become now + time; without it times are returned as written.
 */
export function resolveSenml(pack: readonly SenmlRecord[], now?: number): ResolvedSenml[] {
  const out: ResolvedSenml[] = [];
  let bn = '';
  let bt: number | undefined;
  let bu: string | undefined;
  let bv: number | undefined;
  let bs: number | undefined;
  for (let i = 0; i < pack.length; i++) {
    const r = pack[i]!;
    if (r.bver !== undefined && (!Number.isInteger(r.bver) || r.bver > SENML_VERSION || r.bver < 1)) {
      throw new CodecError(`SenML record ${i}: version ${r.bver} is not supported (this reader knows ${SENML_VERSION})`);
    }
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bu !== undefined) bu = r.bu;
    if (r.bv !== undefined) bv = r.bv;
    if (r.bs !== undefined) bs = r.bs;
    const name = r.n === undefined ? bn : bn + r.n;
    if (name === '') throw new CodecError(`SenML record ${i} has no name`);
    let time: number | undefined;
    if (r.t !== undefined || bt !== undefined) {
      time = (bt ?? 0) + (r.t ?? 0);
      if (!Number.isFinite(time)) throw new CodecError(`SenML record ${i}: time is not finite`);
      if (now !== undefined && time < RELATIVE_TIME_LIMIT) time += now;
    }
    let value: SenmlValue | undefined;
    let count = 0;
    if (r.v !== undefined) {
      count++;
      value = { kind: 'v', value: addBase(r.v, bv), time: r.vTime === true };
    }
    if (r.vs !== undefined) {
      count++;
      value = { kind: 'vs', value: r.vs };
    }
    if (r.vb !== undefined) {
      count++;
      value = { kind: 'vb', value: r.vb };
    }
    if (r.vd !== undefined) {
      count++;
      value = { kind: 'vd', value: r.vd };
    }
    if (r.vlo !== undefined) {
      count++;
      value = { kind: 'vlo', value: r.vlo };
    }
    if (count > 1) throw new CodecError(`SenML record ${i} (${name}) has ${count} value fields, at most one is allowed`);
    const sum = r.s !== undefined ? r.s + (bs ?? 0) : undefined;
    const unit = r.u ?? bu;
    const rec: { -readonly [K in keyof ResolvedSenml]: ResolvedSenml[K] } = { name };
    if (time !== undefined) rec.time = time;
    if (unit !== undefined) rec.unit = unit;
    if (value !== undefined) rec.value = value;
    if (sum !== undefined) rec.sum = sum;
    if (r.ut !== undefined) rec.updateTime = r.ut;
    out.push(rec);
  }
  return out;
}

function addBase(v: number | bigint, bv: number | undefined): number | bigint {
  if (bv === undefined || bv === 0) return v;
  if (typeof v === 'number') return v + bv;
  return Number.isInteger(bv) ? v + BigInt(bv) : Number(v) + bv;
}

/**
 * Checks that a record's time can be written as an absolute SenML / OMA JSON time: times below 2^28
 * (before 1978-07-04) would read as relative to "now" (RFC 8428 4.5.3), so they are CodecErrors.
 */
export function checkAbsoluteTime(r: LwM2mRecord): void {
  if (r.time !== undefined && r.time < RELATIVE_TIME_LIMIT) {
    throw new CodecError(`${r.path.toString()}: time ${r.time} is below 2^28 and would read as relative (RFC 8428 4.5.3)`);
  }
}

/**
 * Maps resolved SenML records to LwM2M records (LwM2M Core 7.4.4/7.4.5): names are paths; values are
 * typed by the resource definitions (or kept as SenML declares them: v -> number/bigint, vs -> string,
 * vb -> boolean, vd -> bytes, vlo -> object link, a CBOR-tagged time -> Date) and range-checked;
 * every path must lie under `basePath`; one value per path and time.
 */
export function senmlToRecords(resolved: readonly ResolvedSenml[], basePath: LwM2mPath, resolver: ResourceResolver): LwM2mRecord[] {
  const out: LwM2mRecord[] = [];
  for (const r of resolved) {
    const path = payloadPath(r.name);
    if (r.value === undefined) {
      throw new CodecError(`${r.name}: SenML record has no value${r.sum !== undefined ? ' (a sum is not an LwM2M value)' : ''}`);
    }
    if (!path.startsWith(basePath)) throw new CodecError(`${path.toString()} is outside the request path ${basePath.toString()}`);
    const res = resolver.forValue(path);
    const v = r.value;
    let value: ResourceValue;
    switch (v.kind) {
      case 'v':
        value = v.time === true ? fromTaggedTime(res, path, v.value) : fromNumber(res, path, v.value);
        break;
      case 'vs':
        value = fromText(res, path, v.value);
        break;
      case 'vb':
        value = fromBoolean(res, path, v.value);
        break;
      case 'vd':
        value = fromBytes(res, path, v.value);
        break;
      case 'vlo':
        value = fromObjlnk(res, path, parseObjlnk(v.value, path));
        break;
    }
    checkRange(res, path, value);
    out.push(r.time === undefined ? { path, value } : { path, value, time: r.time });
  }
  checkRecords(out, basePath, true);
  return out;
}

/**
 * The paths of a path-only pack (Read-Composite / Observe-Composite request body, LwM2M Core 5.4.5):
 * records with a name and nothing else; values or times are CodecErrors. Any depth, root included.
 */
export function senmlToPaths(resolved: readonly ResolvedSenml[]): LwM2mPath[] {
  const seen = new Set<string>();
  return resolved.map((r) => {
    if (r.value !== undefined || r.sum !== undefined || r.time !== undefined) {
      throw new CodecError(`${r.name}: a path-only SenML record carries a value or time`);
    }
    const p = payloadPath(r.name);
    if (seen.has(p.toString())) throw new CodecError(`${p.toString()} is listed twice`);
    seen.add(p.toString());
    return p;
  });
}

/**
 * How an encoder names records (LwM2M Core 7.4.4 examples): for a request on a path, the first
 * record carries that path as base name - "/3/0/" with relative names "0", "6/1" below it, or the
 * path itself with no names when every record is that path (a single resource or a time series of
 * it); composite payloads (root) give every record its full path as name.
 */
export class SenmlNaming {
  readonly baseName: string | undefined;
  readonly #cut: number;
  readonly #mode: 'full' | 'none' | 'relative';

  constructor(records: readonly LwM2mRecord[], basePath: LwM2mPath) {
    if (basePath.isRoot()) {
      this.baseName = undefined;
      this.#mode = 'full';
      this.#cut = 0;
      return;
    }
    const base = basePath.toString();
    if (records.every((r) => r.path.ids.length === basePath.ids.length)) {
      this.baseName = base;
      this.#mode = 'none';
      this.#cut = 0;
    } else {
      this.baseName = base + '/';
      this.#mode = 'relative';
      this.#cut = base.length + 1;
    }
  }

  name(r: LwM2mRecord): string | undefined {
    if (this.#mode === 'none') return undefined;
    const full = r.path.toString();
    return this.#mode === 'full' ? full : full.slice(this.#cut);
  }
}

/**
 * The SenML value field and JS value an LwM2M value is written as (LwM2M Core 7.4.4 Table 7.4.4-2).
 * `taggedTime` marks a Time value written without a definition: SenML CBOR tags it (tag 1) so that a
 * receiver without definitions gets a time back, not a number; with a definition it is a plain
 * integer, as in the specification's examples.
 */
export function senmlValue(
  r: LwM2mRecord,
  resolver: ResourceResolver,
):
  | { kind: 'v'; value: number | bigint; float: boolean; taggedTime: boolean }
  | { kind: 'vs' | 'vlo'; value: string }
  | { kind: 'vb'; value: boolean }
  | { kind: 'vd'; value: Uint8Array } {
  const res = resolver.lookup(r.path);
  const type: ValueType = encodeType(res, r.value, r.path);
  switch (type) {
    case 'string':
    case 'corelnk':
      return { kind: 'vs', value: r.value as string };
    case 'integer':
    case 'unsigned':
      return { kind: 'v', value: r.value as number | bigint, float: false, taggedTime: false };
    case 'float':
      return { kind: 'v', value: r.value as number, float: true, taggedTime: false };
    case 'time':
      // A Time of a resource the receiver may not know is tagged (CBOR tag 1) where the format can say so.
      return { kind: 'v', value: timeSeconds(r.value), float: false, taggedTime: res === undefined };
    case 'boolean':
      return { kind: 'vb', value: r.value as boolean };
    case 'opaque':
      return { kind: 'vd', value: r.value as Uint8Array };
    case 'objlnk':
      return { kind: 'vlo', value: formatObjlnk(r.value as ObjectLink) };
  }
}
