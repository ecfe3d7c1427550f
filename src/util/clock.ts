/**
 * Injectable time. Everything that waits (retransmission, pmin/pmax, lifetimes, queue mode) takes a
 * Clock, so tests run on a FakeClock with exact timing instead of sleeping.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (timestamps in SenML records, Current Time). */
  wallTime(): number;
  /** Runs `fn` once after `ms` milliseconds. `unref` lets the process exit while the timer is pending. */
  setTimer(ms: number, fn: () => void, options?: { unref?: boolean }): Timer;
}

/**
 * The longest delay `setTimeout` takes: a signed 32-bit count of milliseconds (about 24.8 days).
 * Node runs a longer timeout after 1 ms instead (with a TimeoutOverflowWarning).
 */
export const MAX_TIMEOUT_MS = 0x7fff_ffff;

/** A node:timers timeout as a Timer (a class, so a pending timer costs no closure of its own). */
class SystemTimer implements Timer {
  readonly #handle: NodeJS.Timeout;
  constructor(handle: NodeJS.Timeout) {
    this.#handle = handle;
  }
  cancel(): void {
    clearTimeout(this.#handle);
  }
}

/**
 * A wait longer than setTimeout can take, served as a chain of timeouts of at most MAX_TIMEOUT_MS:
 * `fn` runs once the whole delay has passed (a delay of Infinity never runs it).
 */
class LongTimer implements Timer {
  #handle: NodeJS.Timeout | undefined;
  #remaining: number;
  readonly #fn: () => void;
  readonly #unref: boolean;

  constructor(ms: number, fn: () => void, unref: boolean) {
    this.#remaining = ms;
    this.#fn = fn;
    this.#unref = unref;
    this.#arm();
  }

  #arm(): void {
    const step = Math.min(this.#remaining, MAX_TIMEOUT_MS);
    this.#remaining -= step;
    this.#handle = setTimeout(this.#step, step);
    if (this.#unref) this.#handle.unref();
  }

  readonly #step = (): void => {
    this.#handle = undefined;
    if (this.#remaining > 0) this.#arm();
    else this.#fn();
  };

  cancel(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#remaining = 0;
  }
}

/**
 * The process clock: performance.now(), Date.now() and node:timers. Delays beyond MAX_TIMEOUT_MS
 * (registration lifetimes, pmax, 24 h CON intervals) are chained rather than handed to setTimeout,
 * whose overflow would fire them after 1 ms; a negative or NaN delay counts as 0.
 */
class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }
  wallTime(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void, options?: { unref?: boolean }): Timer {
    const unref = options?.unref === true;
    if (ms > MAX_TIMEOUT_MS) return new LongTimer(ms, fn, unref);
    const handle = setTimeout(fn, ms > 0 ? ms : 0);
    if (unref) handle.unref();
    return new SystemTimer(handle);
  }
}

export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A manual clock. `advance(ms)` fires due timers in time order (timers scheduled by a firing timer
 * fire too when they fall inside the window). `tick(ms)` does the same but lets promise callbacks and
 * I/O callbacks run between timers, which is what code built on async/await needs.
 */
export class FakeClock implements Clock {
  #now: number;
  #wallOffset: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(options?: { start?: number; wallStart?: number }) {
    this.#now = options?.start ?? 0;
    this.#wallOffset = (options?.wallStart ?? Date.UTC(2026, 0, 1)) - this.#now;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#now + this.#wallOffset;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: FakeTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Time of the next pending timer, or undefined. */
  nextAt(): number | undefined {
    return this.#next()?.at;
  }

  #next(): FakeTimer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #fire(timer: FakeTimer): void {
    timer.cancelled = true;
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }

  /** Advances synchronously, firing due timers. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const t = this.#next();
      if (t === undefined || t.at > end) break;
      this.#fire(t);
    }
    this.#now = end;
  }

  /** Advances, letting microtasks and pending I/O callbacks settle before and after each timer. */
  async tick(ms = 0): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      const t = this.#next();
      if (t === undefined || t.at > end) break;
      this.#fire(t);
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Advances to the next pending timer (if any) and fires it and everything due at that time. */
  async tickNext(): Promise<boolean> {
    const at = this.nextAt();
    if (at === undefined) return false;
    await this.tick(at - this.#now);
    return true;
  }
}

/** Lets queued promise callbacks and immediate callbacks run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
