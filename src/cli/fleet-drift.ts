/**
 * The temperature drift of a whole fleet on one timer for the process (DESIGN.md "Scale": timers
 * are coalesced): every device's sensors move once per period, a slice of the devices at each
 * firing so the value changes (and the notifications they cause) are spread over the period rather
 * than bunched at one instant.
 */
import type { TemperatureSensors } from './sensor-drift.ts';

/** At most this many firings per period. */
const MAX_SLICES = 10;
/** Firings are at least this far apart. */
const MIN_FIRING_MS = 10;

export class FleetDrift {
  readonly #sensors: () => readonly (TemperatureSensors | undefined)[];
  readonly #slices: number;
  readonly #firingMs: number;
  #slot = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `sensors()` lists the devices' sensors by index (undefined: not created or gone). */
  constructor(sensors: () => readonly (TemperatureSensors | undefined)[], periodMs: number) {
    this.#sensors = sensors;
    this.#slices = Math.max(1, Math.min(MAX_SLICES, Math.floor(periodMs / MIN_FIRING_MS)));
    this.#firingMs = periodMs / this.#slices;
  }

  /** Ticks the next slice: the devices whose index modulo the slice count is the slot. */
  tick(): void {
    const list = this.#sensors();
    for (let i = this.#slot; i < list.length; i += this.#slices) list[i]?.tick();
    this.#slot = (this.#slot + 1) % this.#slices;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.tick();
    }, this.#firingMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
