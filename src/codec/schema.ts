import { CodecError } from '../errors.ts';
import type { DefinitionLookup, ObjectDefinition, ResourceDefinition } from '../model/object-definition.ts';
import type { LwM2mPath } from '../model/path.ts';

/**
 * Looks up the definition of the resource a value path names, once per object per payload.
 *
 * Decoding (`forValue`) is strict when definitions are given: an unknown object (unless
 * `allowUnknownObjects`), an unknown resource, an instance other than 0 of a single-instance object,
 * a resource-instance path for a single resource (or the reverse) and executable resources are
 * CodecErrors (LwM2M Core 7.4: the engine answers 4.00). Encoding (`lookup`) only reads the type.
 */
export class ResourceResolver {
  readonly #defs: DefinitionLookup | undefined;
  readonly #allowUnknown: boolean;
  #lastOid = -1;
  #lastObject: ObjectDefinition | undefined;

  constructor(definitions: DefinitionLookup | undefined, allowUnknownObjects = false) {
    this.#defs = definitions;
    this.#allowUnknown = allowUnknownObjects;
  }

  get hasDefinitions(): boolean {
    return this.#defs !== undefined;
  }

  object(oid: number): ObjectDefinition | undefined {
    if (oid !== this.#lastOid) {
      this.#lastObject = this.#defs?.object(oid);
      this.#lastOid = oid;
    }
    return this.#lastObject;
  }

  /** The definition for a value at `path` (depth 3 or 4) without any checks. */
  lookup(path: LwM2mPath): ResourceDefinition | undefined {
    const ids = path.ids;
    if (ids.length < 3) return undefined;
    return this.object(ids[0]!)?.resources.get(ids[2]!);
  }

  /** Whether definitions say the resource at `path` (depth >= 3) is multi-instance; undefined when unknown. */
  isMultiple(path: LwM2mPath): boolean | undefined {
    return this.lookup(path)?.multiple;
  }

  /** The definition for a decoded value at `path`, with the checks listed on the class. */
  forValue(path: LwM2mPath): ResourceDefinition | undefined {
    const ids = path.ids;
    if (ids.length < 3) throw new CodecError(`${path.toString()}: a value needs a resource or resource-instance path`);
    if (this.#defs === undefined) return undefined;
    const obj = this.object(ids[0]!);
    if (obj === undefined) {
      if (this.#allowUnknown) return undefined;
      throw new CodecError(`${path.toString()}: unknown object ${ids[0]!}`);
    }
    if (!obj.multiple && ids[1] !== 0) {
      throw new CodecError(`${path.toString()}: object ${obj.id} is single-instance, it has no instance ${ids[1]!}`);
    }
    const res = obj.resources.get(ids[2]!);
    if (res === undefined) throw new CodecError(`${path.toString()}: object ${obj.id} has no resource ${ids[2]!}`);
    if (res.type === 'none') throw new CodecError(`${path.toString()}: resource ${res.id} is executable and has no value`);
    if (res.multiple && ids.length === 3) {
      throw new CodecError(`${path.toString()}: resource ${res.id} is multi-instance, values need resource-instance paths`);
    }
    if (!res.multiple && ids.length === 4) {
      throw new CodecError(`${path.toString()}: resource ${res.id} is single-instance, it has no resource instances`);
    }
    return res;
  }
}
