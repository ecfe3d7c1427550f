/**
 * The application's calls on a data model (the seed's lwm2m_set_* / lwm2m_get_* and callbacks),
 * shared by LwM2mClient and a gateway's IotDevice: each one is its engine's registry.
 */
import type { CacheOverflow } from '../dm/cache.ts';
import type { LwM2mEngine } from '../dm/engine.ts';
import type {
  CacheFilter,
  ExecuteCallback,
  InstanceCallback,
  PostWriteCallback,
  PreWriteCallback,
  ReadCallback,
  Registry,
  ResourceData,
  ResourceDataInput,
  ValidateCallback,
} from '../dm/registry.ts';
import type { LwM2mPath, PathLike } from '../model/path.ts';
import { TypedEmitter } from '../util/typed-events.ts';

export abstract class DataModelApi<Events extends object> extends TypedEmitter<Events> {
  /** The engine whose registry holds the data model. */
  abstract readonly engine: LwM2mEngine;

  get registry(): Registry {
    return this.engine.registry;
  }

  set(path: PathLike, value: ResourceDataInput, options?: { readOnly?: boolean }): void {
    this.registry.set(path, value, options);
  }
  get(path: PathLike): ResourceData | undefined {
    return this.registry.get(path);
  }
  create(path: PathLike, values?: Readonly<Record<number, ResourceDataInput>>): LwM2mPath {
    return this.registry.create(path, values);
  }
  delete(path: PathLike): boolean {
    return this.registry.delete(path);
  }
  onRead(path: PathLike, cb: ReadCallback): () => void {
    return this.registry.onRead(path, cb);
  }
  onPreWrite(path: PathLike, cb: PreWriteCallback): () => void {
    return this.registry.onPreWrite(path, cb);
  }
  onValidate(path: PathLike, cb: ValidateCallback): () => void {
    return this.registry.onValidate(path, cb);
  }
  onPostWrite(path: PathLike, cb: PostWriteCallback): () => void {
    return this.registry.onPostWrite(path, cb);
  }
  onExecute(path: PathLike, cb: ExecuteCallback): () => void {
    return this.registry.onExecute(path, cb);
  }
  onCreate(oid: number, cb: InstanceCallback): () => void {
    return this.registry.onCreate(oid, cb);
  }
  onDelete(oid: number, cb: InstanceCallback): () => void {
    return this.registry.onDelete(oid, cb);
  }
  /** The seed's lwm2m_registry_lock: changes until unlock() produce one notification per observation. */
  lock(): void {
    this.registry.lock();
  }
  unlock(): void {
    this.registry.unlock();
  }
  /** Time-series cache of a resource (the seed's lwm2m_enable_cache); `filter` decides which values are kept. */
  enableCache(path: PathLike, size: number, options?: { filter?: CacheFilter; overflow?: CacheOverflow }): void {
    this.registry.enableCache(path, size, options);
  }
  /** Tells observers that a resource served by a read callback changed. */
  changed(path: PathLike): void {
    this.registry.changed(path);
  }
}
