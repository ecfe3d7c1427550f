/**
 * Registration expiry (LwM2M Core 1.1.1 6.2: the server removes a registration whose lifetime
 * passed without an Update). One coalesced timer for all registrations.
 */
import { TimerQueue, type QueuedTimer } from '../coap/timer-queue.ts';
import type { Clock } from '../util/clock.ts';

export class ExpiryTimers {
  readonly #clock: Clock;
  readonly #queue: TimerQueue;
  readonly #timers = new Map<string, QueuedTimer>();
  readonly #onExpire: (id: string) => void;

  constructor(clock: Clock, onExpire: (id: string) => void) {
    this.#clock = clock;
    // Lifetimes may exceed setTimeout's range: the clock chains such waits (util/clock.ts).
    this.#queue = new TimerQueue(clock, { unref: true });
    this.#onExpire = onExpire;
  }

  /** (Re)schedules the expiry of `id` at monotonic time `at`; Infinity never expires. */
  set(id: string, at: number): void {
    this.#timers.get(id)?.cancel();
    if (at === Infinity) {
      this.#timers.delete(id);
      return;
    }
    this.#timers.set(
      id,
      this.#queue.schedule(at - this.#clock.now(), () => {
        this.#timers.delete(id);
        this.#onExpire(id);
      }),
    );
  }

  delete(id: string): void {
    this.#timers.get(id)?.cancel();
    this.#timers.delete(id);
  }

  clear(): void {
    this.#timers.clear();
    this.#queue.clear();
  }
}
