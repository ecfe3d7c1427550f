/**
 * A bounded map whose entries expire a fixed time after they were last set or touched. Entries are
 * kept in a FIFO in expiry order (one lifetime per map), so expiry and eviction are O(1) at the
 * head. One clock timer exists only while the map is non-empty, so an idle endpoint holds no timers.
 */
import type { Clock, Timer } from '../util/clock.ts';

export type EvictReason = 'expired' | 'evicted' | 'cleared';

export interface ExpiringMapOptions<K, V> {
  clock: Clock;
  /** Milliseconds an entry lives after its last set/touch. */
  lifetime: number;
  /** Oldest entries are evicted beyond this count. */
  maxEntries: number;
  /** Optional byte budget with `sizeOf`; oldest entries are evicted beyond it. */
  maxBytes?: number;
  sizeOf?: (value: V) => number;
  onEvict?: (key: K, value: V, reason: EvictReason) => void;
  /** Extra delay added to the sweep timer so that close expiries share one timer run. */
  sweepSlack?: number;
}

interface Slot<K, V> {
  readonly key: K;
  readonly value: V;
  readonly expires: number;
  readonly bytes: number;
  live: boolean;
}

export class ExpiringMap<K, V> {
  /** Created on first insert: an idle endpoint's unused maps cost no table. */
  #map: Map<K, Slot<K, V>> | undefined;
  /**
   * Slots in insertion (= expiry) order; dead slots are skipped and compacted away. Entries before
   * `#head` are cleared as the head passes them, so expired values are not kept alive by the queue.
   */
  #fifo: (Slot<K, V> | undefined)[] = [];
  #head = 0;
  #opts: ExpiringMapOptions<K, V>;
  #timer: Timer | undefined;
  #bytes = 0;

  constructor(options: ExpiringMapOptions<K, V>) {
    this.#opts = options;
  }

  get size(): number {
    return this.#map?.size ?? 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: K): V | undefined {
    const slot = this.#map?.get(key);
    if (slot === undefined) return undefined;
    if (slot.expires <= this.#opts.clock.now()) {
      this.#remove(slot, 'expired');
      return undefined;
    }
    return slot.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces `key`, moving it to the young end. */
  set(key: K, value: V): void {
    const old = this.#map?.get(key);
    if (old !== undefined) this.#kill(old);
    this.#insert(key, value, this.#opts.sizeOf?.(value) ?? 0);
    this.#sweep();
    this.#arm();
  }

  /** Restarts the lifetime of `key`. */
  touch(key: K): void {
    const slot = this.#map?.get(key);
    if (slot === undefined) return;
    this.#kill(slot);
    this.#insert(key, slot.value, slot.bytes);
  }

  delete(key: K): boolean {
    const slot = this.#map?.get(key);
    if (slot === undefined) return false;
    this.#kill(slot);
    if (this.size === 0) this.#reset();
    return true;
  }

  clear(): void {
    const slots = [...(this.#map?.values() ?? [])];
    this.#map = undefined;
    this.#reset();
    for (const slot of slots) this.#opts.onEvict?.(slot.key, slot.value, 'cleared');
  }

  /** Slots the queue still references (live ones, and dead ones not yet dropped); for tests and diagnostics. */
  get queued(): number {
    let n = 0;
    for (const slot of this.#fifo) if (slot !== undefined) n++;
    return n;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, slot] of this.#map ?? []) yield [k, slot.value];
  }

  #insert(key: K, value: V, bytes: number): void {
    const slot: Slot<K, V> = { key, value, expires: this.#opts.clock.now() + this.#opts.lifetime, bytes, live: true };
    (this.#map ??= new Map()).set(key, slot);
    this.#fifo.push(slot);
    this.#bytes += bytes;
    // Dead slots are dropped when they reach the head; compact if they pile up behind live ones.
    if (this.#fifo.length - this.#head > 2 * this.size + 64) this.#compact();
  }

  #kill(slot: Slot<K, V>): void {
    slot.live = false;
    this.#map?.delete(slot.key);
    this.#bytes -= slot.bytes;
  }

  #remove(slot: Slot<K, V>, reason: EvictReason): void {
    this.#kill(slot);
    this.#opts.onEvict?.(slot.key, slot.value, reason);
    if (this.size === 0) this.#reset();
  }

  #compact(): void {
    this.#fifo = this.#fifo.slice(this.#head).filter((s) => s?.live === true);
    this.#head = 0;
  }

  #reset(): void {
    this.#fifo = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #over(): boolean {
    const { maxEntries, maxBytes } = this.#opts;
    const size = this.size;
    return size > maxEntries || (maxBytes !== undefined && this.#bytes > maxBytes && size > 1);
  }

  #sweep(): void {
    const now = this.#opts.clock.now();
    while (this.#head < this.#fifo.length) {
      const slot = this.#fifo[this.#head]!;
      if (!slot.live) {
        this.#fifo[this.#head++] = undefined;
        continue;
      }
      if (slot.expires <= now) this.#remove(slot, 'expired');
      else if (this.#over()) this.#remove(slot, 'evicted');
      else break;
    }
    if (this.#head >= 64 && this.#head * 2 > this.#fifo.length) this.#compact();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.size === 0) return;
    let first: Slot<K, V> | undefined;
    for (let i = this.#head; i < this.#fifo.length; i++) {
      if (this.#fifo[i]?.live === true) {
        first = this.#fifo[i];
        break;
      }
    }
    if (first === undefined) return;
    const delay = Math.max(0, first.expires - this.#opts.clock.now()) + (this.#opts.sweepSlack ?? 1000);
    this.#timer = this.#opts.clock.setTimer(
      delay,
      () => {
        this.#timer = undefined;
        this.#sweep();
        this.#arm();
      },
      { unref: true },
    );
  }
}
