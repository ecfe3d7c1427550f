/**
 * The data registry of ONE LwM2M client (LwM2M Core 1.1.1 section 5.1, the seed's lwm2m_registry):
 * object instances, resource and resource-instance values, the callbacks the application attaches
 * by path, the registry lock, change events and the time-series data cache.
 *
 * Object definitions are shared and immutable (an ObjectCatalogue); a registry holds only values,
 * so thousands of clients fit in one process. Values are checked against their definition (type
 * and range) on the way in: `set()` throws ValueError, a server's payload was already checked by
 * the codec.
 */
import { MethodNotAllowedError, NotFoundError, ValueError } from '../errors.ts';
import type { MultipleInput } from '../model/define-object.ts';
import type { DefinitionLookup, ObjectDefinition, ResourceDefinition } from '../model/object-definition.ts';
import { LwM2mPath, toPath, type PathLike } from '../model/path.ts';
import { coerceResourceValue, valuesEqual, type ResourceInput, type ResourceValue } from '../model/resource-type.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { TypedEmitter } from '../util/typed-events.ts';
import { CacheError, DataCache, type CacheOverflow, type CacheValue, type CacheValueType } from './cache.ts';
import { InstanceExistsError } from './errors.ts';
import type { ExecuteArguments } from './execute-args.ts';

/** A resource's data as `get()` returns it: one value, or the instances of a multiple resource. */
export type ResourceData = ResourceValue | ReadonlyMap<number, ResourceValue>;

/** What `set()` accepts: a value, or for a multiple resource its instances (list, Map or object). */
export type ResourceDataInput = ResourceInput | MultipleInput<ResourceInput>;

/** Who changed the data: the application, an LwM2M server, or the bootstrap server. */
export type WriteSource = 'app' | 'server' | 'bootstrap';

/** Where a block of a block-wise (Block1, RFC 7959) opaque write sits, as the seed's callbacks get it. */
export interface BlockContext {
  /** Byte offset of this block in the whole value. */
  readonly offset: number;
  /** True for the final block (and for a write that came in one piece). */
  readonly last: boolean;
  /** Total size when the peer announced it (Size1), or the length of a one-piece write. */
  readonly totalSize: number | undefined;
}

/** Handed to pre-write, validate and post-write callbacks. */
export interface WriteContext {
  /** The resource (single) or resource-instance path written. */
  readonly path: LwM2mPath;
  readonly source: WriteSource;
  /** Short server id of the writing server (undefined for the application and the bootstrap server). */
  readonly ssid: number | undefined;
  /** Set for opaque writes: the block this value is (a one-piece write is block 0 and last). */
  readonly block: BlockContext | undefined;
}

/** Handed to execute callbacks. */
export interface ExecuteContext {
  readonly path: LwM2mPath;
  readonly ssid: number | undefined;
}

/** Handed to create and delete callbacks. */
export interface InstanceContext {
  readonly path: LwM2mPath;
  readonly source: WriteSource;
  readonly ssid: number | undefined;
}

/** Returns the current value of a dynamic resource (the seed's read callback); undefined: use the stored value. */
export type ReadCallback = (path: LwM2mPath) => ResourceDataInput | undefined;
/** Called before a value is written (the seed's pre-write callback); throw LwM2mStatusError to refuse. */
export type PreWriteCallback = (ctx: WriteContext) => void;
/** Checks a value about to be written; throw LwM2mStatusError(code) to reject the whole write. */
export type ValidateCallback = (value: ResourceValue, ctx: WriteContext) => void;
/** Called after a value was written (and for each block of a streamed opaque write). */
export type PostWriteCallback = (value: ResourceValue, ctx: WriteContext) => void | Promise<void>;
/** Runs an executable resource with its parsed arguments (LwM2M Core 1.1.1 6.3.5). */
export type ExecuteCallback = (args: ExecuteArguments, ctx: ExecuteContext) => void | Promise<void>;
/** Called before an object instance is created or deleted; throw LwM2mStatusError to refuse. */
export type InstanceCallback = (iid: number, ctx: InstanceContext) => void;
/** Decides whether a value goes into the data cache (the seed uses the validate callback for it). */
export type CacheFilter = (value: ResourceValue, path: LwM2mPath) => boolean;

/**
 * @internal Executables the engine implements for every instance of an object (e.g. /1/x/8): one
 * provider per registry rather than a callback per resource and client.
 */
export interface BuiltinExecutables {
  /** The callback of resource `rid` of object `oid`, or undefined when the engine implements none. */
  builtinExecute(oid: number, rid: number): ExecuteCallback | undefined;
}

/** One resource write planned by an operation, applied by `commitWrites`. */
export interface ResourceWrite {
  readonly oid: number;
  readonly iid: number;
  readonly rid: number;
  /** Single-instance resources: the new value. */
  readonly value?: ResourceValue | undefined;
  /** Multiple resources: the instances written. */
  readonly instances?: ReadonlyMap<number, ResourceValue> | undefined;
  /** For multiple resources: 'replace' drops instances not written, 'merge' keeps them. */
  readonly mode: 'replace' | 'merge';
}

export interface CommitOptions {
  readonly source: WriteSource;
  readonly ssid?: number | undefined;
  readonly block?: BlockContext | undefined;
  /** Store the values (default). False runs the callbacks only (streamed Block1 writes). */
  readonly store?: boolean;
}

export interface InstancesChange {
  readonly source: WriteSource;
  readonly ssid: number | undefined;
  readonly created: readonly LwM2mPath[];
  readonly deleted: readonly LwM2mPath[];
}

export interface RegistryEvents {
  /** Paths whose data changed (one batch per change, or per unlock). */
  change: readonly LwM2mPath[];
  /** Object instances were created or deleted (the RD client sends an Update with the object list). */
  'instances-changed': InstancesChange;
  /** A post-write callback of an application `set()` failed asynchronously. */
  error: Error;
}

type Slot = ResourceValue | Map<number, ResourceValue>;
type Instance = Map<number, Slot>;

function isMap(s: Slot | undefined): s is Map<number, ResourceValue> {
  return s instanceof Map;
}

/** Whether resource data is the instances of a multiple resource. */
export function isInstances(d: ResourceData | undefined): d is ReadonlyMap<number, ResourceValue> {
  return d instanceof Map;
}

const RIID = /^(?:0|[1-9]\d{0,4})$/;

/** The instance ids and inputs of a multiple resource's value (list, Map or object keyed by id). */
function multipleEntries(input: unknown, where: string): [number, unknown][] {
  if (Array.isArray(input)) return input.map((v, i): [number, unknown] => [i, v]);
  if (input instanceof Map) {
    return [...(input as Map<unknown, unknown>)].map(([k, v]): [number, unknown] => {
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > 65534) throw new ValueError(`${where}: resource instance id ${String(k)} is not 0..65534`);
      return [k, v];
    });
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && !(input instanceof Date) && !('oid' in input)) {
    return Object.entries(input).map(([k, v]): [number, unknown] => {
      if (!RIID.test(k) || Number(k) > 65534) throw new ValueError(`${where}: resource instance id '${k}' is not 0..65534`);
      return [Number(k), v];
    });
  }
  throw new ValueError(`${where} has several instances: give a list, a Map or an object keyed by instance id`);
}

function isCacheType(t: string): t is CacheValueType {
  return t === 'integer' || t === 'unsigned' || t === 'float' || t === 'boolean' || t === 'time';
}

/**
 * One client's object instances and values. Application API: `create`, `delete`, `set`, `get`,
 * callbacks by path (`onRead`, `onPreWrite`, `onValidate`, `onPostWrite`, `onExecute`, `onCreate`,
 * `onDelete`), `lock`/`unlock`, `changed`, `enableCache`. The methods marked internal are what the
 * operations use.
 */
export class Registry extends TypedEmitter<RegistryEvents> {
  readonly definitions: DefinitionLookup;
  readonly cache = new DataCache();
  readonly #clock: Clock;
  readonly #objects = new Map<number, Map<number, Instance>>();
  /** Announced objects, ascending (a few ids: an array is smaller than a Set). */
  #supported: number[] = [];
  #readOnly: Set<string> | undefined;
  #onRead: Map<string, ReadCallback> | undefined;
  #onPreWrite: Map<string, PreWriteCallback> | undefined;
  #onValidate: Map<string, ValidateCallback> | undefined;
  #onPostWrite: Map<string, PostWriteCallback> | undefined;
  #onExecute: Map<string, ExecuteCallback> | undefined;
  #onCreate: Map<number, InstanceCallback> | undefined;
  #onDelete: Map<number, InstanceCallback> | undefined;
  /** Executables set for every instance of an object ("oid/rid"). */
  #builtinExec: Map<string, ExecuteCallback> | undefined;
  #builtins: BuiltinExecutables | undefined;
  #cacheFilters: Map<string, CacheFilter | undefined> | undefined;
  #lockDepth = 0;
  /** Changes held by the lock (created when the first one is). */
  #pending: LwM2mPath[] | undefined;
  #pendingKeys: Set<string> | undefined;

  constructor(options: { definitions: DefinitionLookup; clock?: Clock | undefined }) {
    super();
    this.definitions = options.definitions;
    this.#clock = options.clock ?? systemClock;
  }

  // --- definitions -----------------------------------------------------------------------------

  definition(oid: number): ObjectDefinition | undefined {
    return this.definitions.object(oid);
  }

  resourceDefinition(oid: number, rid: number): ResourceDefinition | undefined {
    return this.definitions.object(oid)?.resources.get(rid);
  }

  #objectDef(oid: number, where: string): ObjectDefinition {
    const def = this.definitions.object(oid);
    if (def === undefined) throw new NotFoundError(`${where}: object ${oid} has no definition`);
    return def;
  }

  #resourceDef(path: LwM2mPath): ResourceDefinition {
    const def = this.#objectDef(path.ids[0]!, path.toString()).resources.get(path.ids[2]!);
    if (def === undefined) throw new NotFoundError(`${path.toString()}: object ${path.ids[0]!} has no resource ${path.ids[2]!}`);
    return def;
  }

  // --- structure -------------------------------------------------------------------------------

  /** Announces an object the client supports even with no instance (listed in Register as `</oid>`). */
  supportObject(oid: number): void {
    this.#objectDef(oid, `/${oid}`);
    const supported = this.#supported;
    if (supported.includes(oid)) return;
    // concat makes an array of the exact size (push and spread reserve room for 17 ids).
    this.#supported = supported.concat(oid).sort((a, b) => a - b);
  }

  /** Objects the client supports: announced ones and every object with an instance, ascending. */
  objectIds(): number[] {
    const ids = new Set(this.#supported);
    for (const [oid, insts] of this.#objects) if (insts.size > 0) ids.add(oid);
    return [...ids].sort((a, b) => a - b);
  }

  isSupported(oid: number): boolean {
    return this.#supported.includes(oid) || (this.#objects.get(oid)?.size ?? 0) > 0;
  }

  /** Instance ids of an object, ascending. */
  instanceIds(oid: number): number[] {
    const insts = this.#objects.get(oid);
    return insts === undefined ? [] : [...insts.keys()].sort((a, b) => a - b);
  }

  /** Number of instances of an object. */
  instanceCount(oid: number): number {
    return this.#objects.get(oid)?.size ?? 0;
  }

  hasInstance(oid: number, iid: number): boolean {
    return this.#objects.get(oid)?.has(iid) === true;
  }

  #instance(oid: number, iid: number): Instance | undefined {
    return this.#objects.get(oid)?.get(iid);
  }

  /**
   * @internal Resources an instance presents (Read, Discover): value resources that hold data or
   * have a read callback, and executables that have a callback, are built in, or are mandatory.
   */
  presentResources(oid: number, iid: number): number[] {
    const inst = this.#instance(oid, iid);
    const def = this.definitions.object(oid);
    if (inst === undefined || def === undefined) return [];
    const out: number[] = [];
    for (const [rid, rdef] of def.resources) {
      if (this.#present(oid, iid, rid, rdef, inst)) out.push(rid);
    }
    return out;
  }

  /** @internal Whether resource `rid` of an existing instance is present (see presentResources). */
  hasResource(oid: number, iid: number, rid: number): boolean {
    const inst = this.#instance(oid, iid);
    const rdef = this.resourceDefinition(oid, rid);
    return inst !== undefined && rdef !== undefined && this.#present(oid, iid, rid, rdef, inst);
  }

  #present(oid: number, iid: number, rid: number, rdef: ResourceDefinition, inst: Instance): boolean {
    if (rdef.type === 'none') {
      return (
        rdef.mandatory ||
        this.#builtinExec?.has(`${oid}/${rid}`) === true ||
        this.#builtins?.builtinExecute(oid, rid) !== undefined ||
        this.#onExecute?.has(`/${oid}/${iid}/${rid}`) === true
      );
    }
    return inst.has(rid) || this.#onRead?.has(`/${oid}/${iid}/${rid}`) === true;
  }

  /** Resource instance ids of a multiple resource (stored data), ascending. */
  resourceInstanceIds(oid: number, iid: number, rid: number): number[] {
    const slot = this.#instance(oid, iid)?.get(rid);
    return isMap(slot) ? [...slot.keys()].sort((a, b) => a - b) : [];
  }

  // --- application API ---------------------------------------------------------------------------

  /**
   * Creates an object instance (the seed's lwm2m_create_object_inst) with optional initial values
   * keyed by resource id. `path` is `/oid` (lowest free instance id) or `/oid/iid`. Runs the
   * object's create callback. Returns the instance path. Throws InstanceExistsError, ValueError,
   * NotFoundError.
   */
  create(path: PathLike, values?: Readonly<Record<number, ResourceDataInput>>): LwM2mPath {
    const p = toPath(path);
    if (p.depth < 1 || p.depth > 2) throw new ValueError(`create needs an object or object-instance path, got ${p.toString()}`);
    const oid = p.ids[0]!;
    const def = this.#objectDef(oid, p.toString());
    const iid = p.instanceId ?? (def.multiple ? this.freeInstanceId(oid) : 0);
    const writes: ResourceWrite[] = [];
    for (const [key, input] of Object.entries(values ?? {})) {
      const rid = Number(key);
      const rpath = LwM2mPath.of(oid, iid, rid);
      const rdef = def.resources.get(rid);
      if (rdef === undefined) throw new NotFoundError(`${rpath.toString()}: object ${oid} has no resource ${rid}`);
      writes.push(this.#coerceWrite(rpath, rdef, input));
    }
    this.createInstance(oid, iid, writes, { source: 'app' });
    return LwM2mPath.of(oid, iid);
  }

  /**
   * Deletes an object instance (running the delete callback), a resource's data, or one resource
   * instance. Returns false when there was nothing to delete.
   */
  delete(path: PathLike): boolean {
    const p = toPath(path);
    const [oid, iid, rid, riid] = p.ids;
    if (oid === undefined || iid === undefined) throw new ValueError(`delete needs an instance, resource or resource-instance path, got ${p.toString()}`);
    if (rid === undefined) {
      if (!this.hasInstance(oid, iid)) return false;
      this.deleteInstance(oid, iid, { source: 'app' });
      return true;
    }
    const inst = this.#instance(oid, iid);
    const slot = inst?.get(rid);
    if (inst === undefined || slot === undefined) return false;
    if (riid === undefined) {
      inst.delete(rid);
      this.#readOnly?.delete(p.toString());
      this.#changed(p);
      return true;
    }
    if (!isMap(slot) || !slot.delete(riid)) return false;
    this.#changed(p);
    return true;
  }

  /**
   * Sets a resource (instance) value (the seed's lwm2m_set_*), checked against its definition: a
   * single value for a resource, instances (list, Map, object) for a multiple resource's path, a
   * single value for a resource-instance path. Creates the object instance when missing. With
   * `readOnly: true` the value is application-owned data the engine never assigns (the seed's
   * LWM2M_RES_DATA_FLAG_RO): a server's Write to it answers 4.05. Runs the validate and post-write
   * callbacks (source 'app'). Throws ValueError, NotFoundError.
   */
  set(path: PathLike, value: ResourceDataInput, options?: { readOnly?: boolean }): void {
    const p = toPath(path);
    if (p.depth < 3) throw new ValueError(`set needs a resource or resource-instance path, got ${p.toString()}`);
    const rdef = this.#resourceDef(p);
    const write = this.#coerceWrite(p, rdef, value);
    const [oid, iid] = p.ids as [number, number];
    if (!this.hasInstance(oid, iid)) this.createInstance(oid, iid, [], { source: 'app' });
    const result = this.commitWrites([write], { source: 'app' });
    if (result !== undefined) {
      result.catch((error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      });
    }
    if (options?.readOnly !== undefined) {
      const key = p.toString();
      if (options.readOnly) (this.#readOnly ??= new Set()).add(key);
      else this.#readOnly?.delete(key);
    }
  }

  #coerceWrite(p: LwM2mPath, rdef: ResourceDefinition, input: ResourceDataInput): ResourceWrite {
    const [oid, iid, rid, riid] = p.ids as [number, number, number, number | undefined];
    const where = p.toString();
    if (rdef.type === 'none') throw new ValueError(`${where}: resource ${rid} is executable and holds no value`);
    if (riid !== undefined) {
      if (!rdef.multiple) throw new ValueError(`${where}: resource ${rid} has a single instance`);
      return { oid, iid, rid, instances: new Map([[riid, coerceResourceValue(rdef, input, where)]]), mode: 'merge' };
    }
    if (rdef.multiple) {
      const instances = new Map<number, ResourceValue>();
      for (const [k, v] of multipleEntries(input, where)) instances.set(k, coerceResourceValue(rdef, v, `${where}/${k}`));
      return { oid, iid, rid, instances, mode: 'replace' };
    }
    return { oid, iid, rid, value: coerceResourceValue(rdef, input, where), mode: 'replace' };
  }

  /**
   * The stored data at a resource (one value, or the instances of a multiple resource) or resource
   * instance path; undefined when absent. Read callbacks are not consulted (see `readResource`).
   */
  get(path: PathLike): ResourceData | undefined {
    const p = toPath(path);
    const [oid, iid, rid, riid] = p.ids;
    if (oid === undefined || iid === undefined || rid === undefined) throw new ValueError(`get needs a resource or resource-instance path, got ${p.toString()}`);
    const slot = this.#instance(oid, iid)?.get(rid);
    if (riid === undefined) return slot;
    return isMap(slot) ? slot.get(riid) : undefined;
  }

  /** Whether the data at `path` was set as application-owned read-only data. */
  isReadOnlyData(path: PathLike): boolean {
    if (this.#readOnly === undefined) return false;
    const p = toPath(path);
    return this.#readOnly.has(p.toString()) || (p.depth === 4 && this.#readOnly.has(p.parent().toString()));
  }

  // --- callbacks -----------------------------------------------------------------------------------

  #register<T>(map: Map<string, T>, path: PathLike, minDepth: number, cb: T): () => void {
    const p = toPath(path);
    if (p.depth < minDepth) throw new ValueError(`a callback needs a resource or resource-instance path, got ${p.toString()}`);
    const key = p.toString();
    map.set(key, cb);
    return () => {
      if (map.get(key) === cb) map.delete(key);
    };
  }

  /** Read callback of a resource (dynamic value). Returns a function that unregisters it. */
  onRead(path: PathLike, cb: ReadCallback): () => void {
    return this.#register((this.#onRead ??= new Map<string, ReadCallback>()), path, 3, cb);
  }
  onPreWrite(path: PathLike, cb: PreWriteCallback): () => void {
    return this.#register((this.#onPreWrite ??= new Map<string, PreWriteCallback>()), path, 3, cb);
  }
  onValidate(path: PathLike, cb: ValidateCallback): () => void {
    return this.#register((this.#onValidate ??= new Map<string, ValidateCallback>()), path, 3, cb);
  }
  onPostWrite(path: PathLike, cb: PostWriteCallback): () => void {
    return this.#register((this.#onPostWrite ??= new Map<string, PostWriteCallback>()), path, 3, cb);
  }
  onExecute(path: PathLike, cb: ExecuteCallback): () => void {
    const p = toPath(path);
    if (p.depth !== 3) throw new ValueError(`an execute callback needs a resource path, got ${p.toString()}`);
    const rdef = this.#resourceDef(p);
    if (rdef.type !== 'none') throw new ValueError(`${p.toString()}: resource ${rdef.id} (${rdef.name}) is not executable`);
    return this.#register((this.#onExecute ??= new Map<string, ExecuteCallback>()), p, 3, cb);
  }
  /** Called before an instance of object `oid` is created (by a server, the bootstrap server or the app). */
  onCreate(oid: number, cb: InstanceCallback): () => void {
    const map = (this.#onCreate ??= new Map());
    map.set(oid, cb);
    return () => {
      if (map.get(oid) === cb) map.delete(oid);
    };
  }
  /** Called before an instance of object `oid` is deleted. */
  onDelete(oid: number, cb: InstanceCallback): () => void {
    const map = (this.#onDelete ??= new Map());
    map.set(oid, cb);
    return () => {
      if (map.get(oid) === cb) map.delete(oid);
    };
  }

  /** @internal An executable the engine implements for every instance of `oid` (e.g. /1/x/8). */
  setBuiltinExecute(oid: number, rid: number, cb: ExecuteCallback): void {
    (this.#builtinExec ??= new Map()).set(`${oid}/${rid}`, cb);
  }

  /** @internal The provider of the engine's own executables (see BuiltinExecutables). */
  setBuiltinExecutables(builtins: BuiltinExecutables): void {
    this.#builtins = builtins;
  }

  /** @internal The execute callback of a resource path, if any (application's first, then built-in). */
  executeCallback(path: LwM2mPath): ExecuteCallback | undefined {
    const oid = path.ids[0]!;
    const rid = path.ids[2]!;
    return this.#onExecute?.get(path.toString()) ?? this.#builtinExec?.get(`${oid}/${rid}`) ?? this.#builtins?.builtinExecute(oid, rid);
  }

  /** @internal The post-write callback that a write at `path` reaches (resource instance first). */
  postWriteCallback(path: LwM2mPath): PostWriteCallback | undefined {
    const m = this.#onPostWrite;
    if (m === undefined) return undefined;
    return m.get(path.toString()) ?? (path.depth === 4 ? m.get(path.parent().toString()) : undefined);
  }

  #callback<T>(map: Map<string, T> | undefined, path: LwM2mPath): T | undefined {
    if (map === undefined) return undefined;
    return map.get(path.toString()) ?? (path.depth === 4 ? map.get(path.parent().toString()) : undefined);
  }

  // --- reads (engine) ------------------------------------------------------------------------------

  /**
   * @internal The current data of a resource: the read callback's value when it gives one (checked
   * against the definition), else the stored data. Throws what the callback throws, ValueError for a
   * callback value that does not fit.
   */
  readResource(oid: number, iid: number, rid: number): ResourceData | undefined {
    const cb = this.#onRead?.get(`/${oid}/${iid}/${rid}`);
    if (cb !== undefined) {
      const path = LwM2mPath.of(oid, iid, rid);
      const input = cb(path);
      if (input !== undefined) {
        const w = this.#coerceWrite(path, this.#resourceDef(path), input);
        return w.instances ?? w.value;
      }
    }
    return this.#instance(oid, iid)?.get(rid);
  }

  // --- writes (engine) -----------------------------------------------------------------------------

  /**
   * @internal Applies planned writes atomically: every pre-write and validate callback runs first
   * (any throw aborts with nothing applied), then the values are stored under the registry lock (one
   * change batch), then post-write callbacks run. Resolves (when a post-write callback is async) or
   * returns undefined. Instances must exist.
   */
  commitWrites(writes: readonly ResourceWrite[], options: CommitOptions): Promise<void> | undefined {
    const ssid = options.ssid;
    const block = options.block;
    const ctxs: { value: ResourceValue; ctx: WriteContext }[] = [];
    for (const w of writes) {
      const base = LwM2mPath.of(w.oid, w.iid, w.rid);
      if (w.instances !== undefined) {
        for (const [riid, value] of w.instances) ctxs.push({ value, ctx: { path: base.child(riid), source: options.source, ssid, block } });
      } else if (w.value !== undefined) ctxs.push({ value: w.value, ctx: { path: base, source: options.source, ssid, block } });
    }
    if (options.source !== 'app') {
      for (const { ctx } of ctxs) this.#callback(this.#onPreWrite, ctx.path)?.(ctx);
    }
    for (const { value, ctx } of ctxs) this.#callback(this.#onValidate, ctx.path)?.(value, ctx);
    if (options.store !== false) {
      this.lock();
      try {
        for (const w of writes) this.#store(w);
      } finally {
        this.unlock();
      }
    }
    let pending: Promise<void>[] | undefined;
    for (const { value, ctx } of ctxs) {
      const cb = this.#callback(this.#onPostWrite, ctx.path);
      const r: unknown = cb?.(value, ctx);
      if (r instanceof Promise) (pending ??= []).push(r as Promise<void>);
    }
    return pending === undefined ? undefined : Promise.all(pending).then(() => undefined);
  }

  #store(w: ResourceWrite): void {
    const inst = this.#instance(w.oid, w.iid);
    if (inst === undefined) throw new NotFoundError(`/${w.oid}/${w.iid} does not exist`);
    const rpath = LwM2mPath.of(w.oid, w.iid, w.rid);
    if (w.instances === undefined) {
      const value = w.value!;
      const old = inst.get(w.rid);
      inst.set(w.rid, value);
      this.#cachePush(rpath, value);
      if (old === undefined || isMap(old) || !valuesEqual(old, value)) this.#changed(rpath);
      return;
    }
    const old = inst.get(w.rid);
    let slot: Map<number, ResourceValue>;
    if (w.mode === 'replace' || !isMap(old)) {
      slot = new Map();
      inst.set(w.rid, slot);
    } else slot = old;
    const oldMap = isMap(old) ? old : undefined;
    let structural = w.mode === 'replace' && (oldMap === undefined || oldMap.size !== w.instances.size);
    const changedInstances: LwM2mPath[] = [];
    for (const [riid, value] of [...w.instances].sort((a, b) => a[0] - b[0])) {
      const prev = oldMap?.get(riid);
      slot.set(riid, value);
      const ripath = rpath.child(riid);
      this.#cachePush(ripath, value);
      if (prev === undefined) structural = true;
      else if (!valuesEqual(prev, value)) changedInstances.push(ripath);
    }
    if (w.mode === 'replace' && oldMap !== undefined) {
      for (const riid of oldMap.keys()) if (!slot.has(riid)) structural = true;
    }
    if (structural) this.#changed(rpath);
    else for (const p of changedInstances) this.#changed(p);
  }

  /** @internal Creates an instance with initial values, running the create callback first. */
  createInstance(oid: number, iid: number, writes: readonly ResourceWrite[], options: { source: WriteSource; ssid?: number | undefined }): void {
    const def = this.#objectDef(oid, `/${oid}/${iid}`);
    let insts = this.#objects.get(oid);
    if (insts?.has(iid) === true) throw new InstanceExistsError(`/${oid}/${iid} already exists`);
    if (!def.multiple && iid !== 0) throw new ValueError(`object ${oid} (${def.name}) is single-instance: its only instance id is 0`);
    if (!def.multiple && (insts?.size ?? 0) > 0) throw new InstanceExistsError(`object ${oid} (${def.name}) is single-instance and has its instance`);
    const path = LwM2mPath.of(oid, iid);
    this.#onCreate?.get(oid)?.(iid, { path, source: options.source, ssid: options.ssid });
    if (insts === undefined) {
      insts = new Map();
      this.#objects.set(oid, insts);
    }
    insts.set(iid, new Map());
    this.lock();
    try {
      for (const w of writes) this.#store(w);
      this.#changed(path);
    } finally {
      this.unlock();
    }
    this.emit('instances-changed', { source: options.source, ssid: options.ssid, created: [path], deleted: [] });
  }

  /** @internal Deletes an instance, running the delete callback first (its throw keeps the instance). */
  deleteInstance(oid: number, iid: number, options: { source: WriteSource; ssid?: number | undefined }): void {
    const insts = this.#objects.get(oid);
    if (insts?.has(iid) !== true) throw new NotFoundError(`/${oid}/${iid} does not exist`);
    const path = LwM2mPath.of(oid, iid);
    this.#onDelete?.get(oid)?.(iid, { path, source: options.source, ssid: options.ssid });
    insts.delete(iid);
    if (this.#readOnly !== undefined) {
      const prefix = path.toString() + '/';
      for (const k of [...this.#readOnly]) if (k.startsWith(prefix)) this.#readOnly.delete(k);
    }
    this.#changed(path);
    this.emit('instances-changed', { source: options.source, ssid: options.ssid, created: [], deleted: [path] });
  }

  /** @internal Removes a resource's stored data (engine use: replace semantics, bootstrap). */
  deleteResourceData(oid: number, iid: number, rid: number): void {
    if (this.#instance(oid, iid)?.delete(rid) === true) this.#changed(LwM2mPath.of(oid, iid, rid));
  }

  /** Lowest unused instance id of an object. */
  freeInstanceId(oid: number): number {
    const insts = this.#objects.get(oid);
    let iid = 0;
    while (insts?.has(iid) === true) iid++;
    return iid;
  }

  // --- lock and change events ----------------------------------------------------------------------

  /**
   * Holds change events (the seed's lwm2m_registry_lock): changes until the matching `unlock()` are
   * reported as one batch, so each observation sends one notification. Nests.
   */
  lock(): void {
    this.#lockDepth++;
  }

  /** Releases the lock; the outermost unlock reports the changes made while locked. */
  unlock(): void {
    if (this.#lockDepth === 0) throw new MethodNotAllowedError('unlock() without lock()');
    this.#lockDepth--;
    const batch = this.#pending;
    if (this.#lockDepth > 0 || batch === undefined) return;
    this.#pending = undefined;
    this.#pendingKeys = undefined;
    this.emit('change', batch);
  }

  get locked(): boolean {
    return this.#lockDepth > 0;
  }

  /**
   * Reports that the data at `path` changed without a `set()` (e.g. a value served by a read
   * callback), so observers are notified (the seed's lwm2m_notify_observer).
   */
  changed(path: PathLike): void {
    this.#changed(toPath(path));
  }

  #changed(path: LwM2mPath): void {
    if (this.#lockDepth === 0) {
      this.emit('change', [path]);
      return;
    }
    const key = path.toString();
    const keys = (this.#pendingKeys ??= new Set<string>());
    if (keys.has(key)) return;
    keys.add(key);
    (this.#pending ??= []).push(path);
  }

  // --- data cache ------------------------------------------------------------------------------------

  /**
   * Caches up to `size` timestamped values of a resource (instance) of a fixed-size type (the
   * seed's lwm2m_enable_cache): every value set afterwards that passes `filter` is pushed with the
   * wall-clock time, and Read, Notify and Send in SenML formats carry the cached entries. A full
   * cache drops new values (the seed's default) unless `overflow: 'drop-oldest'`.
   */
  enableCache(path: PathLike, size: number, options?: { filter?: CacheFilter; overflow?: CacheOverflow }): void {
    const p = toPath(path);
    if (p.depth < 3) throw new CacheError(`cache needs a resource or resource-instance path, got ${p.toString()}`);
    const rdef = this.#resourceDef(p);
    if (rdef.multiple && p.depth === 3) throw new CacheError(`${p.toString()} has several instances: cache a resource-instance path`);
    if (!rdef.multiple && p.depth === 4) throw new CacheError(`${p.toString()}: resource ${rdef.id} has a single instance`);
    if (!isCacheType(rdef.type)) throw new CacheError(`${p.toString()}: a ${rdef.type} resource cannot be cached (fixed-size types only)`);
    this.cache.enable(p, size, { type: rdef.type, overflow: options?.overflow });
    (this.#cacheFilters ??= new Map()).set(p.toString(), options?.filter);
  }

  disableCache(path: PathLike): boolean {
    const p = toPath(path);
    this.#cacheFilters?.delete(p.toString());
    return this.cache.disable(p);
  }

  #cachePush(path: LwM2mPath, value: ResourceValue): void {
    const filters = this.#cacheFilters;
    if (filters === undefined || filters.size === 0) return;
    const key = path.toString();
    if (!filters.has(key)) return;
    const filter = filters.get(key);
    if (filter !== undefined && !filter(value, path)) return;
    const ring = this.cache.ring(path);
    if (ring === undefined) return;
    // Times are strictly increasing per path: two values in the same millisecond would otherwise
    // share a SenML time and read back as one.
    let t = this.#clock.wallTime() / 1000;
    const last = ring.latest(path)?.time;
    if (last !== undefined && t <= last) t = last + 0.001;
    ring.push(value as CacheValue, t);
  }

  /** @internal Whether Read/Notify/Send should carry cached entries for `path` (it has any). */
  cachedEntries(path: LwM2mPath): boolean {
    return this.#cacheFilters !== undefined && this.cache.size(path) > 0;
  }
}
