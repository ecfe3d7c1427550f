/**
 * Helpers shared by the object modules: filling an instance with defaults the definition knows,
 * reading typed values back, and running work after the current response went out.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { isInstances, type Registry, type ResourceDataInput } from '../../dm/registry.ts';
import { LwM2mStatusError, NotFoundError } from '../../errors.ts';
import type { ObjectDefinition } from '../../model/object-definition.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { ResourceValue } from '../../model/resource-type.ts';

/** Initial values keyed by resource id; `undefined` entries are skipped. */
export type InitialValues = Readonly<Record<number, ResourceDataInput | undefined>>;

/** The definition of `oid` the engine uses; throws NotFoundError when the catalogue lacks it. */
export function definitionOf(engine: LwM2mEngine, oid: number): ObjectDefinition {
  const def = engine.registry.definition(oid);
  if (def === undefined) throw new NotFoundError(`object ${oid} has no definition in this client's catalogue`);
  return def;
}

/** The entries of `values` whose resource the definition has (object versions differ) and that are defined. */
export function definedValues(def: ObjectDefinition, values: InitialValues): Record<number, ResourceDataInput> {
  const out: Record<number, ResourceDataInput> = {};
  for (const [key, v] of Object.entries(values)) {
    const rid = Number(key);
    if (v === undefined) continue;
    const rdef = def.resources.get(rid);
    if (rdef === undefined || rdef.type === 'none') continue;
    out[rid] = v;
  }
  return out;
}

/**
 * Creates instance `/oid/iid` with `values`, or, when it exists, sets only the resources that hold
 * no data yet (values the application already set win). Resources the definition lacks are skipped.
 */
export function fillInstance(registry: Registry, def: ObjectDefinition, iid: number, values: InitialValues): LwM2mPath {
  const path = LwM2mPath.of(def.id, iid);
  const wanted = definedValues(def, values);
  if (!registry.hasInstance(def.id, iid)) {
    registry.create(path, wanted);
    return path;
  }
  registry.lock();
  try {
    for (const [key, v] of Object.entries(wanted)) {
      const rpath = path.child(Number(key));
      if (registry.get(rpath) === undefined) registry.set(rpath, v);
    }
  } finally {
    registry.unlock();
  }
  return path;
}

/** Whether object `def` has resource `rid`. */
export function hasResource(def: ObjectDefinition, rid: number): boolean {
  return def.resources.has(rid);
}

/** A single value at a resource path, or undefined (absent or multiple). */
export function valueAt(registry: Registry, path: LwM2mPath): ResourceValue | undefined {
  const v = registry.get(path);
  return isInstances(v) ? undefined : v;
}

/** A number at a resource path (integers as numbers), or undefined. */
export function numberAt(registry: Registry, path: LwM2mPath): number | undefined {
  const v = valueAt(registry, path);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** A boolean at a resource path, or undefined. */
export function booleanAt(registry: Registry, path: LwM2mPath): boolean | undefined {
  const v = valueAt(registry, path);
  return typeof v === 'boolean' ? v : undefined;
}

/** A string at a resource path, or undefined. */
export function stringAt(registry: Registry, path: LwM2mPath): string | undefined {
  const v = valueAt(registry, path);
  return typeof v === 'string' ? v : undefined;
}

/** Sets the resources of one instance under the registry lock: one change batch, one notification per observation. */
export function setAll(registry: Registry, path: LwM2mPath, values: InitialValues): void {
  registry.lock();
  try {
    for (const [key, v] of Object.entries(values)) if (v !== undefined) registry.set(path.child(Number(key)), v);
  } finally {
    registry.unlock();
  }
}

/** Runs `fn` after the response to the request being handled went out (the engine answers synchronously first). */
export function afterResponse(fn: () => void): void {
  setImmediate(fn);
}

/** 4.05 Method Not Allowed, for operations the object's state machine does not allow now. */
export function notAllowed(message: string): LwM2mStatusError {
  return new LwM2mStatusError(0x85, message);
}

/** 4.00 Bad Request, for values the object refuses. */
export function badRequest(message: string): LwM2mStatusError {
  return new LwM2mStatusError(0x80, message);
}
