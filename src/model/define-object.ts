import { DdfError } from '../errors.ts';
import type { ObjectDefinition, Operations, RangeConstraint, ResourceDefinition } from './object-definition.ts';
import { MAX_ID } from './path.ts';
import { formatRange, parseRange, rangeAppliesTo } from './range.ts';
import type { ResourceInputMap, ResourceType, ResourceValueMap, ValueType } from './resource-type.ts';
import { RESOURCE_TYPES } from './resource-type.ts';

/** One resource of an object spec (LwM2M Core Appendix D.1 resource fields). */
export interface ResourceSpec {
  readonly name: string;
  readonly type: ResourceType;
  readonly ops: Operations;
  /** Multiple resource instances; default false. */
  readonly multiple?: boolean;
  /** Mandatory resource; default false. */
  readonly mandatory?: boolean;
  /** RangeEnumeration text ("0..7", "1..255 bytes"), parsed where machine-checkable, or a constraint. */
  readonly range?: string | RangeConstraint;
  readonly units?: string;
  readonly description?: string;
}

/** An object as `defineObject` takes it: the DDF's object fields, resources keyed by id. */
export interface ObjectSpec {
  readonly id: number;
  readonly name: string;
  /** Multiple object instances. */
  readonly multiple: boolean;
  /** Mandatory object; default false. */
  readonly mandatory?: boolean;
  /** Object version "major.minor"; default "1.0". */
  readonly version?: string;
  /** LwM2M enabler version the object needs, e.g. "1.1". */
  readonly lwm2mVersion?: string;
  /** Object URN; default urn:oma:lwm2m:{oma|ext|x}:id[:version] by the id range. */
  readonly urn?: string;
  readonly description?: string;
  readonly resources: { readonly [rid: number]: ResourceSpec };
}

/** An ObjectDefinition that remembers its spec, so resource ids and value types are known at compile time. */
export interface DefinedObject<S extends ObjectSpec = ObjectSpec> extends ObjectDefinition {
  readonly spec: S;
}

type SpecOf<D> = D extends DefinedObject<infer S> ? S : D extends ObjectSpec ? D : never;
type ResourcesOf<D> = SpecOf<D>['resources'];

/** The resource ids of a defined object (or spec), as a union of number literals. */
export type ResourceIdsOf<D> = Extract<keyof ResourcesOf<D>, number>;

/** The spec of resource `R` of `D`. */
export type ResourceSpecOf<D, R extends ResourceIdsOf<D>> = ResourcesOf<D>[R];

type TypeOf<D, R extends ResourceIdsOf<D>> = ResourceSpecOf<D, R> extends { readonly type: infer T } ? T : never;

/** Ids of resources that hold a value (every type but 'none'). */
export type ValueResourceIdsOf<D> = {
  [R in ResourceIdsOf<D>]: TypeOf<D, R> extends ValueType ? R : never;
}[ResourceIdsOf<D>];

/** Ids of executable resources (operations 'E'). */
export type ExecutableIdsOf<D> = {
  [R in ResourceIdsOf<D>]: ResourceSpecOf<D, R> extends { readonly ops: 'E' } ? R : never;
}[ResourceIdsOf<D>];

/** Ids of resources declared with multiple instances. */
export type MultipleIdsOf<D> = {
  [R in ResourceIdsOf<D>]: ResourceSpecOf<D, R> extends { readonly multiple: true } ? R : never;
}[ResourceIdsOf<D>];

/** The JS value a resource (instance) of `D` holds, as `get` returns it (ResourceValueMap). */
export type ValueOf<D, R extends ResourceIdsOf<D>> = TypeOf<D, R> extends ValueType ? ResourceValueMap[TypeOf<D, R>] : never;

/** What the application may pass to `set` for resource `R` of `D` (ResourceInputMap: Time also as seconds). */
export type InputOf<D, R extends ResourceIdsOf<D>> = TypeOf<D, R> extends ValueType ? ResourceInputMap[TypeOf<D, R>] : never;

/** Values of a multiple resource: a list (instance ids 0..n-1), a map or an object keyed by instance id. */
export type MultipleInput<V> = readonly V[] | ReadonlyMap<number, V> | { readonly [riid: number]: V };

/** Initial values of an object instance, e.g. for `create(iid, values)`; every resource optional. */
export type InstanceValues<D> = {
  readonly [R in ValueResourceIdsOf<D>]?: R extends MultipleIdsOf<D> ? MultipleInput<InputOf<D, R>> : InputOf<D, R>;
};

const OPERATIONS: readonly string[] = ['', 'R', 'W', 'RW', 'E'];
const VERSION_RE = /^\d+\.\d+$/;

const frozenMaps = new WeakSet<ReadonlyMap<unknown, unknown>>();

/** A Map that refuses changes once built, so shared definitions stay immutable at run time. */
class FrozenMap<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    if (frozenMaps.has(this)) throw new TypeError('object definitions are immutable');
    return super.set(key, value);
  }
  override delete(_key: K): boolean {
    throw new TypeError('object definitions are immutable');
  }
  override clear(): void {
    throw new TypeError('object definitions are immutable');
  }
}

function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new FrozenMap<K, V>(entries);
  frozenMaps.add(map);
  return map;
}

/**
 * The default URN of an object (LwM2M Core 7.2.2 object id classes): `oma` for 0..2047 (OMA),
 * `ext` for 2048..10240 (other standards bodies, IPSO), `x` above (vendor and private objects).
 */
export function defaultUrn(id: number, version: string): string {
  const kind = id < 2048 ? 'oma' : id <= 10240 ? 'ext' : 'x';
  return version === '1.0' ? `urn:oma:lwm2m:${kind}:${id}` : `urn:oma:lwm2m:${kind}:${id}:${version}`;
}

function checkId(what: string, id: number, objectId?: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new DdfError(`${what} id ${String(id)} is not an integer 0..${MAX_ID}`, { objectId });
  }
}

function resourceDefinition(oid: number, rid: number, spec: ResourceSpec): ResourceDefinition {
  const where = { objectId: oid, resourceId: rid };
  if (typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new DdfError(`object ${oid} resource ${rid}: missing name`, where);
  }
  if (!(RESOURCE_TYPES as readonly string[]).includes(spec.type)) {
    throw new DdfError(`object ${oid} resource ${rid}: unknown type '${spec.type as string}'`, where);
  }
  if (!OPERATIONS.includes(spec.ops)) {
    throw new DdfError(`object ${oid} resource ${rid}: unknown operations '${spec.ops as string}'`, where);
  }
  let rangeText: string | undefined;
  let range: RangeConstraint | undefined;
  if (typeof spec.range === 'string') {
    rangeText = spec.range.trim() === '' ? undefined : spec.range.trim();
    range = rangeText === undefined ? undefined : parseRange(rangeText, spec.type);
  } else if (spec.range !== undefined) {
    if (!rangeAppliesTo(spec.range, spec.type)) {
      throw new DdfError(`object ${oid} resource ${rid}: a ${spec.range.kind} range does not apply to type ${spec.type}`, where);
    }
    range = Object.freeze({ ...spec.range });
    rangeText = formatRange(range);
  }
  const def: {
    -readonly [K in keyof ResourceDefinition]: ResourceDefinition[K];
  } = {
    id: rid,
    name: spec.name,
    operations: spec.ops,
    multiple: spec.multiple === true,
    mandatory: spec.mandatory === true,
    type: spec.type,
  };
  if (rangeText !== undefined) def.rangeText = rangeText;
  if (range !== undefined) def.range = range;
  if (spec.units !== undefined && spec.units !== '') def.units = spec.units;
  if (spec.description !== undefined && spec.description !== '') def.description = spec.description;
  return Object.freeze(def);
}

/**
 * Builds an immutable ObjectDefinition (LwM2M Core 5.1 / Appendix D.1) from a compact spec:
 *
 * ```ts
 * const Temp = defineObject({ id: 3303, name: 'Temperature', multiple: true, resources: {
 *   5700: { name: 'Sensor Value', type: 'float', ops: 'R', mandatory: true, units: 'Cel' },
 * } });
 * ```
 *
 * The result keeps the spec's literal types (`ResourceIdsOf<typeof Temp>` is `5700`,
 * `ValueOf<typeof Temp, 5700>` is `number`), so handles built on it can be typed at compile time.
 * Range texts are parsed with `parseRange`. Throws `DdfError` for an invalid spec.
 */
export function defineObject<const S extends ObjectSpec>(spec: S): DefinedObject<S> {
  const oid = spec.id;
  checkId('object', oid);
  if (typeof spec.name !== 'string' || spec.name.trim() === '') throw new DdfError(`object ${oid}: missing name`, { objectId: oid });
  if (typeof spec.multiple !== 'boolean') throw new DdfError(`object ${oid}: 'multiple' must be a boolean`, { objectId: oid });
  const version = spec.version ?? '1.0';
  if (!VERSION_RE.test(version)) throw new DdfError(`object ${oid}: version '${version}' is not major.minor`, { objectId: oid });
  if (spec.lwm2mVersion !== undefined && !VERSION_RE.test(spec.lwm2mVersion)) {
    throw new DdfError(`object ${oid}: LwM2M version '${spec.lwm2mVersion}' is not major.minor`, { objectId: oid });
  }
  const entries: [number, ResourceDefinition][] = [];
  for (const [key, rspec] of Object.entries(spec.resources)) {
    const rid = /^(?:0|[1-9]\d{0,4})$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(rid) || rid > MAX_ID) {
      throw new DdfError(`object ${oid}: resource id '${key}' is not an integer 0..${MAX_ID}`, { objectId: oid });
    }
    entries.push([rid, resourceDefinition(oid, rid, rspec)]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  const def: {
    -readonly [K in keyof DefinedObject<S>]: DefinedObject<S>[K];
  } = {
    id: oid,
    name: spec.name,
    version,
    urn: spec.urn ?? defaultUrn(oid, version),
    multiple: spec.multiple,
    mandatory: spec.mandatory === true,
    resources: frozenMap(entries),
    spec,
  };
  if (spec.lwm2mVersion !== undefined) def.lwm2mVersion = spec.lwm2mVersion;
  if (spec.description !== undefined && spec.description !== '') def.description = spec.description;
  return Object.freeze(def);
}
