import type { DefinitionLookup, ObjectDefinition } from '../model/object-definition.ts';

/**
 * The definitions one client knows: the shared built-in catalogue plus the application's own objects
 * (installed at any time). Built-ins stay shared; only the additions are per client.
 */
export class ClientDefinitions implements DefinitionLookup {
  readonly #base: DefinitionLookup;
  #extra: Map<number, ObjectDefinition> | undefined;

  constructor(base: DefinitionLookup) {
    this.#base = base;
  }

  object(oid: number): ObjectDefinition | undefined {
    return this.#extra?.get(oid) ?? this.#base.object(oid);
  }

  /** Adds or overrides a definition. */
  add(definition: ObjectDefinition): void {
    (this.#extra ??= new Map()).set(definition.id, definition);
  }
}
