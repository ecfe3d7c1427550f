import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ObjectLink, ResourceValue } from '../model/resource-type.ts';
import { toBase64 } from './base64.ts';
import { encodeUtf8 } from './bytes.ts';
import { jsonString, parseJson, type JsonValue } from './json.ts';
import { payloadPath } from './paths.ts';
import { checkRecords, prepareRecords } from './records.ts';
import type { ResourceResolver } from './schema.ts';
import { checkAbsoluteTime, RELATIVE_TIME_LIMIT, SenmlNaming } from './senml.ts';
import { floatText } from './text.ts';
import { checkRange, encodeType, formatObjlnk, fromBoolean, fromNumber, fromObjlnk, fromText, parseObjlnk, timeSeconds } from './values.ts';

function field(m: Map<string, JsonValue>, key: string, want: 'string' | 'number' | 'boolean', where: string): JsonValue | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  const ok = want === 'number' ? typeof v === 'number' || typeof v === 'bigint' : typeof v === want;
  if (!ok) throw new CodecError(`OMA JSON ${where}: "${key}" must be a ${want}`);
  return v;
}

/**
 * Decodes OMA JSON (application/vnd.oma.lwm2m+json, 11543; LwM2M Core 1.1 7.4.6 / 1.0 6.4.4):
 * `{"bn": base name, "bt": base time, "e": [{"n", "v" | "sv" | "bv" | "ov", "t"}]}`. Names are
 * bn + n; times bt + t (with `now`, times below 2^28 are relative to it). "sv" of an opaque resource is
 * base64; "ov" is "oid:iid". Without definitions: v -> number/bigint, sv -> string, bv -> boolean,
 * ov -> object link. An empty payload has no records.
 */
export function decodeOmaJson(bytes: Uint8Array, basePath: LwM2mPath, resolver: ResourceResolver, now?: number): LwM2mRecord[] {
  if (bytes.length === 0) return [];
  const doc = parseJson(bytes);
  if (!(doc instanceof Map)) throw new CodecError('OMA JSON must be an object');
  const bn = (field(doc, 'bn', 'string', 'object') as string | undefined) ?? '';
  const btRaw = field(doc, 'bt', 'number', 'object') as number | bigint | undefined;
  const bt = btRaw === undefined ? undefined : Number(btRaw);
  const e = doc.get('e');
  if (!Array.isArray(e)) throw new CodecError('OMA JSON needs an "e" array of resource entries');
  const out: LwM2mRecord[] = [];
  e.forEach((item, i) => {
    const where = `entry ${i}`;
    if (!(item instanceof Map)) throw new CodecError(`OMA JSON ${where} is not an object`);
    const n = field(item, 'n', 'string', where) as string | undefined;
    const name = bn + (n ?? '');
    if (name === '') throw new CodecError(`OMA JSON ${where} has no name`);
    const path = payloadPath(name);
    if (!path.startsWith(basePath)) throw new CodecError(`${path.toString()} is outside the request path ${basePath.toString()}`);
    const v = field(item, 'v', 'number', where) as number | bigint | undefined;
    const sv = field(item, 'sv', 'string', where) as string | undefined;
    const bv = field(item, 'bv', 'boolean', where) as boolean | undefined;
    const ov = field(item, 'ov', 'string', where) as string | undefined;
    const count = (v === undefined ? 0 : 1) + (sv === undefined ? 0 : 1) + (bv === undefined ? 0 : 1) + (ov === undefined ? 0 : 1);
    if (count !== 1) throw new CodecError(`OMA JSON ${where} (${name}) must have exactly one of v, sv, bv, ov`);
    const res = resolver.forValue(path);
    let value: ResourceValue;
    if (v !== undefined) value = fromNumber(res, path, v);
    else if (sv !== undefined) value = fromText(res, path, sv, true);
    else if (bv !== undefined) value = fromBoolean(res, path, bv);
    else value = fromObjlnk(res, path, parseObjlnk(ov!, path));
    checkRange(res, path, value);
    const tRaw = field(item, 't', 'number', where) as number | bigint | undefined;
    if (tRaw === undefined && bt === undefined) {
      out.push({ path, value });
      return;
    }
    let time = (bt ?? 0) + Number(tRaw ?? 0);
    if (!Number.isFinite(time)) throw new CodecError(`OMA JSON ${where}: time is not finite`);
    if (now !== undefined && time < RELATIVE_TIME_LIMIT) time += now;
    out.push({ path, value, time });
  });
  checkRecords(out, basePath, true);
  return out;
}

/**
 * Encodes records as OMA JSON for a request on `basePath` (object or deeper), sorted by path (time
 * series keep their order): "bn" is the request path (with a trailing "/" when entries lie below it),
 * entries carry relative names, v/sv/bv/ov values (opaque as base64 in "sv") and absolute "t".
 */
export function encodeOmaJson(records: readonly LwM2mRecord[], basePath: LwM2mPath, resolver: ResourceResolver): Uint8Array {
  if (basePath.isRoot()) throw new CodecError('OMA JSON cannot carry a payload for the root path');
  const sorted = prepareRecords(records, basePath, true, true);
  const naming = new SenmlNaming(sorted, basePath);
  const entries = sorted.map((r) => {
    const n = naming.name(r);
    let s = n === undefined ? '{' : `{"n":${jsonString(n)},`;
    const type = encodeType(resolver.lookup(r.path), r.value, r.path);
    switch (type) {
      case 'string':
      case 'corelnk':
        s += `"sv":${jsonString(r.value as string)}`;
        break;
      case 'opaque':
        s += `"sv":"${toBase64(r.value as Uint8Array)}"`;
        break;
      case 'integer':
      case 'unsigned':
        s += `"v":${(r.value as number | bigint).toString()}`;
        break;
      case 'time':
        s += `"v":${timeSeconds(r.value)}`;
        break;
      case 'float':
        s += `"v":${floatText(r.value as number, r.path)}`;
        break;
      case 'boolean':
        s += `"bv":${r.value === true ? 'true' : 'false'}`;
        break;
      case 'objlnk':
        s += `"ov":"${formatObjlnk(r.value as ObjectLink)}"`;
        break;
    }
    if (r.time !== undefined) {
      checkAbsoluteTime(r);
      s += `,"t":${Number.isInteger(r.time) ? String(r.time) : floatText(r.time)}`;
    }
    return s + '}';
  });
  return encodeUtf8(`{"bn":${jsonString(naming.baseName!)},"e":[${entries.join(',')}]}`);
}
