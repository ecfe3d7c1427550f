import { LwM2mError, type LwM2mErrorOptions } from '../errors.ts';
import { toPath, type LwM2mPath, type PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';

/*
 * The time-series data cache (Zephyr's lwm2m_enable_cache): a bounded ring of timestamped values per
 * resource (or resource instance) for the fixed-size types, which Read, Notify and Send hand to the
 * SenML codecs as records with "t" (LwM2M Core 7.4.4/7.4.5, RFC 8428 4.5.3).
 */

/** Value types a cache holds: the fixed-size ones. */
export type CacheValueType = 'integer' | 'unsigned' | 'float' | 'boolean' | 'time';

/** What a full ring does with a new value: refuse it (Zephyr's behaviour, the default) or overwrite the oldest. */
export type CacheOverflow = 'drop-new' | 'drop-oldest';

export interface CacheOptions {
  readonly type: CacheValueType;
  readonly overflow?: CacheOverflow;
}

/** A value a cache stores: the JS value of its type (Date or seconds for time). */
export type CacheValue = number | bigint | boolean | Date;

/** Misuse of the cache: bad size, value of the wrong type, path not enabled. */
export class CacheError extends LwM2mError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('CACHE', message, options);
  }
}

/** The largest ring one resource may have, so one call cannot claim unbounded memory. */
export const MAX_CACHE_SIZE = 1 << 20;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

type Store = Float64Array | BigInt64Array | BigUint64Array;

/**
 * A fixed-capacity ring of (time, value) pairs in typed arrays: 16 bytes per entry, no per-entry
 * objects. Times are seconds since 1970 (fractions allowed); entries come out oldest first.
 */
export class TimeSeriesRing {
  readonly type: CacheValueType;
  readonly overflow: CacheOverflow;
  readonly capacity: number;
  readonly #times: Float64Array;
  readonly #values: Store;
  #head = 0; // index of the oldest entry
  #count = 0;
  #dropped = 0;

  constructor(capacity: number, options: CacheOptions) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CACHE_SIZE) {
      throw new CacheError(`cache size must be an integer 1..${MAX_CACHE_SIZE}, got ${String(capacity)}`);
    }
    this.type = options.type;
    this.overflow = options.overflow ?? 'drop-new';
    this.capacity = capacity;
    this.#times = new Float64Array(capacity);
    this.#values =
      options.type === 'integer' ? new BigInt64Array(capacity) : options.type === 'unsigned' ? new BigUint64Array(capacity) : new Float64Array(capacity);
  }

  get length(): number {
    return this.#count;
  }

  /** Values refused (drop-new) or overwritten (drop-oldest) since creation. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes of typed-array storage. */
  get byteLength(): number {
    return this.#times.byteLength + this.#values.byteLength;
  }

  #encode(value: CacheValue): number | bigint {
    const bad = (): never => {
      throw new CacheError(`a ${value instanceof Date ? 'Date' : typeof value} is not a valid ${this.type} cache value`);
    };
    switch (this.type) {
      case 'integer':
      case 'unsigned': {
        let v: bigint;
        if (typeof value === 'bigint') v = value;
        else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
        else return bad();
        const [min, max] = this.type === 'integer' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
        if (v < min || v > max) bad();
        return v;
      }
      case 'float':
        return typeof value === 'number' ? value : bad();
      case 'boolean':
        return typeof value === 'boolean' ? (value ? 1 : 0) : bad();
      case 'time':
        if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / 1000);
        return typeof value === 'number' && Number.isSafeInteger(value) ? value : bad();
    }
  }

  #decode(raw: number | bigint): number | bigint | boolean | Date {
    switch (this.type) {
      case 'integer':
      case 'unsigned': {
        const b = raw as bigint;
        return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
      }
      case 'float':
        return raw;
      case 'boolean':
        return raw === 1;
      case 'time':
        return new Date((raw as number) * 1000);
    }
  }

  /**
   * Adds a value taken at `time` (seconds since 1970). Returns false when the ring is full and drops
   * new values; with 'drop-oldest' the oldest entry gives way. Throws CacheError for a misfit value.
   */
  push(value: CacheValue, time: number): boolean {
    if (!Number.isFinite(time)) throw new CacheError(`cache time ${String(time)} is not finite`);
    const raw = this.#encode(value);
    if (this.#count === this.capacity) {
      this.#dropped++;
      if (this.overflow === 'drop-new') return false;
      this.#head = (this.#head + 1) % this.capacity;
      this.#count--;
    }
    const i = (this.#head + this.#count) % this.capacity;
    this.#times[i] = time;
    if (this.#values instanceof Float64Array) this.#values[i] = raw as number;
    else this.#values[i] = raw as bigint;
    this.#count++;
    return true;
  }

  /** Up to `max` oldest entries as records at `path`, left in the ring. */
  peek(path: LwM2mPath, max = this.#count): LwM2mRecord[] {
    const n = Math.max(0, Math.min(max, this.#count));
    const out: LwM2mRecord[] = new Array<LwM2mRecord>(n);
    for (let k = 0; k < n; k++) {
      const i = (this.#head + k) % this.capacity;
      out[k] = { path, value: this.#decode(this.#values[i]!), time: this.#times[i]! };
    }
    return out;
  }

  /** Up to `max` oldest entries as records at `path`, removed from the ring. */
  drain(path: LwM2mPath, max = this.#count): LwM2mRecord[] {
    const out = this.peek(path, max);
    this.#head = (this.#head + out.length) % this.capacity;
    this.#count -= out.length;
    return out;
  }

  /** The newest entry, if any. */
  latest(path: LwM2mPath): LwM2mRecord | undefined {
    if (this.#count === 0) return undefined;
    const i = (this.#head + this.#count - 1) % this.capacity;
    return { path, value: this.#decode(this.#values[i]!), time: this.#times[i]! };
  }

  clear(): void {
    this.#head = 0;
    this.#count = 0;
  }
}

interface Slot {
  readonly path: LwM2mPath;
  readonly ring: TimeSeriesRing;
}

/**
 * The per-client data cache: rings keyed by resource or resource-instance path. Memory is bounded by
 * the sizes given to `enable`; nothing grows with time.
 */
export class DataCache {
  /** Created when the first path is cached: most clients cache nothing. */
  #slots: Map<string, Slot> | undefined;

  #slot(path: PathLike): Slot | undefined {
    return this.#slots?.get(toPath(path).toString());
  }

  /**
   * Caches up to `size` values of the resource (instance) at `path`. Enabling a path again with the
   * same size and options keeps its entries; otherwise the ring starts empty.
   */
  enable(path: PathLike, size: number, options: CacheOptions): void {
    const p = toPath(path);
    if (p.depth < 3) throw new CacheError(`cache needs a resource or resource-instance path, got ${p.toString()}`);
    const old = this.#slots?.get(p.toString());
    if (old !== undefined && old.ring.capacity === size && old.ring.type === options.type && old.ring.overflow === (options.overflow ?? 'drop-new')) return;
    (this.#slots ??= new Map<string, Slot>()).set(p.toString(), { path: p, ring: new TimeSeriesRing(size, options) });
  }

  /** Stops caching `path` and forgets its entries; false when it was not cached. */
  disable(path: PathLike): boolean {
    return this.#slots?.delete(toPath(path).toString()) === true;
  }

  isEnabled(path: PathLike): boolean {
    return this.#slot(path) !== undefined;
  }

  /** The ring of `path`, for callers that need its counters. */
  ring(path: PathLike): TimeSeriesRing | undefined {
    return this.#slot(path)?.ring;
  }

  /**
   * Adds a value taken at `time` (seconds since 1970) to the ring of `path`. Returns false when the
   * value was dropped (ring full with 'drop-new'); throws CacheError when `path` is not cached.
   */
  push(path: PathLike, value: CacheValue, time: number): boolean {
    const slot = this.#slot(path);
    if (slot === undefined) throw new CacheError(`${toPath(path).toString()} is not cached`);
    return slot.ring.push(value, time);
  }

  /** Number of entries cached for `path` (0 when not cached). */
  size(path: PathLike): number {
    return this.#slot(path)?.ring.length ?? 0;
  }

  /** Up to `max` oldest entries of `path` as records with `time`, left in the cache. */
  peek(path: PathLike, max?: number): LwM2mRecord[] {
    const slot = this.#slot(path);
    return slot === undefined ? [] : slot.ring.peek(slot.path, max);
  }

  /** Up to `max` oldest entries of `path` as records with `time`, removed from the cache. */
  drain(path: PathLike, max?: number): LwM2mRecord[] {
    const slot = this.#slot(path);
    return slot === undefined ? [] : slot.ring.drain(slot.path, max);
  }

  /** Cached paths at or below `prefix` (root: all), in path order. */
  paths(prefix: PathLike = '/'): LwM2mPath[] {
    const pre = toPath(prefix);
    const out: LwM2mPath[] = [];
    for (const s of this.#slots?.values() ?? []) if (s.path.startsWith(pre)) out.push(s.path);
    return out.sort((a, b) => a.compare(b));
  }

  /**
   * Every entry at or below `prefix`, as records ordered by path and, within a path, oldest first -
   * what a SenML Read, Notify or Send of that prefix carries. `drain` removes what it returns.
   */
  records(prefix: PathLike = '/', options: { drain?: boolean } = {}): LwM2mRecord[] {
    const out: LwM2mRecord[] = [];
    for (const p of this.paths(prefix)) {
      const slot = this.#slots!.get(p.toString())!;
      out.push(...(options.drain === true ? slot.ring.drain(slot.path) : slot.ring.peek(slot.path)));
    }
    return out;
  }

  /** Empties every ring (keeping them enabled). */
  clear(): void {
    for (const s of this.#slots?.values() ?? []) s.ring.clear();
  }

  /** Bytes of typed-array storage held by all rings. */
  get byteLength(): number {
    let n = 0;
    for (const s of this.#slots?.values() ?? []) n += s.ring.byteLength;
    return n;
  }
}
