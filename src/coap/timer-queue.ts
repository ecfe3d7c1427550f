/**
 * Coalesced timers for one endpoint: a binary min-heap of deadlines served by a single clock timer
 * armed for the earliest one. Cancelling is O(1) (the entry is skipped when it surfaces), so the
 * hot path of a request that is answered in time costs a heap push and a flag, not a
 * setTimeout/clearTimeout pair. Cancelled entries are dropped when the clock timer next fires (or
 * at once when nothing live remains and that timer is far off), so an idle endpoint soon holds no
 * clock timer.
 *
 * Delays go to the clock as they are: a Clock serves any delay (systemClock chains waits longer
 * than setTimeout can take), and an early wake-up would only re-arm for the rest.
 */
import type { Clock, Timer } from '../util/clock.ts';

/** An object called back by the queue (saves allocating a closure per timer on hot paths). */
export interface TimerTarget {
  onTimer(): void;
}

/** A scheduled callback; `cancel()` is idempotent. */
export class QueuedTimer {
  readonly due: number;
  readonly seq: number;
  #fn: (() => void) | TimerTarget | undefined;
  #queue: TimerQueue | undefined;

  /** @internal */
  constructor(queue: TimerQueue, due: number, seq: number, fn: (() => void) | TimerTarget) {
    this.#queue = queue;
    this.due = due;
    this.seq = seq;
    this.#fn = fn;
  }

  get active(): boolean {
    return this.#fn !== undefined;
  }

  cancel(): void {
    if (this.#fn === undefined) return;
    this.#fn = undefined;
    const q = this.#queue;
    this.#queue = undefined;
    q?.cancelled();
  }

  /** @internal */
  run(): void {
    const fn = this.#fn;
    this.#fn = undefined;
    this.#queue = undefined;
    if (typeof fn === 'function') fn();
    else fn?.onTimer();
  }
}

/**
 * When the last live entry is cancelled, a clock timer due further away than this is dropped at
 * once; a nearer one (the common retransmission timeout) is left to fire and clean up, which
 * avoids a setTimeout/clearTimeout pair per request.
 */
const IDLE_DISARM_MS = 5000;

const UNREF = { unref: true } as const;

export class TimerQueue {
  #clock: Clock;
  readonly #unref: boolean;
  #heap: QueuedTimer[] = [];
  #seq = 0;
  #armed: Timer | undefined;
  #armedAt = Infinity;
  /** Cancelled entries still in the heap. */
  #dead = 0;

  /** `unref`: the clock timer does not keep the process alive (for long waits such as lifetimes). */
  constructor(clock: Clock, options?: { unref?: boolean }) {
    this.#clock = clock;
    this.#unref = options?.unref === true;
  }

  /** Entries in the heap, including cancelled ones not yet removed. */
  get size(): number {
    return this.#heap.length;
  }

  /** Runs `fn` (or `fn.onTimer()`) after `ms` milliseconds of the clock. */
  schedule(ms: number, fn: (() => void) | TimerTarget): QueuedTimer {
    const t = new QueuedTimer(this, this.#clock.now() + Math.max(0, ms), this.#seq++, fn);
    this.#push(t);
    if (t.due < this.#armedAt) this.#arm(t.due);
    return t;
  }

  /** @internal An entry was cancelled: rebuild the heap when dead entries dominate (amortized O(1)). */
  cancelled(): void {
    this.#dead++;
    const h = this.#heap;
    if (this.#dead === h.length && this.#armedAt - this.#clock.now() > IDLE_DISARM_MS) {
      // Nothing live is left and the clock timer is far off (e.g. a separate-response timeout):
      // drop it now so that an idle endpoint does not keep the process alive.
      this.#heap = [];
      this.#dead = 0;
      this.#armed?.cancel();
      this.#armed = undefined;
      this.#armedAt = Infinity;
      return;
    }
    if (this.#dead > 64 && this.#dead * 2 > h.length) {
      const live = h.filter((t) => t.active);
      this.#heap = [];
      this.#dead = 0;
      for (const t of live) this.#push(t);
    }
  }

  /** Drops every entry and the clock timer. */
  clear(): void {
    const heap = this.#heap;
    this.#heap = [];
    this.#dead = 0;
    for (const t of heap) t.cancel();
    this.#dead = 0;
    this.#armed?.cancel();
    this.#armed = undefined;
    this.#armedAt = Infinity;
  }

  #arm(at: number): void {
    this.#armed?.cancel();
    this.#armedAt = at;
    // The clock timer's callback exists only while armed: an idle queue holds no closure.
    this.#armed = this.#clock.setTimer(
      at - this.#clock.now(),
      () => {
        this.#onTimer();
      },
      this.#unref ? UNREF : undefined,
    );
  }

  #onTimer(): void {
    this.#armed = undefined;
    this.#armedAt = Infinity;
    const now = this.#clock.now();
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) break;
      if (top.active && top.due > now) break;
      this.#pop();
      if (top.active) top.run();
      else this.#dead--;
    }
    // Skip cancelled entries so an idle endpoint holds no clock timer.
    while (this.#heap.length > 0 && !this.#heap[0]!.active) {
      this.#pop();
      this.#dead--;
    }
    // An emptied array keeps its grown backing store: an idle queue holds a fresh one instead.
    if (this.#heap.length === 0) this.#heap = [];
    const next = this.#heap[0];
    if (next !== undefined && next.due < this.#armedAt) this.#arm(next.due);
  }

  #less(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #push(t: QueuedTimer): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      const tmp = h[i]!;
      h[i] = h[p]!;
      h[p] = tmp;
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      const tmp = h[i]!;
      h[i] = h[m]!;
      h[m] = tmp;
      i = m;
    }
  }
}
