import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { CborReader } from './cbor-reader.ts';
import { CborWriter } from './cbor-writer.ts';
import { checkRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';
import { checkAbsoluteTime, resolveSenml, SenmlNaming, senmlToPaths, senmlToRecords, senmlValue, type SenmlRecord } from './senml.ts';

/** SenML CBOR labels (RFC 8428 6, Table 6; IANA SenML Labels registry). */
export const SenmlLabel = {
  bver: -1,
  bn: -2,
  bt: -3,
  bu: -4,
  bv: -5,
  bs: -6,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  s: 5,
  t: 6,
  ut: 7,
  vd: 8,
} as const;

/** CBOR tag 1: epoch-based date/time (RFC 8949 3.4.2). */
const TAG_EPOCH_TIME = 1;

function readRecord(r: CborReader, index: number): SenmlRecord {
  if (r.head() !== 5) r.fail(`SenML record ${index} is not a map`);
  const count = r.count();
  const rec: SenmlRecord = {};
  let seen = 0;
  let textKeys: Set<string> | undefined;
  let otherKeys: Set<number | bigint> | undefined;
  for (let k = 0; count < 0 ? !r.takeBreak() : k < count; k++) {
    const km = r.head();
    if (km === 3) {
      const key = r.textBody();
      textKeys ??= new Set();
      if (textKeys.has(key)) r.fail(`SenML record ${index}: duplicate key "${key}"`);
      textKeys.add(key);
      if (key === 'vlo') rec.vlo = r.text();
      else if (key.endsWith('_')) throw new CodecError(`SenML record ${index}: must-understand field "${key}" is not supported`);
      else r.skip();
      continue;
    }
    if (km !== 0 && km !== 1) r.fail(`SenML record ${index}: map keys must be labels (integers) or text`);
    const label = r.intValue();
    const bit = typeof label === 'number' && label >= -6 && label <= 8 ? 1 << (label + 6) : 0;
    if (bit === 0) {
      otherKeys ??= new Set();
      if (otherKeys.has(label)) r.fail(`SenML record ${index}: duplicate label ${String(label)}`);
      otherKeys.add(label);
      r.skip();
      continue;
    }
    if ((seen & bit) !== 0) r.fail(`SenML record ${index}: duplicate label ${String(label)}`);
    seen |= bit;
    switch (label) {
      case SenmlLabel.bver:
        rec.bver = Number(r.number());
        break;
      case SenmlLabel.bn:
        rec.bn = r.text();
        break;
      case SenmlLabel.bt:
        rec.bt = Number(r.number());
        break;
      case SenmlLabel.bu:
        rec.bu = r.text();
        break;
      case SenmlLabel.bv:
        rec.bv = Number(r.number());
        break;
      case SenmlLabel.bs:
        rec.bs = Number(r.number());
        break;
      case SenmlLabel.n:
        rec.n = r.text();
        break;
      case SenmlLabel.u:
        rec.u = r.text();
        break;
      case SenmlLabel.v: {
        const m = r.head();
        if (m === 0 || m === 1) rec.v = r.intValue();
        else if (m === 7 && r.simple < 0) rec.v = r.float;
        else if (m === 6 && r.arg === TAG_EPOCH_TIME) {
          rec.v = r.number();
          rec.vTime = true;
        } else r.fail(`SenML record ${index}: "v" must be a number`);
        break;
      }
      case SenmlLabel.vs:
        rec.vs = r.text();
        break;
      case SenmlLabel.vb:
        rec.vb = r.bool();
        break;
      case SenmlLabel.s:
        rec.s = Number(r.number());
        break;
      case SenmlLabel.t:
        rec.t = Number(r.number());
        break;
      case SenmlLabel.ut:
        rec.ut = Number(r.number());
        break;
      default:
        rec.vd = r.byteString();
    }
  }
  return rec;
}

/**
 * Reads a SenML CBOR pack (RFC 8428 6) into records as written, strictly (see CborReader): an array
 * of maps keyed by SenML labels, plus LwM2M's text key "vlo" (LwM2M Core 7.4.5). "v" may carry tag 1
 * (epoch time), as some peers send Time values. Unknown labels are skipped, unknown text keys ending
 * in "_" refused. An empty payload is an empty pack.
 */
export function readSenmlCbor(bytes: Uint8Array): SenmlRecord[] {
  if (bytes.length === 0) return [];
  const r = new CborReader(bytes);
  if (r.head() !== 4) r.fail('SenML CBOR must be an array of records');
  const n = r.count();
  const out: SenmlRecord[] = [];
  for (let i = 0; n < 0 ? !r.takeBreak() : i < n; i++) out.push(readRecord(r, i));
  if (!r.atEnd()) r.fail('unexpected data after the pack');
  return out;
}

/**
 * Decodes SenML CBOR (application/senml+cbor, LwM2M Core 7.4.5) for a request on `basePath` (root for
 * composite operations and Send). `now` resolves RFC 8428 relative times.
 */
export function decodeSenmlCbor(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver, now?: number): LwM2mRecord[] {
  return senmlToRecords(resolveSenml(readSenmlCbor(bytes), now), basePath, resolver);
}

/** Decodes the path list of a Read-/Observe-Composite request in SenML CBOR. */
export function decodeSenmlCborPaths(bytes: Uint8Array): LwM2mPath[] {
  return senmlToPaths(resolveSenml(readSenmlCbor(bytes)));
}

/**
 * Encodes records as SenML CBOR (LwM2M Core 7.4.5) in the given order, each record a map of base
 * name (first record, see SenmlNaming), name, value and time, in that order. Integers and Time values
 * are CBOR integers (a Time without a definition tagged 1), floats the shortest exact CBOR float, opaque a byte string, object links the
 * "vlo" text key.
 */
export function encodeSenmlCbor(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  checkRecords(records, basePath, true);
  const naming = new SenmlNaming(records, basePath);
  const w = new CborWriter(64 + records.length * 16);
  w.array(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const bn = i === 0 ? naming.baseName : undefined;
    const n = naming.name(r);
    const v = senmlValue(r, resolver);
    w.map(1 + (bn === undefined ? 0 : 1) + (n === undefined ? 0 : 1) + (r.time === undefined ? 0 : 1));
    if (bn !== undefined) {
      w.int(SenmlLabel.bn);
      w.text(bn);
    }
    if (n !== undefined) {
      w.int(SenmlLabel.n);
      w.text(n);
    }
    switch (v.kind) {
      case 'v':
        w.int(SenmlLabel.v);
        if (v.taggedTime) w.tag(TAG_EPOCH_TIME);
        if (v.float) w.float(v.value as number);
        else w.int(v.value);
        break;
      case 'vs':
        w.int(SenmlLabel.vs);
        w.text(v.value);
        break;
      case 'vlo':
        w.text('vlo');
        w.text(v.value);
        break;
      case 'vb':
        w.int(SenmlLabel.vb);
        w.bool(v.value);
        break;
      case 'vd':
        w.int(SenmlLabel.vd);
        w.byteString(v.value);
        break;
    }
    if (r.time !== undefined) {
      checkAbsoluteTime(r);
      w.int(SenmlLabel.t);
      if (Number.isSafeInteger(r.time)) w.int(r.time);
      else w.float(r.time);
    }
  }
  return w.finish();
}

/** The path list of a Read-/Observe-Composite request as SenML CBOR: `[{0: "/3/0/1"}, ...]`. */
export function encodeSenmlCborPaths(paths: readonly LwM2mPath[]): Uint8Array {
  const w = new CborWriter(16 + paths.length * 12);
  w.array(paths.length);
  for (const p of paths) {
    w.map(1);
    w.int(SenmlLabel.n);
    w.text(p.toString());
  }
  return w.finish();
}
