/**
 * Decoding the payload of a Send (LwM2M Core 1.1.1 6.4.3, Transport 1.1.1 6.6.3) on the server, with
 * the records of IoT devices behind a gateway told apart: a gateway sends a device's values with the
 * device prefix in the SenML names (LwM2M Gateway TS 1.1 section 9: `/dev1/3303/0/5700`). The pack is
 * resolved once (RFC 8428 4.6), the names are split into prefix and LwM2M path, and each device's
 * records are typed and checked on their own (the same path may appear for two devices).
 */
import { ContentFormat, decode, readSenmlCbor, readSenmlJson, resolveSenml, type ResolvedSenml } from '../codec/index.ts';
import { ResourceResolver } from '../codec/schema.ts';
import { senmlToRecords } from '../codec/senml.ts';
import { CodecError } from '../errors.ts';
import { isPrefixSegment, PREFIX_CHARACTERS } from '../model/device-prefix.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';

/** The records of one sender in a Send: the gateway itself (`prefix` undefined) or one of its IoT devices. */
export interface SendGroup {
  readonly prefix: string | undefined;
  readonly records: LwM2mRecord[];
}

export interface SendDecodeOptions {
  readonly format: number;
  readonly definitions: DefinitionLookup;
  /** Seconds since 1970, for SenML relative times (RFC 8428 4.5.3). */
  readonly now: number;
}

/**
 * Splits a resolved SenML name into the IoT device prefix (a first segment that is not a decimal
 * id) and the LwM2M path text. Throws CodecError for a prefix with bad characters or no path after it.
 */
export function splitPrefixedName(name: string): { prefix: string | undefined; path: string } {
  if (!name.startsWith('/')) return { prefix: undefined, path: name };
  const end = name.indexOf('/', 1);
  const first = end < 0 ? name.slice(1) : name.slice(1, end);
  if (first === '' || !isPrefixSegment(first)) return { prefix: undefined, path: name };
  if (!PREFIX_CHARACTERS.test(first)) throw new CodecError(`${name}: '${first}' is neither an object id nor an IoT device prefix`);
  const path = end < 0 ? '' : name.slice(end);
  if (path === '' || path === '/') throw new CodecError(`${name}: an IoT device prefix needs a resource path after it`);
  return { prefix: first, path };
}

/**
 * Decodes a Send payload (SenML JSON, SenML CBOR or LwM2M CBOR) into groups of records, one per
 * sender in order of first appearance. LwM2M CBOR has no names to carry a prefix, so its records
 * are all the gateway's. Throws CodecError (answered 4.00) for a payload that does not decode.
 */
export function decodeSendGroups(payload: Uint8Array, options: SendDecodeOptions): SendGroup[] {
  const { format, definitions, now } = options;
  if (format !== ContentFormat.SENML_JSON && format !== ContentFormat.SENML_CBOR) {
    return [{ prefix: undefined, records: decode(payload, { format, basePath: LwM2mPath.ROOT, definitions, allowUnknownObjects: true, now }) }];
  }
  const pack = format === ContentFormat.SENML_JSON ? readSenmlJson(payload) : readSenmlCbor(payload);
  const resolved = resolveSenml(pack, now);
  const byPrefix = new Map<string | undefined, ResolvedSenml[]>();
  for (const r of resolved) {
    const { prefix, path } = splitPrefixedName(r.name);
    let list = byPrefix.get(prefix);
    if (list === undefined) {
      list = [];
      byPrefix.set(prefix, list);
    }
    list.push(prefix === undefined ? r : { ...r, name: path });
  }
  if (byPrefix.size === 0) byPrefix.set(undefined, []);
  const resolver = new ResourceResolver(definitions, true);
  const groups: SendGroup[] = [];
  for (const [prefix, list] of byPrefix) {
    try {
      groups.push({ prefix, records: senmlToRecords(list, LwM2mPath.ROOT, resolver) });
    } catch (error) {
      if (prefix !== undefined && error instanceof CodecError) throw new CodecError(`IoT device '${prefix}': ${error.message}`, { cause: error });
      throw error;
    }
  }
  return groups;
}
