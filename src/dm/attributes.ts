/**
 * Notification attributes (LwM2M Core 1.1.1 section 5.1.2; 1.2 adds edge, con, hqmax): what
 * Write-Attributes sets, per LwM2M Server, at object, object-instance, resource and (1.1)
 * resource-instance level; inheritance (a lower level overrides a higher one; pmin/pmax default to
 * the server's /1/x/2 and /1/x/3); and the checks that make a combination invalid (4.00).
 */
import { CodecError } from '../errors.ts';
import type { ResourceDefinition } from '../model/object-definition.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { EngineVersion } from './formats.ts';

/** Attribute names in the order Discover lists them. */
export const ATTRIBUTE_NAMES = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

/** A set of notification attributes (every one optional). */
export type Attributes = { readonly [K in AttributeName]?: number };

type MutableAttributes = { -readonly [K in AttributeName]?: number };

const V10_NAMES: ReadonlySet<string> = new Set(['pmin', 'pmax', 'gt', 'lt', 'st']);
const V11_NAMES: ReadonlySet<string> = new Set(ATTRIBUTE_NAMES);
const INTEGER_NAMES: ReadonlySet<string> = new Set(['pmin', 'pmax', 'epmin', 'epmax', 'edge', 'con', 'hqmax']);
const VALUE_NAMES: ReadonlySet<string> = new Set(['gt', 'lt', 'st', 'edge']);
const DECIMAL = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const UNSIGNED = /^[0-9]{1,10}$/;

/** A parsed Write-Attributes query: attributes to set and attributes to remove (`?pmin` alone). */
export interface AttributeUpdate {
  readonly set: Attributes;
  readonly unset: ReadonlySet<AttributeName>;
}

/**
 * Parses the Uri-Query of a Write-Attributes request. Unknown names (for the version), malformed
 * values, repeated names and an empty query are CodecErrors (4.00).
 */
export function parseAttributeQuery(query: readonly string[], version: EngineVersion): AttributeUpdate {
  const allowed = version === '1.0' ? V10_NAMES : V11_NAMES;
  const set: MutableAttributes = {};
  const unset = new Set<AttributeName>();
  const seen = new Set<string>();
  if (query.length === 0) throw new CodecError('Write-Attributes without any attribute');
  for (const entry of query) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!allowed.has(name)) throw new CodecError(`'${name}' is not a writable attribute of a LwM2M ${version} client`);
    if (seen.has(name)) throw new CodecError(`attribute '${name}' given twice`);
    seen.add(name);
    const key = name as AttributeName;
    if (eq < 0) {
      unset.add(key);
      continue;
    }
    const text = entry.slice(eq + 1);
    if (INTEGER_NAMES.has(name)) {
      if (!UNSIGNED.test(text)) throw new CodecError(`${name}=${text} is not an unsigned integer`);
      set[key] = Number(text);
    } else {
      if (!DECIMAL.test(text)) throw new CodecError(`${name}=${text} is not a number`);
      const n = Number(text);
      if (!Number.isFinite(n)) throw new CodecError(`${name}=${text} is not a finite number`);
      set[key] = n;
    }
  }
  return { set, unset };
}

/** Applies an update to the attributes of one level. */
export function applyAttributeUpdate(current: Attributes | undefined, update: AttributeUpdate): Attributes {
  const out: MutableAttributes = {};
  for (const k of ATTRIBUTE_NAMES) {
    const v = update.set[k] ?? (update.unset.has(k) ? undefined : current?.[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function isNumeric(def: ResourceDefinition | undefined): boolean {
  return def !== undefined && (def.type === 'integer' || def.type === 'unsigned' || def.type === 'float');
}

/**
 * Checks the attributes of one level after an update (LwM2M Core 1.1.1 5.1.2): gt, lt, st only on
 * a numeric resource (instance), edge only on a boolean one; edge and con are 0 or 1; st is not
 * negative; pmin <= pmax, epmin <= epmax, lt < gt and lt + 2*st < gt. Throws CodecError (4.00).
 */
export function checkAttributes(attrs: Attributes, path: LwM2mPath, def: ResourceDefinition | undefined): void {
  const where = path.toString();
  for (const name of VALUE_NAMES) {
    if (attrs[name as AttributeName] === undefined) continue;
    if (path.depth < 3) throw new CodecError(`${where}: '${name}' applies to a resource, not to an object or instance`);
    if (name === 'edge' ? def?.type !== 'boolean' : !isNumeric(def)) {
      throw new CodecError(`${where}: '${name}' does not apply to a ${def?.type ?? 'unknown'} resource`);
    }
  }
  const { pmin, pmax, gt, lt, st, epmin, epmax, edge, con } = attrs;
  if (edge !== undefined && edge !== 0 && edge !== 1) throw new CodecError(`${where}: edge must be 0 or 1`);
  if (con !== undefined && con !== 0 && con !== 1) throw new CodecError(`${where}: con must be 0 or 1`);
  if (st !== undefined && st < 0) throw new CodecError(`${where}: st must not be negative`);
  if (pmin !== undefined && pmax !== undefined && pmin > pmax) throw new CodecError(`${where}: pmin ${pmin} is greater than pmax ${pmax}`);
  if (epmin !== undefined && epmax !== undefined && epmin > epmax) throw new CodecError(`${where}: epmin ${epmin} is greater than epmax ${epmax}`);
  if (gt !== undefined && lt !== undefined) {
    if (lt >= gt) throw new CodecError(`${where}: lt ${lt} must be less than gt ${gt}`);
    if (st !== undefined && lt + 2 * st >= gt) throw new CodecError(`${where}: lt + 2*st must be less than gt`);
  }
}

function isEmpty(a: Attributes): boolean {
  for (const k of ATTRIBUTE_NAMES) if (a[k] !== undefined) return false;
  return true;
}

/**
 * The attributes every LwM2M Server set (per short server id; the bootstrap server sets none),
 * keyed by path. Small: only levels with attributes hold an entry.
 */
export class AttributeStore {
  /** Created with the first attribute: most clients never get Write-Attributes. */
  #byServer: Map<number, Map<string, Attributes>> | undefined;

  /** The attributes set at exactly `path` by `ssid`. */
  get(ssid: number, path: LwM2mPath): Attributes | undefined {
    return this.#byServer?.get(ssid)?.get(path.toString());
  }

  /** Replaces the attributes of one level (an empty set removes the entry). */
  set(ssid: number, path: LwM2mPath, attrs: Attributes): void {
    let m = this.#byServer?.get(ssid);
    if (isEmpty(attrs)) {
      m?.delete(path.toString());
      if (m?.size === 0) this.clearServer(ssid);
      return;
    }
    if (m === undefined) {
      m = new Map();
      (this.#byServer ??= new Map<number, Map<string, Attributes>>()).set(ssid, m);
    }
    m.set(path.toString(), attrs);
  }

  /** Whether `ssid` set any attribute. */
  has(ssid: number): boolean {
    return this.#byServer?.has(ssid) === true;
  }

  /** Forgets a server's attributes (its account was removed). */
  clearServer(ssid: number): void {
    const byServer = this.#byServer;
    if (byServer?.delete(ssid) === true && byServer.size === 0) this.#byServer = undefined;
  }

  /** Forgets every server's attributes at and below `path` (an instance or resource was deleted). */
  removeBelow(path: LwM2mPath): void {
    const key = path.toString();
    const prefix = key + '/';
    for (const m of this.#byServer?.values() ?? []) {
      for (const k of [...m.keys()]) if (k === key || k.startsWith(prefix)) m.delete(k);
    }
  }

  /**
   * The attributes in force for `ssid` at `path`: `defaults` (the server's pmin/pmax), overridden
   * by the object, instance, resource and resource-instance levels down to `path`.
   */
  effective(ssid: number, path: LwM2mPath, defaults?: Attributes): Attributes {
    const out: MutableAttributes = { ...defaults };
    const m = this.#byServer?.get(ssid);
    if (m === undefined) return out;
    for (let d = 1; d <= path.depth; d++) {
      const a = m.get(path.ancestor(d as 1 | 2 | 3 | 4).toString());
      if (a !== undefined) Object.assign(out, a);
    }
    return out;
  }
}

/** The link attributes of a set of notification attributes, in Discover order. */
export function attributeLinkEntries(attrs: Attributes | undefined): [string, number][] {
  const out: [string, number][] = [];
  if (attrs === undefined) return out;
  for (const k of ATTRIBUTE_NAMES) {
    const v = attrs[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}
