/**
 * Observe (RFC 7641) building blocks: the 24-bit notification sequence, freshness of notifications
 * on the client (3.4), and a bounded notification stream (async iterable) for client observations.
 */

/** Sequence numbers are 24 bits (RFC 7641 4.4). */
export const OBSERVE_MODULO = 0x1000000;
const HALF = 0x800000;
/** After this long, any notification is newer regardless of its number (RFC 7641 3.4). */
export const OBSERVE_FRESHNESS_MS = 128_000;

/**
 * RFC 7641 3.4: notification (v2 received at t2) is newer than (v1 at t1) when
 * (v1 < v2 and v2 - v1 < 2^23) or (v1 > v2 and v1 - v2 > 2^23) or t2 > t1 + 128 s.
 */
export function isNewerNotification(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < HALF) || (v1 > v2 && v1 - v2 > HALF) || t2 > t1 + OBSERVE_FRESHNESS_MS;
}

/** Tracks the freshest notification of one client observation. */
export class FreshnessTracker {
  #seq: number | undefined;
  #at = 0;

  /** Returns true and records (seq, now) when the notification is newer than all seen so far. */
  accept(seq: number, now: number): boolean {
    if (this.#seq !== undefined && !isNewerNotification(this.#seq, this.#at, seq, now)) return false;
    this.#seq = seq;
    this.#at = now;
    return true;
  }

  get last(): number | undefined {
    return this.#seq;
  }
}

/** An increasing 24-bit notification counter (server side, RFC 7641 4.4). */
export class ObserveSequence {
  #next: number;

  constructor(start = 2) {
    this.#next = start % OBSERVE_MODULO;
  }

  next(): number {
    const v = this.#next;
    this.#next = (v + 1) % OBSERVE_MODULO;
    return v;
  }
}

/**
 * A push-to-pull queue: the producer pushes items, consumers iterate. Bounded: when full the oldest
 * item is dropped (for observations the latest state matters most). `end()` finishes iteration
 * after the buffered items; `fail(error)` makes the next read throw.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiters: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  #ended = false;
  #error: Error | undefined = undefined;
  #failed = false;
  #dropped = 0;
  readonly limit: number;

  constructor(limit = 64) {
    this.limit = limit;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    const w = this.#waiters.shift();
    if (w !== undefined) {
      w.resolve({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (this.#items.length > this.limit) {
      this.#items.shift();
      this.#dropped++;
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  fail(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failed = true;
    this.#error = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.#ended) {
      if (this.#failed) {
        this.#failed = false;
        return Promise.reject(this.#error ?? new Error('queue failed'));
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.#items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
