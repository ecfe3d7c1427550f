/**
 * Seconds spent in the current on (or off) period, for the IPSO On time (5852) / Off Time (5854)
 * resources: read on demand from the clock (no timer), restarted at each transition, and set by a
 * write ("writing a value of 0 resets the counter").
 */
import type { Clock } from '../../../util/clock.ts';

export class PeriodCounter {
  readonly #clock: Clock;
  #on: boolean;
  #since: number;

  constructor(clock: Clock, on: boolean) {
    this.#clock = clock;
    this.#on = on;
    this.#since = clock.now();
  }

  get on(): boolean {
    return this.#on;
  }

  /** Changes the state; returns true on a transition (which restarts the period). */
  set(on: boolean): boolean {
    if (on === this.#on) return false;
    this.#on = on;
    this.#since = this.#clock.now();
    return true;
  }

  /** Whole seconds of the current period when it is in state `on`, else 0. */
  seconds(on: boolean): number {
    if (on !== this.#on) return 0;
    return Math.floor((this.#clock.now() - this.#since) / 1000);
  }

  /** Makes the current period read `seconds` now (a write of 0 resets it). */
  reset(seconds: number): void {
    this.#since = this.#clock.now() - seconds * 1000;
  }
}
