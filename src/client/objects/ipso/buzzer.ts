/**
 * IPSO Buzzer (3338): each write of true to On/Off (5850) sounds the alarm, for Delay Duration
 * (5521) seconds when that is set (then On/Off goes back to false), else until false is written.
 * Minimum Off-time (5525) is the rearm delay: a start within it after the last stop begins when it
 * ends. Level (5548) is the relative volume. One timer on the engine clock while needed.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import type { Timer } from '../../../util/clock.ts';
import { numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

export interface BuzzerOptions extends IpsoOptions {
  /** /5521 seconds (default none: sound until switched off). */
  readonly delayDuration?: number;
  /** /5525 seconds (mandatory; default 0). */
  readonly minimumOffTime?: number;
  /** /5548 0..100. */
  readonly level?: number;
}

export interface BuzzerEvents {
  /** The buzzer starts or stops sounding (drive the hardware). */
  change: { readonly sounding: boolean; readonly level: number | undefined };
  error: Error;
}

/** One Buzzer instance. */
export class BuzzerInstance extends IpsoInstance<BuzzerEvents> {
  #sounding = false;
  #rearmAt = 0;
  #timer: Timer | undefined;

  constructor(engine: LwM2mEngine, options: BuzzerOptions = {}) {
    super(engine, 3338, options, { 5850: false, 5521: options.delayDuration, 5525: options.minimumOffTime ?? 0, 5548: options.level });
    const reg = engine.registry;
    reg.onPostWrite(this.at(5850), (value) => {
      if (value === true) this.#start();
      else this.#stop();
    });
    reg.onPostWrite(this.at(5548), () => {
      if (this.#sounding) this.emit('change', { sounding: true, level: this.#level() });
    });
  }

  #level(): number | undefined {
    return numberAt(this.engine.registry, this.at(5548));
  }

  /** Whether the alarm sounds now. */
  get sounding(): boolean {
    return this.#sounding;
  }

  #start(): void {
    const clock = this.engine.clock;
    this.#timer?.cancel();
    this.#timer = undefined;
    const wait = this.#rearmAt - clock.now();
    if (!this.#sounding && wait > 0) {
      this.#timer = clock.setTimer(wait, () => {
        this.#timer = undefined;
        this.#start();
      }, { unref: true });
      return;
    }
    if (!this.#sounding) {
      this.#sounding = true;
      this.emit('change', { sounding: true, level: this.#level() });
    }
    const duration = numberAt(this.engine.registry, this.at(5521)) ?? 0;
    if (duration > 0) {
      this.#timer = clock.setTimer(duration * 1000, () => {
        this.#timer = undefined;
        this.engine.registry.set(this.at(5850), false);
      }, { unref: true });
    }
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#sounding) return;
    this.#sounding = false;
    this.#rearmAt = this.engine.clock.now() + (numberAt(this.engine.registry, this.at(5525)) ?? 0) * 1000;
    this.emit('change', { sounding: false, level: this.#level() });
  }

  /** Sounds the alarm (as a server writing true to On/Off). */
  sound(): void {
    this.engine.registry.set(this.at(5850), true);
  }

  /** Silences it. */
  silence(): void {
    this.engine.registry.set(this.at(5850), false);
  }

  /** Cancels the timer. */
  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/** Creates a Buzzer instance (3338). */
export function installBuzzer(engine: LwM2mEngine, options?: BuzzerOptions): BuzzerInstance {
  return new BuzzerInstance(engine, options);
}
