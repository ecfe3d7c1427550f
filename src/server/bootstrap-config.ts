/**
 * Bootstrap configuration (LwM2M Core 1.1.1 6.1, 5.2): per endpoint, the sequence the bootstrap
 * server runs after a Bootstrap-Request: Bootstrap-Discover, Bootstrap-Delete, Bootstrap-Write of
 * Security (object 0), Server (1), Access Control (2) and other instances, Bootstrap-Read, then
 * Bootstrap-Finish. Read from JSON (file or object) and validated with errors that say where.
 *
 * ```json
 * {
 *   "endpoints": {
 *     "device-1": {
 *       "delete": ["/"],
 *       "security": { "0": { "uri": "coap://192.0.2.1:5683", "securityMode": "nosec", "shortServerId": 1 } },
 *       "servers": { "0": { "shortServerId": 1, "lifetime": 300, "binding": "U" } },
 *       "acl": { "0": { "objectId": 3, "instanceId": 0, "acl": { "1": 7 }, "owner": 1 } },
 *       "objects": { "/3/0": { "14": "+02:00" } },
 *       "discover": true,
 *       "read": ["/1"]
 *     }
 *   },
 *   "default": { ... }
 * }
 * ```
 * Byte values (keys, identities, certificates) are a UTF-8 string, `{ "hex": "..." }`,
 * `{ "base64": "..." }`, `{ "text": "..." }` or `{ "file": "path" }` (relative to the config file;
 * PEM files are converted to DER).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ContentFormat, parseContentFormat } from '../codec/index.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import type { ResourceDefinition } from '../model/object-definition.ts';
import { LWM2M_VERSIONS, type Lwm2mVersion } from '../model/objects/index.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { coerceResourceValue, type ResourceValue } from '../model/resource-type.ts';
import { BootstrapConfigError } from './errors.ts';

/** One instance to write (Bootstrap-Write, LwM2M Core 1.1.1 5.2.8.1). */
export interface BootstrapWrite {
  /** The object instance, e.g. /0/1. */
  readonly path: LwM2mPath;
  readonly records: readonly LwM2mRecord[];
}

/** What the bootstrap server does for one endpoint, in this order. */
export interface BootstrapPlan {
  /** Object definitions used to type the values (default '1.1'). */
  readonly version: Lwm2mVersion;
  /** Content format of the writes; default from the client's `pct`, else TLV. */
  readonly format: number | undefined;
  /** Bootstrap-Discover this path first (LwM2M Core 1.1.1 5.2.7.3), if set. */
  readonly discover: LwM2mPath | undefined;
  /** Bootstrap-Delete these paths (5.2.7.5). */
  readonly deletes: readonly LwM2mPath[];
  /** Bootstrap-Write these instances (5.2.7.4). */
  readonly writes: readonly BootstrapWrite[];
  /** Bootstrap-Read these paths after writing (LwM2M 1.1, 5.2.7.2: objects 1 and 2 only). */
  readonly reads: readonly LwM2mPath[];
}

/** A parsed configuration. */
export interface BootstrapConfig {
  readonly endpoints: ReadonlyMap<string, BootstrapPlan>;
  /** The plan for endpoints not listed, if any. */
  readonly fallback: BootstrapPlan | undefined;
}

/** The plan for an endpoint: its own, else the default, else undefined. */
export function planFor(config: BootstrapConfig, endpoint: string): BootstrapPlan | undefined {
  return config.endpoints.get(endpoint) ?? config.fallback;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SECURITY_MODES: Readonly<Record<string, number>> = { psk: 0, rpk: 1, x509: 2, certificate: 2, nosec: 3, est: 4 };

/** Field name -> resource id of the typed instance forms. */
const SECURITY_FIELDS: Readonly<Record<string, number>> = {
  uri: 0,
  bootstrapServer: 1,
  securityMode: 2,
  publicKeyOrIdentity: 3,
  serverPublicKey: 4,
  secretKey: 5,
  smsSecurityMode: 6,
  smsBindingKeyParameters: 7,
  smsBindingSecretKeys: 8,
  smsNumber: 9,
  shortServerId: 10,
  clientHoldOffTime: 11,
  bootstrapServerAccountTimeout: 12,
  matchingType: 13,
  sni: 14,
  certificateUsage: 15,
  cipherSuites: 16,
};

const SERVER_FIELDS: Readonly<Record<string, number>> = {
  shortServerId: 0,
  lifetime: 1,
  defaultMinPeriod: 2,
  defaultMaxPeriod: 3,
  disableTimeout: 5,
  notificationStoring: 6,
  binding: 7,
  apnLink: 10,
  registrationPriorityOrder: 13,
  initialRegistrationDelay: 14,
  registrationFailureBlock: 15,
  bootstrapOnRegistrationFailure: 16,
  communicationRetryCount: 17,
  communicationRetryTimer: 18,
  communicationSequenceDelayTimer: 19,
  communicationSequenceRetryCount: 20,
  trigger: 21,
  preferredTransport: 22,
  muteSend: 23,
};

const ACL_FIELDS: Readonly<Record<string, number>> = { objectId: 0, instanceId: 1, acl: 2, owner: 3 };

const ENDPOINT_KEYS = new Set(['version', 'format', 'discover', 'delete', 'security', 'servers', 'acl', 'objects', 'read']);

class Parser {
  readonly #baseDir: string | undefined;
  constructor(baseDir: string | undefined) {
    this.#baseDir = baseDir;
  }

  fail(where: string, message: string): never {
    throw new BootstrapConfigError(where, message);
  }

  object(v: Json | undefined, where: string): JsonObject {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'must be a JSON object');
    return v;
  }

  path(v: Json | undefined, where: string, depths: readonly number[]): LwM2mPath {
    if (typeof v !== 'string') this.fail(where, 'must be a path string like "/0/1"');
    let p: LwM2mPath;
    try {
      p = LwM2mPath.parse(v);
    } catch (error) {
      this.fail(where, (error as Error).message);
    }
    if (!depths.includes(p.depth)) this.fail(where, `${v} must be a path of depth ${depths.join(' or ')}`);
    return p;
  }

  instanceId(key: string, where: string): number {
    if (!/^[0-9]{1,5}$/.test(key) || Number(key) > 65534) this.fail(where, `'${key}' is not an instance id`);
    return Number(key);
  }

  bytes(v: Json, where: string): Uint8Array {
    if (typeof v === 'string') return new TextEncoder().encode(v);
    const o = this.object(v, where);
    const keys = Object.keys(o);
    if (keys.length !== 1) this.fail(where, 'bytes are a string or one of { "hex" | "base64" | "text" | "file": string }');
    const kind = keys[0]!;
    const text = o[kind];
    if (typeof text !== 'string') this.fail(`${where}.${kind}`, 'must be a string');
    switch (kind) {
      case 'hex':
        if (!/^([0-9a-fA-F]{2})*$/.test(text)) this.fail(`${where}.hex`, 'is not an even number of hex digits');
        return new Uint8Array(Buffer.from(text, 'hex'));
      case 'base64':
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) this.fail(`${where}.base64`, 'is not base64');
        return new Uint8Array(Buffer.from(text, 'base64'));
      case 'text':
        return new TextEncoder().encode(text);
      case 'file':
        return this.#file(text, `${where}.file`);
      default:
        this.fail(where, `unknown byte encoding '${kind}' (hex, base64, text, file)`);
    }
  }

  #file(name: string, where: string): Uint8Array {
    const full = this.#baseDir === undefined ? resolve(name) : resolve(this.#baseDir, name);
    let data: Buffer;
    try {
      data = readFileSync(full);
    } catch (error) {
      this.fail(where, `cannot read ${full}: ${(error as Error).message}`);
    }
    const text = data.toString('latin1');
    const pem = /-----BEGIN [A-Z0-9 ]+-----([\s\S]+?)-----END [A-Z0-9 ]+-----/.exec(text);
    return new Uint8Array(pem === null ? data : Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64'));
  }

  /** A JSON value as the value of a resource, checked against its definition. */
  value(def: ResourceDefinition, v: Json, where: string): ResourceValue {
    let input: unknown = v;
    switch (def.type) {
      case 'opaque':
        input = this.bytes(v, where);
        break;
      case 'integer':
      case 'unsigned':
        if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) input = BigInt(v);
        break;
      case 'time':
        if (typeof v === 'string') {
          const ms = Date.parse(v);
          if (Number.isNaN(ms)) this.fail(where, `'${v}' is not a date`);
          input = new Date(ms);
        }
        break;
      case 'objlnk':
        if (typeof v === 'string') {
          const m = /^([0-9]{1,5}):([0-9]{1,5})$/.exec(v);
          if (m === null) this.fail(where, `'${v}' is not an object link "oid:iid"`);
          input = { oid: Number(m[1]), iid: Number(m[2]) };
        }
        break;
      default:
        break;
    }
    try {
      return coerceResourceValue(def, input, where);
    } catch (error) {
      this.fail('', (error as Error).message);
    }
  }

  /** Records of one resource (one value, or instances as an object/array for multiple resources). */
  resource(catalogue: ObjectCatalogue, instance: LwM2mPath, rid: number, v: Json, where: string): LwM2mRecord[] {
    const def = catalogue.resource(instance.objectId!, rid);
    if (def === undefined) this.fail(where, `object ${instance.objectId!} has no resource ${rid} in this LwM2M version`);
    if (def.type === 'none') this.fail(where, `resource ${rid} (${def.name}) is executable`);
    const path = instance.child(rid);
    if (!def.multiple) return [{ path, value: this.value(def, v, where) }];
    const entries: [string, Json][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(this.object(v, where));
    return entries.map(([k, x]) => ({ path: path.child(this.instanceId(k, `${where}.${k}`)), value: this.value(def, x, `${where}.${k}`) }));
  }

  /** A typed instance ({ "uri": ..., ... }) as records. */
  typed(catalogue: ObjectCatalogue, instance: LwM2mPath, fields: Readonly<Record<string, number>>, v: Json, where: string): LwM2mRecord[] {
    const o = this.object(v, where);
    const out: LwM2mRecord[] = [];
    for (const [name, x] of Object.entries(o)) {
      const rid = fields[name];
      if (rid === undefined) this.fail(`${where}.${name}`, `unknown field (known: ${Object.keys(fields).join(', ')})`);
      let value = x;
      if (instance.objectId === 0 && name === 'securityMode' && typeof x === 'string') {
        const mode = SECURITY_MODES[x.toLowerCase()];
        if (mode === undefined) this.fail(`${where}.securityMode`, `'${x}' is not psk, rpk, x509, nosec or est`);
        value = mode;
      }
      out.push(...this.resource(catalogue, instance, rid, value, `${where}.${name}`));
    }
    return out;
  }

  instances(catalogue: ObjectCatalogue, oid: number, fields: Readonly<Record<string, number>>, v: Json | undefined, where: string, required: readonly string[]): BootstrapWrite[] {
    if (v === undefined) return [];
    const o = this.object(v, where);
    return Object.entries(o).map(([key, inst]) => {
      const path = LwM2mPath.of(oid, this.instanceId(key, `${where}.${key}`));
      const obj = { ...this.object(inst, `${where}.${key}`) };
      for (const r of required) if (!(r in obj)) this.fail(`${where}.${key}`, `'${r}' is required`);
      if (oid === 0 && !('securityMode' in obj)) obj.securityMode = 'nosec';
      if (oid === 0 && !('bootstrapServer' in obj)) obj.bootstrapServer = false;
      if (oid === 1 && !('notificationStoring' in obj)) obj.notificationStoring = true;
      if (oid === 1 && !('binding' in obj)) obj.binding = 'U';
      if (oid === 1 && !('lifetime' in obj)) obj.lifetime = 86400;
      return { path, records: this.typed(catalogue, path, fields, obj, `${where}.${key}`) };
    });
  }

  plan(v: Json | undefined, where: string): BootstrapPlan {
    const o = this.object(v, where);
    for (const k of Object.keys(o)) if (!ENDPOINT_KEYS.has(k)) this.fail(`${where}.${k}`, `unknown key (known: ${[...ENDPOINT_KEYS].join(', ')})`);
    const versionText = o.version ?? '1.1';
    if (typeof versionText !== 'string' || !(LWM2M_VERSIONS as readonly string[]).includes(versionText)) this.fail(`${where}.version`, 'must be "1.0", "1.1" or "1.2"');
    const version = versionText as Lwm2mVersion;
    const catalogue = ObjectCatalogue.builtin(version);
    let format: number | undefined;
    if (o.format !== undefined) {
      if (typeof o.format !== 'string' && typeof o.format !== 'number') this.fail(`${where}.format`, 'must be a format name or number');
      try {
        format = parseContentFormat(String(o.format));
      } catch (error) {
        this.fail(`${where}.format`, (error as Error).message);
      }
      if (![ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR, ContentFormat.OMA_JSON].includes(format as 11542)) {
        this.fail(`${where}.format`, 'must be a format that carries object instances (tlv, senml-json, senml-cbor, lwm2m-cbor, oma-json)');
      }
    }
    let discover: LwM2mPath | undefined;
    if (o.discover === true) discover = LwM2mPath.ROOT;
    else if (o.discover !== undefined && o.discover !== false) discover = this.path(o.discover, `${where}.discover`, [0, 1]);
    const list = (v2: Json | undefined, w: string, depths: readonly number[]): LwM2mPath[] => {
      if (v2 === undefined) return [];
      if (!Array.isArray(v2)) this.fail(w, 'must be an array of paths');
      return v2.map((p, i) => this.path(p, `${w}[${i}]`, depths));
    };
    const deletes = o.delete === undefined ? [LwM2mPath.ROOT] : list(o.delete, `${where}.delete`, [0, 1, 2]);
    const writes: BootstrapWrite[] = [
      ...this.instances(catalogue, 0, SECURITY_FIELDS, o.security, `${where}.security`, ['uri']),
      ...this.instances(catalogue, 1, SERVER_FIELDS, o.servers, `${where}.servers`, ['shortServerId']),
      ...this.instances(catalogue, 2, ACL_FIELDS, o.acl, `${where}.acl`, ['objectId', 'instanceId', 'owner']),
    ];
    if (o.objects !== undefined) {
      for (const [key, inst] of Object.entries(this.object(o.objects, `${where}.objects`))) {
        const w = `${where}.objects.${key}`;
        const path = this.path(key, w, [2]);
        if (catalogue.object(path.objectId!) === undefined) this.fail(w, `object ${path.objectId!} has no definition in LwM2M ${version}`);
        const records = Object.entries(this.object(inst, w)).flatMap(([rid, x]) => {
          if (!/^[0-9]{1,5}$/.test(rid)) this.fail(`${w}.${rid}`, 'is not a resource id');
          return this.resource(catalogue, path, Number(rid), x, `${w}.${rid}`);
        });
        writes.push({ path, records });
      }
    }
    const reads = list(o.read, `${where}.read`, [1, 2]);
    for (const [i, p] of reads.entries()) if (p.objectId !== 1 && p.objectId !== 2) this.fail(`${where}.read[${i}]`, 'Bootstrap-Read is allowed on the Server (1) and Access Control (2) objects only');
    return { version, format, discover, deletes, writes, reads };
  }
}

/** Validates a configuration object (parsed JSON). Throws BootstrapConfigError naming the bad key. */
export function parseBootstrapConfig(json: unknown, options: { baseDir?: string } = {}): BootstrapConfig {
  const p = new Parser(options.baseDir);
  const root = p.object(json as Json, '');
  for (const k of Object.keys(root)) if (k !== 'endpoints' && k !== 'default') p.fail(k, "unknown key (known: endpoints, default)");
  const endpoints = new Map<string, BootstrapPlan>();
  if (root.endpoints !== undefined) {
    for (const [ep, plan] of Object.entries(p.object(root.endpoints, 'endpoints'))) {
      if (ep === '') p.fail('endpoints', 'an endpoint name is empty');
      endpoints.set(ep, p.plan(plan, `endpoints.${ep}`));
    }
  }
  const fallback = root.default === undefined ? undefined : p.plan(root.default, 'default');
  return { endpoints, fallback };
}

/** Reads and validates a JSON configuration file; `file` values are relative to its directory. */
export function loadBootstrapConfig(file: string): BootstrapConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BootstrapConfigError('', `cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BootstrapConfigError('', `${file} is not JSON: ${(error as Error).message}`);
  }
  return parseBootstrapConfig(json, { baseDir: dirname(resolve(file)) });
}
