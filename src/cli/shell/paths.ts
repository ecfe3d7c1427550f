/**
 * Paths as the shell takes them (`/3/0/0` or the seed's `3/0/0`, LwM2M Core 7.1) and the checks
 * that turn a path into a clear message: unknown object, missing instance, undefined resource.
 */
import type { Registry } from '../../dm/registry.ts';
import { InvalidPathError } from '../../errors.ts';
import type { ObjectDefinition, ResourceDefinition } from '../../model/object-definition.ts';
import { LwM2mPath } from '../../model/path.ts';
import { UsageError } from '../errors.ts';

const DEPTH_NAMES = ['the root', 'an object', 'an object instance', 'a resource', 'a resource instance'] as const;

/** Parses a path; the message says what is wrong with it. */
export function parseShellPath(text: string): LwM2mPath {
  try {
    return LwM2mPath.parse(text);
  } catch (error) {
    if (error instanceof InvalidPathError) throw new UsageError(error.message);
    throw error;
  }
}

/** Parses a path of one of the `depths` (e.g. [3, 4] for resource or resource instance). */
export function pathOfDepth(text: string, depths: readonly number[], example: string): LwM2mPath {
  const path = parseShellPath(text);
  if (!depths.includes(path.depth)) {
    const wanted = depths.map((d) => DEPTH_NAMES[d] ?? `depth ${d}`).join(' or ');
    throw new UsageError(`${path.toString()} is ${DEPTH_NAMES[path.depth]}; give ${wanted} path, e.g. ${example}`);
  }
  return path;
}

/** The definition of the path's object; throws when the client does not know it. */
export function objectOf(registry: Registry, path: LwM2mPath): ObjectDefinition {
  const oid = path.objectId!;
  const def = registry.definition(oid);
  if (def === undefined) throw new UsageError(`object ${oid} is not defined in this client`);
  return def;
}

/** Checks that the path's object instance exists. */
export function requireInstance(registry: Registry, path: LwM2mPath): void {
  objectOf(registry, path);
  const inst = path.ancestor(2);
  if (!registry.hasInstance(path.objectId!, path.instanceId!)) throw new UsageError(`${inst.toString()} does not exist`);
}

/** The definition of the path's resource; the object instance must exist. */
export function resourceOf(registry: Registry, path: LwM2mPath): ResourceDefinition {
  const def = objectOf(registry, path);
  requireInstance(registry, path);
  const rdef = def.resources.get(path.resourceId!);
  if (rdef === undefined) throw new UsageError(`object ${def.id} (${def.name}) has no resource ${path.resourceId!}`);
  if (path.depth === 4 && !rdef.multiple) throw new UsageError(`${path.parent().toString()} (${rdef.name}) has a single instance; use ${path.parent().toString()}`);
  return rdef;
}
