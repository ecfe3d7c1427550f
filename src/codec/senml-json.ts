import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { fromBase64, toBase64Url } from './base64.ts';
import { encodeUtf8 } from './bytes.ts';
import { jsonString, parseJson } from './json.ts';
import { checkRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';
import { checkAbsoluteTime, resolveSenml, SenmlNaming, senmlToPaths, senmlToRecords, senmlValue, type SenmlRecord } from './senml.ts';
import { floatText } from './text.ts';

type StringField = 'bn' | 'n' | 'bu' | 'u' | 'vs' | 'vlo';
type NumberField = 'bt' | 'bv' | 'bs' | 's' | 't' | 'ut' | 'bver';

const STRING_FIELDS = new Set<string>(['bn', 'n', 'bu', 'u', 'vs', 'vlo']);
const NUMBER_FIELDS = new Set<string>(['bt', 'bv', 'bs', 's', 't', 'ut', 'bver']);

/**
 * Reads a SenML JSON pack (RFC 8428 5) into records as written. Unknown fields are ignored unless
 * their name ends in "_" (must-understand, RFC 8428 4.4); known fields must have their JSON type;
 * "vd" is base64 (URL-safe per RFC 8428, standard accepted). An empty payload is an empty pack.
 */
export function readSenmlJson(bytes: Uint8Array): SenmlRecord[] {
  if (bytes.length === 0) return [];
  const doc = parseJson(bytes);
  if (!Array.isArray(doc)) throw new CodecError('SenML JSON must be an array of records');
  return doc.map((item, i) => {
    if (!(item instanceof Map)) throw new CodecError(`SenML record ${i} is not a JSON object`);
    const r: SenmlRecord = {};
    for (const [key, v] of item) {
      if (STRING_FIELDS.has(key)) {
        if (typeof v !== 'string') throw fieldError(i, key, 'a string');
        r[key as StringField] = v;
      } else if (NUMBER_FIELDS.has(key)) {
        if (typeof v !== 'number' && typeof v !== 'bigint') throw fieldError(i, key, 'a number');
        r[key as NumberField] = Number(v);
      } else if (key === 'v') {
        if (typeof v !== 'number' && typeof v !== 'bigint') throw fieldError(i, key, 'a number');
        r.v = v;
      } else if (key === 'vb') {
        if (typeof v !== 'boolean') throw fieldError(i, key, 'a boolean');
        r.vb = v;
      } else if (key === 'vd') {
        if (typeof v !== 'string') throw fieldError(i, key, 'a base64 string');
        r.vd = fromBase64(v, `SenML record ${i} "vd"`);
      } else if (key.endsWith('_')) {
        throw new CodecError(`SenML record ${i}: must-understand field "${key}" is not supported`);
      }
    }
    return r;
  });
}

function fieldError(i: number, key: string, want: string): CodecError {
  return new CodecError(`SenML record ${i}: "${key}" must be ${want}`);
}

/**
 * Decodes SenML JSON (application/senml+json, LwM2M Core 7.4.4) for a request on `basePath` (root
 * for composite operations and Send). `now` resolves RFC 8428 relative times.
 */
export function decodeSenmlJson(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver, now?: number): LwM2mRecord[] {
  return senmlToRecords(resolveSenml(readSenmlJson(bytes), now), basePath, resolver);
}

/** Decodes the path list of a Read-/Observe-Composite request in SenML JSON. */
export function decodeSenmlJsonPaths(bytes: Uint8Array): LwM2mPath[] {
  return senmlToPaths(resolveSenml(readSenmlJson(bytes)));
}

function jsonNumber(v: number | bigint, float: boolean): string {
  if (typeof v === 'bigint') return v.toString();
  return float ? floatText(v) : String(v);
}

/**
 * Encodes records as SenML JSON (LwM2M Core 7.4.4) in the given order: base name on the first
 * record (see SenmlNaming), then "n", the value field, and "t" (absolute seconds) for timestamped
 * records (absolute times only, see checkAbsoluteTime). Floats that have no JSON form (NaN, infinities) are CodecErrors; -0 is written "-0.0".
 */
export function encodeSenmlJson(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  checkRecords(records, basePath, true);
  const naming = new SenmlNaming(records, basePath);
  const parts: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let s = '{';
    let sep = '';
    if (i === 0 && naming.baseName !== undefined) {
      s += `"bn":${jsonString(naming.baseName)}`;
      sep = ',';
    }
    const n = naming.name(r);
    if (n !== undefined) {
      s += `${sep}"n":${jsonString(n)}`;
      sep = ',';
    }
    const v = senmlValue(r, resolver);
    switch (v.kind) {
      case 'v':
        try {
          s += `${sep}"v":${jsonNumber(v.value, v.float)}`;
        } catch (e) {
          throw new CodecError(`${r.path.toString()}: ${(e as Error).message} (SenML JSON)`, { cause: e });
        }
        break;
      case 'vs':
      case 'vlo':
        s += `${sep}"${v.kind}":${jsonString(v.value)}`;
        break;
      case 'vb':
        s += `${sep}"vb":${v.value ? 'true' : 'false'}`;
        break;
      case 'vd':
        s += `${sep}"vd":"${toBase64Url(v.value)}"`;
        break;
    }
    if (r.time !== undefined) {
      checkAbsoluteTime(r);
      s += `,"t":${jsonNumber(r.time, !Number.isInteger(r.time))}`;
    }
    parts.push(s + '}');
  }
  return encodeUtf8('[' + parts.join(',') + ']');
}

/** The path list of a Read-/Observe-Composite request as SenML JSON: `[{"n":"/3/0/1"},...]`. */
export function encodeSenmlJsonPaths(paths: readonly LwM2mPath[]): Uint8Array {
  return encodeUtf8('[' + paths.map((p) => `{"n":${jsonString(p.toString())}}`).join(',') + ']');
}
