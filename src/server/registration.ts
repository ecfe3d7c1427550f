/**
 * The Registration interface seen from the server (LwM2M Core 1.1.1 6.2, Transport 1.1.1 6.4):
 * what a registration holds, and the pure parsing and validation of Register / Update requests
 * (Uri-Query parameters and the link-format payload of objects and instances).
 */
import { CodecError, LwM2mStatusError } from '../errors.ts';
import { CoapCode } from '../coap/message.ts';
import { ContentFormat, decodeLinks, linkAttributes, linkPath, type Link, type LwM2mAttributes, type RegisteredObject } from '../codec/index.ts';
import type { Lwm2mVersion } from '../model/objects/index.ts';
import type { Peer } from '../transport/transport.ts';

/** Which of the server's listeners a client talks to: plain UDP (NoSec) or DTLS. */
export type ListenerKind = 'udp' | 'dtls';

/** What the DTLS channel proved about a client (empty for NoSec). */
export interface ClientIdentity {
  readonly pskIdentity?: string;
  /** Subject common name of the client certificate. */
  readonly certificateCommonName?: string;
  /** DER SubjectPublicKeyInfo of the client's raw public key, hex. */
  readonly rawPublicKey?: string;
}

/** One registration (LwM2M Core 6.2.1). Immutable: the server replaces it on Update. */
export interface Registration {
  /** The registration id, the last segment of the location `/rd/{id}`. */
  readonly id: string;
  /** Endpoint Client Name (`ep`). */
  readonly endpoint: string;
  /** Lifetime in seconds (`lt`); 0 means infinite (LwM2M 1.2 only). */
  readonly lifetime: number;
  /** Enabler version (`lwm2m`), "1.0" when the client did not say. */
  readonly version: Lwm2mVersion;
  /** Binding letters (`b`) without the 1.0 queue-mode letter, e.g. "U". */
  readonly binding: string;
  /** Queue mode: `Q` (1.1+) or a `Q` in the 1.0 binding (`b=UQ`). */
  readonly queueMode: boolean;
  /** MSISDN (`sms`), if given. */
  readonly smsNumber?: string;
  /** Other Uri-Query parameters the client sent, kept as text. */
  readonly additionalParameters: ReadonlyMap<string, string>;
  /** Alternate path of the LwM2M objects (`</lwm2m>;rt="oma.lwm2m"`), "" for the root. */
  readonly rootPath: string;
  /** Objects and instances the client has. */
  readonly objects: readonly RegisteredObject[];
  /** Content formats the client declared (`ct` of the root link, LwM2M 1.1+); empty when not given. */
  readonly contentFormats: readonly number[];
  /** The registration payload as parsed. */
  readonly links: readonly Link[];
  /** Where requests to the client go: the source address of its last Register or Update. */
  readonly address: Peer;
  readonly listener: ListenerKind;
  readonly identity: ClientIdentity;
  /** Wall-clock time (ms since 1970) of the Register. */
  readonly registeredAt: number;
  /** Wall-clock time (ms since 1970) of the last Register or Update. */
  readonly updatedAt: number;
  /** Monotonic clock time (ms) after which the registration expires; Infinity for lifetime 0. */
  readonly expiresAt: number;
}

/** The Register parameters (Transport 1.1.1 6.4.1). */
export interface RegisterParams {
  readonly endpoint: string;
  readonly lifetime: number;
  readonly version: Lwm2mVersion;
  readonly binding: string;
  readonly queueMode: boolean;
  readonly smsNumber?: string;
  readonly additional: ReadonlyMap<string, string>;
}

/** The Update parameters (Transport 1.1.1 6.4.2); absent ones keep their value. */
export interface UpdateParams {
  readonly lifetime?: number;
  readonly binding?: string;
  readonly queueMode?: boolean;
  readonly smsNumber?: string;
  readonly additional: ReadonlyMap<string, string>;
}

/** The objects part of a Register/Update payload (LwM2M Core 6.2.1, 1.1 5.3.1). */
export interface ObjectLinks {
  readonly rootPath: string;
  readonly objects: readonly RegisteredObject[];
  readonly contentFormats: readonly number[];
  readonly links: readonly Link[];
}

/** Default lifetime when `lt` is absent (LwM2M Core Appendix E.2, Lifetime resource: 86400 s). */
export const DEFAULT_LIFETIME = 86_400;
const MAX_LIFETIME = 0xffff_ffff;
const SUPPORTED_VERSIONS: readonly string[] = ['1.0', '1.1', '1.2'];

function bad(message: string): LwM2mStatusError {
  return new LwM2mStatusError(CoapCode.BAD_REQUEST, message);
}

/** Splits Uri-Query entries into name -> value (undefined for a bare `Q`); a repeated name is 4.00. */
function queryMap(query: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const entry of query) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (name === '') throw bad(`malformed query parameter '${entry}'`);
    if (out.has(name)) throw bad(`query parameter '${name}' given twice`);
    out.set(name, eq < 0 ? undefined : entry.slice(eq + 1));
  }
  return out;
}

function valueOf(map: Map<string, string | undefined>, name: string): string | undefined {
  if (!map.has(name)) return undefined;
  const v = map.get(name);
  if (v === undefined) throw bad(`query parameter '${name}' needs a value`);
  return v;
}

function parseLifetime(text: string, version: Lwm2mVersion): number {
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > MAX_LIFETIME) throw bad(`lt=${text} is not a lifetime in seconds`);
  const lt = Number(text);
  // LwM2M 1.2 E.2: a Lifetime of 0 is infinite; earlier versions have no such value.
  if (lt === 0 && version !== '1.2') throw bad('lt=0 is not a valid lifetime before LwM2M 1.2');
  return lt;
}

/**
 * Checks a binding (`b`): LwM2M 1.0 allows U, UQ, S, SQ, US, UQS (Core 1.0 5.3.1.1); 1.1 and 1.2
 * use the letters U S N T (and M H in 1.2) each at most once, with queue mode as the separate `Q`
 * parameter. A `Q` inside a 1.1+ binding is still read as queue mode, since 1.0-style clients
 * announcing 1.1 exist. Returns the binding without `Q` and whether it had one.
 */
export function parseBinding(text: string, version: Lwm2mVersion): { binding: string; queue: boolean } {
  if (version === '1.0') {
    if (!/^(U|UQ|S|SQ|US|UQS)$/.test(text)) throw bad(`b=${text} is not a LwM2M 1.0 binding (U, UQ, S, SQ, US, UQS)`);
  } else {
    const letters = version === '1.2' ? 'USNTMHQ' : 'USNTQ';
    const seen = new Set<string>();
    for (const c of text) {
      if (!letters.includes(c) || seen.has(c)) throw bad(`b=${text} is not a LwM2M ${version} binding`);
      seen.add(c);
    }
    if (text === '' || text === 'Q') throw bad(`b=${text} names no transport`);
  }
  return { binding: text.replace('Q', ''), queue: text.includes('Q') };
}

function parseQueueFlag(map: Map<string, string | undefined>): boolean {
  if (!map.has('Q')) return false;
  if (map.get('Q') !== undefined) throw bad('the queue mode parameter Q takes no value');
  return true;
}

function additional(map: Map<string, string | undefined>, known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of map) if (!known.includes(k)) out.set(k, v ?? '');
  return out;
}

/**
 * Parses and validates the Uri-Query of a Register (Transport 1.1.1 6.4.1): `ep` is mandatory and
 * non-empty, `lt` an unsigned number of seconds, `lwm2m` "major.minor", `b` a binding of that
 * version, `Q` bare. A malformed value is 4.00 Bad Request; a well-formed but unsupported `lwm2m`
 * version is 4.12 Precondition Failed. Unknown parameters are kept as `additional`.
 */
export function parseRegisterQuery(query: readonly string[]): RegisterParams {
  const map = queryMap(query);
  const endpoint = valueOf(map, 'ep');
  if (endpoint === undefined) throw bad("missing the Endpoint Client Name parameter 'ep'");
  if (endpoint === '') throw bad('the Endpoint Client Name is empty');
  const versionText = valueOf(map, 'lwm2m') ?? '1.0';
  if (!/^[0-9]{1,3}\.[0-9]{1,3}$/.test(versionText)) throw bad(`lwm2m=${versionText} is not a version`);
  if (!SUPPORTED_VERSIONS.includes(versionText)) {
    throw new LwM2mStatusError(CoapCode.PRECONDITION_FAILED, `LwM2M version ${versionText} is not supported (1.0, 1.1, 1.2 are)`);
  }
  const version = versionText as Lwm2mVersion;
  const ltText = valueOf(map, 'lt');
  const lifetime = ltText === undefined ? DEFAULT_LIFETIME : parseLifetime(ltText, version);
  const b = parseBinding(valueOf(map, 'b') ?? 'U', version);
  const sms = valueOf(map, 'sms');
  if (sms === '') throw bad('sms is empty');
  const queueMode = parseQueueFlag(map) || b.queue;
  return {
    endpoint,
    lifetime,
    version,
    binding: b.binding,
    queueMode,
    ...(sms !== undefined ? { smsNumber: sms } : {}),
    additional: additional(map, ['ep', 'lt', 'lwm2m', 'b', 'sms', 'Q']),
  };
}

/** Parses the Uri-Query of an Update (Transport 1.1.1 6.4.2): `lt`, `b`, `sms`, and `Q` as in Register. */
export function parseUpdateQuery(query: readonly string[], version: Lwm2mVersion): UpdateParams {
  const map = queryMap(query);
  for (const name of ['ep', 'lwm2m']) if (map.has(name)) throw bad(`'${name}' cannot change in an Update`);
  const ltText = valueOf(map, 'lt');
  const bText = valueOf(map, 'b');
  const b = bText === undefined ? undefined : parseBinding(bText, version);
  const sms = valueOf(map, 'sms');
  if (sms === '') throw bad('sms is empty');
  const q = parseQueueFlag(map);
  return {
    ...(ltText !== undefined ? { lifetime: parseLifetime(ltText, version) } : {}),
    ...(b !== undefined ? { binding: b.binding } : {}),
    // LwM2M 1.0 carries queue mode in the binding; 1.1+ only turns it on with Q (the Update has no way to turn it off).
    ...(version === '1.0' && b !== undefined ? { queueMode: b.queue } : b?.queue === true || q ? { queueMode: true } : {}),
    ...(sms !== undefined ? { smsNumber: sms } : {}),
    additional: additional(map, ['lt', 'b', 'sms', 'Q']),
  };
}

/**
 * Parses the link-format payload of a Register/Update (LwM2M Core 1.1.1 6.2.1): an optional root
 * link with `rt="oma.lwm2m"` naming an alternate path and declaring `ct`, then objects `</3>` (with
 * `ver`) and instances `</3/0>`. A payload that is not link-format, a link that names no object or
 * instance, a bad attribute or a duplicate link is 4.00; a Content-Format other than
 * application/link-format is 4.15.
 */
export function parseObjectLinks(payload: Uint8Array, contentFormat: number | undefined): ObjectLinks {
  if (contentFormat !== undefined && contentFormat !== ContentFormat.LINK) {
    throw new LwM2mStatusError(CoapCode.UNSUPPORTED_CONTENT_FORMAT, `the object list must be application/link-format (40), not ${contentFormat}`);
  }
  let links: Link[];
  try {
    links = decodeLinks(payload);
  } catch (error) {
    throw bad(error instanceof CodecError ? error.message : 'the object list is not valid UTF-8 link-format');
  }
  let rootPath = '';
  let contentFormats: readonly number[] = [];
  const root = links.find((l) => l.attributes.get('rt') === 'oma.lwm2m');
  if (root !== undefined) {
    if (!/^(\/[A-Za-z0-9_.~-]+)*\/?$/.test(root.target)) throw bad(`alternate path <${root.target}> is not a path`);
    rootPath = root.target.replace(/\/+$/, '');
    try {
      contentFormats = linkAttributes(root).ct ?? [];
    } catch (error) {
      throw bad((error as Error).message);
    }
  }
  const objects = new Map<number, { version?: string; instances: number[] }>();
  const seen = new Set<string>();
  for (const link of links) {
    if (link === root) continue;
    const path = linkPath(link, rootPath);
    if (path === undefined || path.depth < 1 || path.depth > 2) throw bad(`link <${link.target}> names no object or object instance`);
    const key = path.toString();
    if (seen.has(key)) throw bad(`link <${link.target}> appears twice`);
    seen.add(key);
    let attrs: LwM2mAttributes = {};
    if (link.attributes.size > 0) {
      try {
        attrs = linkAttributes(link);
      } catch (error) {
        throw bad((error as Error).message);
      }
    }
    const oid = path.objectId!;
    let entry = objects.get(oid);
    if (entry === undefined) {
      entry = { instances: [] };
      objects.set(oid, entry);
    }
    if (path.depth === 1) {
      if (attrs.ver !== undefined) entry.version = attrs.ver;
    } else entry.instances.push(path.instanceId!);
  }
  const list: RegisteredObject[] = [...objects]
    .sort((a, b) => a[0] - b[0])
    .map(([id, e]) => ({ id, ...(e.version !== undefined ? { version: e.version } : {}), instances: e.instances.sort((a, b) => a - b) }));
  return { rootPath, objects: list, contentFormats, links };
}

/** Where and how a Register or Update arrived. */
export interface Arrival {
  readonly address: Peer;
  readonly listener: ListenerKind;
  readonly identity: ClientIdentity;
  /** Monotonic clock time, ms. */
  readonly now: number;
  /** Wall-clock time, ms since 1970. */
  readonly wallTime: number;
}

function expiry(lifetime: number, now: number, graceMs: number): number {
  return lifetime === 0 ? Infinity : now + lifetime * 1000 + graceMs;
}

/** The registration a Register creates (LwM2M Core 1.1.1 6.2.1). */
export function newRegistration(id: string, params: RegisterParams, objects: ObjectLinks, arrival: Arrival, graceMs: number): Registration {
  return {
    id,
    endpoint: params.endpoint,
    lifetime: params.lifetime,
    version: params.version,
    binding: params.binding,
    queueMode: params.queueMode,
    ...(params.smsNumber !== undefined ? { smsNumber: params.smsNumber } : {}),
    additionalParameters: params.additional,
    rootPath: objects.rootPath,
    objects: objects.objects,
    contentFormats: objects.contentFormats,
    links: objects.links,
    address: arrival.address,
    listener: arrival.listener,
    identity: arrival.identity,
    registeredAt: arrival.wallTime,
    updatedAt: arrival.wallTime,
    expiresAt: expiry(params.lifetime, arrival.now, graceMs),
  };
}

/**
 * The registration after an Update (LwM2M Core 1.1.1 6.2.2): new parameters and objects where
 * given, the address the Update came from (NAT rebinding), and a fresh lifetime.
 */
export function updatedRegistration(reg: Registration, params: UpdateParams, objects: ObjectLinks | undefined, arrival: Arrival, graceMs: number): Registration {
  const lifetime = params.lifetime ?? reg.lifetime;
  const additional = params.additional.size === 0 ? reg.additionalParameters : new Map([...reg.additionalParameters, ...params.additional]);
  return {
    ...reg,
    lifetime,
    binding: params.binding ?? reg.binding,
    queueMode: params.queueMode ?? reg.queueMode,
    ...(params.smsNumber !== undefined ? { smsNumber: params.smsNumber } : {}),
    additionalParameters: additional,
    ...(objects !== undefined ? { rootPath: objects.rootPath, objects: objects.objects, contentFormats: objects.contentFormats, links: objects.links } : {}),
    address: arrival.address,
    updatedAt: arrival.wallTime,
    expiresAt: expiry(lifetime, arrival.now, graceMs),
  };
}
