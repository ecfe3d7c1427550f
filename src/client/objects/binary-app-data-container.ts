/**
 * BinaryAppDataContainer (object 19, registry object 19): opaque application data exchanged with a
 * server, one instance per direction or per purpose. The application appends data instances
 * (/19/x/0/n) with their creation time, priority, description and format, and learns of the data a
 * server writes (`data` events, also for instances a server creates).
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { isInstances, type InstancesChange } from '../../dm/registry.ts';
import { LwM2mPath } from '../../model/path.ts';
import { TypedEmitter } from '../../util/typed-events.ts';
import { definitionOf, fillInstance, setAll } from './common.ts';

const CONTAINER = 19;

export interface ContainerOptions {
  readonly iid?: number;
  /** /19/x/1 0 immediate, 1 best effort, 2 latest. */
  readonly priority?: number;
  /** /19/x/3 e.g. "meter reading". */
  readonly description?: string;
  /** /19/x/4 e.g. "UTF8-string". */
  readonly format?: string;
  /** /19/x/5 destination application id. */
  readonly appId?: number;
}

export interface ContainerEvents {
  /** A server wrote data into an instance: the data instance path and its bytes. */
  data: { readonly path: LwM2mPath; readonly data: Uint8Array; readonly ssid: number | undefined };
  error: Error;
}

/** The application's handle on object 19. */
export class BinaryAppDataContainerObject extends TypedEmitter<ContainerEvents> {
  readonly #engine: LwM2mEngine;
  readonly #watched = new Set<number>();
  readonly #off: () => void;

  constructor(engine: LwM2mEngine) {
    super();
    this.#engine = engine;
    engine.registry.supportObject(CONTAINER);
    for (const iid of engine.registry.instanceIds(CONTAINER)) this.#watch(iid);
    const onChange = (change: InstancesChange): void => {
      for (const p of change.created) {
        if (p.ids[0] !== CONTAINER) continue;
        this.#watch(p.ids[1]!);
        // Data a server sent with its Create reaches no post-write callback.
        if (change.source === 'server') for (const [riid, data] of this.data(p.ids[1]!)) this.emit('data', { path: p.child(0).child(riid), data, ssid: change.ssid });
      }
      for (const p of change.deleted) if (p.ids[0] === CONTAINER) this.#watched.delete(p.ids[1]!);
    };
    engine.on('instances-changed', onChange);
    this.#off = () => engine.off('instances-changed', onChange);
  }

  /** Stops following instances servers create. */
  dispose(): void {
    this.#off();
  }

  #watch(iid: number): void {
    if (this.#watched.has(iid)) return;
    this.#watched.add(iid);
    this.#engine.registry.onPostWrite(LwM2mPath.of(CONTAINER, iid, 0), (value, ctx) => {
      if (ctx.source === 'app' || !(value instanceof Uint8Array)) return;
      this.emit('data', { path: ctx.path, data: value, ssid: ctx.ssid });
    });
  }

  /** Creates a container instance (default: lowest free id) and returns its id. */
  create(options: ContainerOptions = {}): number {
    const reg = this.#engine.registry;
    const iid = options.iid ?? reg.freeInstanceId(CONTAINER);
    fillInstance(reg, definitionOf(this.#engine, CONTAINER), iid, {
      0: [],
      1: options.priority,
      3: options.description,
      4: options.format,
      5: options.appId,
    });
    this.#watch(iid);
    return iid;
  }

  /** Appends a data instance to container `iid` (creating it if needed) and sets Data Creation Time; returns its path. */
  append(iid: number, data: Uint8Array, options: { readonly time?: Date } = {}): LwM2mPath {
    const reg = this.#engine.registry;
    if (!reg.hasInstance(CONTAINER, iid)) this.create({ iid });
    const ids = reg.resourceInstanceIds(CONTAINER, iid, 0);
    const riid = ids.length === 0 ? 0 : ids[ids.length - 1]! + 1;
    const path = LwM2mPath.of(CONTAINER, iid, 0, riid);
    setAll(reg, LwM2mPath.of(CONTAINER, iid), { 2: options.time ?? new Date(this.#engine.clock.wallTime()) });
    reg.set(path, data);
    return path;
  }

  /** The data instances of container `iid`, by resource instance id. */
  data(iid: number): Map<number, Uint8Array> {
    const v = this.#engine.registry.get(LwM2mPath.of(CONTAINER, iid, 0));
    const out = new Map<number, Uint8Array>();
    if (isInstances(v)) for (const [riid, d] of v) if (d instanceof Uint8Array) out.set(riid, d);
    return out;
  }

  /** Removes every data instance of container `iid`. */
  clear(iid: number): void {
    this.#engine.registry.set(LwM2mPath.of(CONTAINER, iid, 0), []);
  }
}

/** Installs object 19's behaviour (supported even without instances); returns its handle. */
export function installBinaryAppDataContainer(engine: LwM2mEngine): BinaryAppDataContainerObject {
  return new BinaryAppDataContainerObject(engine);
}
