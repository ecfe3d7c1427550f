/**
 * Typed handles for application objects: `client.install(Temperature).create(0, {...}).set(5700, 22.1)`
 * checks resource ids and value types at compile time from the object's definition.
 */
import type { Registry } from '../dm/registry.ts';
import type { ExecuteCallback, ResourceData } from '../dm/registry.ts';
import type { ExecutableIdsOf, InputOf, InstanceValues, MultipleIdsOf, MultipleInput, ValueResourceIdsOf } from '../model/define-object.ts';
import type { ObjectDefinition } from '../model/object-definition.ts';
import { LwM2mPath } from '../model/path.ts';

type SetInput<D, R extends ValueResourceIdsOf<D>> = R extends MultipleIdsOf<D> ? MultipleInput<InputOf<D, R>> : InputOf<D, R>;

export class InstanceHandle<D extends ObjectDefinition> {
  readonly #registry: Registry;
  readonly path: LwM2mPath;

  constructor(registry: Registry, path: LwM2mPath) {
    this.#registry = registry;
    this.path = path;
  }

  get iid(): number {
    return this.path.instanceId!;
  }

  /** Sets a resource; notifies observers when the value changed. */
  set<R extends ValueResourceIdsOf<D>>(rid: R, value: SetInput<D, R>, options?: { readOnly?: boolean }): this {
    this.#registry.set(this.path.child(rid), value, options);
    return this;
  }

  get(rid: ValueResourceIdsOf<D>): ResourceData | undefined {
    return this.#registry.get(this.path.child(rid));
  }

  onExecute(rid: ExecutableIdsOf<D>, cb: ExecuteCallback): () => void {
    return this.#registry.onExecute(this.path.child(rid), cb);
  }

  delete(): boolean {
    return this.#registry.delete(this.path);
  }
}

export class ObjectHandle<D extends ObjectDefinition> {
  readonly #registry: Registry;
  readonly definition: D;

  constructor(registry: Registry, definition: D) {
    this.#registry = registry;
    this.definition = definition;
  }

  /** Creates an instance (lowest free id when `iid` is omitted) with initial values. */
  create(iid?: number, values?: InstanceValues<D>): InstanceHandle<D> {
    const path = iid === undefined ? LwM2mPath.of(this.definition.id) : LwM2mPath.of(this.definition.id, iid);
    const created = this.#registry.create(path, values);
    return new InstanceHandle<D>(this.#registry, created);
  }

  /** The handle of an existing instance. */
  instance(iid: number): InstanceHandle<D> | undefined {
    return this.#registry.hasInstance(this.definition.id, iid) ? new InstanceHandle<D>(this.#registry, LwM2mPath.of(this.definition.id, iid)) : undefined;
  }

  instances(): InstanceHandle<D>[] {
    return this.#registry.instanceIds(this.definition.id).map((iid) => new InstanceHandle<D>(this.#registry, LwM2mPath.of(this.definition.id, iid)));
  }
}
