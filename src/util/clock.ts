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

class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }
  wallTime(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void, options?: { unref?: boolean }): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    if (options?.unref === true) handle.unref();
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
