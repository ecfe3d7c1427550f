import type { DdfOptions } from './ddf.ts';
import { parseDdf } from './ddf.ts';
import type { DefinitionLookup, ObjectDefinition, ResourceDefinition } from './object-definition.ts';
import type { Lwm2mVersion } from './objects/index.ts';
import { BUILTIN_PROFILES, DEFAULT_LWM2M_VERSION } from './objects/index.ts';

/**
 * A set of object definitions, one per object id (LwM2M Core 5.1): where codecs, operations and
 * the server look objects up. Immutable: `withDefinitions` / `loadDdf` / `without` return a new
 * catalogue, so one catalogue can be shared by thousands of clients at module level.
 */
export class ObjectCatalogue implements DefinitionLookup, Iterable<ObjectDefinition> {
  static readonly #builtins = new Map<Lwm2mVersion, ObjectCatalogue>();

  readonly #objects: ReadonlyMap<number, ObjectDefinition>;

  /** Later definitions of the same object id replace earlier ones. */
  constructor(definitions: Iterable<ObjectDefinition> = []) {
    const map = new Map<number, ObjectDefinition>();
    for (const def of definitions) map.set(def.id, def);
    this.#objects = new Map([...map].sort((a, b) => a[0] - b[0]));
  }

  /**
   * The built-in definitions of an enabler version's profile (see `BUILTIN_PROFILES`), one shared
   * instance per version; default LwM2M 1.1.
   */
  static builtin(version: Lwm2mVersion = DEFAULT_LWM2M_VERSION): ObjectCatalogue {
    let cat = ObjectCatalogue.#builtins.get(version);
    if (cat === undefined) {
      cat = new ObjectCatalogue(BUILTIN_PROFILES[version]);
      ObjectCatalogue.#builtins.set(version, cat);
    }
    return cat;
  }

  object(oid: number): ObjectDefinition | undefined {
    return this.#objects.get(oid);
  }

  /** The definition of resource `rid` of object `oid`, if both are known. */
  resource(oid: number, rid: number): ResourceDefinition | undefined {
    return this.#objects.get(oid)?.resources.get(rid);
  }

  has(oid: number): boolean {
    return this.#objects.has(oid);
  }

  get size(): number {
    return this.#objects.size;
  }

  /** Object ids in ascending order. */
  ids(): number[] {
    return [...this.#objects.keys()];
  }

  [Symbol.iterator](): Iterator<ObjectDefinition> {
    return this.#objects.values();
  }

  /** A new catalogue with these definitions added, replacing any of the same object id. */
  withDefinitions(...definitions: readonly ObjectDefinition[]): ObjectCatalogue {
    return new ObjectCatalogue([...this.#objects.values(), ...definitions]);
  }

  /** A new catalogue with the objects of a DDF XML document added (see `parseDdf`); throws `DdfError`. */
  loadDdf(xml: string | Uint8Array, options?: DdfOptions): ObjectCatalogue {
    return this.withDefinitions(...parseDdf(xml, options));
  }

  /** A new catalogue without these object ids. */
  without(...oids: readonly number[]): ObjectCatalogue {
    const drop = new Set(oids);
    return new ObjectCatalogue([...this.#objects.values()].filter((d) => !drop.has(d.id)));
  }
}

/** The built-in catalogue of the default profile (LwM2M 1.1), shared at module level. */
export const DEFAULT_CATALOGUE: ObjectCatalogue = ObjectCatalogue.builtin();

/** Looks up resource `rid` of object `oid` in any DefinitionLookup (default: the built-in catalogue). */
export function resourceDefinition(
  oid: number,
  rid: number,
  lookup: DefinitionLookup = DEFAULT_CATALOGUE,
): ResourceDefinition | undefined {
  return lookup.object(oid)?.resources.get(rid);
}
