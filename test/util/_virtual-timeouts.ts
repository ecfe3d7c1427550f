/**
 * setTimeout / clearTimeout / performance.now on a virtual time line, for testing code built on the
 * system clock without waiting. Like Node, a delay above 2^31-1 ms overflows and runs after 1 ms,
 * so code that hands such delays to setTimeout shows the bug here too.
 */
import type { TestContext } from 'node:test';

const NODE_MAX_DELAY = 0x7fff_ffff;

interface VirtualHandle {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
  unrefed: boolean;
  unref(): VirtualHandle;
  ref(): VirtualHandle;
  hasRef(): boolean;
}

export class VirtualTimeouts {
  now = 0;
  /** Every delay passed to setTimeout, in call order (before the overflow rule). */
  readonly delays: number[] = [];
  readonly #pending = new Map<number, VirtualHandle>();
  #nextId = 1;

  /** Replaces the globals for the rest of the test (t.mock restores them when it ends). */
  install(t: TestContext): void {
    const setTimeoutMock = (fn: () => void, ms?: number): VirtualHandle => {
      const requested = ms ?? 0;
      this.delays.push(requested);
      const delay = requested > NODE_MAX_DELAY || !(requested >= 1) ? 1 : Math.floor(requested);
      const handle: VirtualHandle = {
        id: this.#nextId++,
        at: this.now + delay,
        fn,
        unrefed: false,
        unref() {
          this.unrefed = true;
          return this;
        },
        ref() {
          this.unrefed = false;
          return this;
        },
        hasRef() {
          return !this.unrefed;
        },
      };
      this.#pending.set(handle.id, handle);
      return handle;
    };
    const clearTimeoutMock = (h: unknown): void => {
      if (typeof h === 'object' && h !== null && 'id' in h) this.#pending.delete((h as VirtualHandle).id);
    };
    t.mock.method(globalThis, 'setTimeout', setTimeoutMock as unknown as typeof setTimeout);
    t.mock.method(globalThis, 'clearTimeout', clearTimeoutMock as typeof clearTimeout);
    t.mock.method(performance, 'now', () => this.now);
  }

  /** Timeouts not yet run or cleared. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Whether every pending timeout is unref'd. */
  get allUnrefed(): boolean {
    return [...this.#pending.values()].every((h) => h.unrefed);
  }

  /**
   * Runs the timeouts due up to `until` in time order and leaves the time there. Stops after
   * `maxRuns` callbacks (a runaway re-arming loop) and returns how many ran.
   */
  runUntil(until: number, maxRuns = 10_000): number {
    let runs = 0;
    while (runs < maxRuns) {
      let next: VirtualHandle | undefined;
      for (const h of this.#pending.values()) if (next === undefined || h.at < next.at || (h.at === next.at && h.id < next.id)) next = h;
      if (next === undefined || next.at > until) break;
      this.#pending.delete(next.id);
      this.now = next.at;
      runs++;
      next.fn();
    }
    if (runs < maxRuns) this.now = until;
    return runs;
  }
}
