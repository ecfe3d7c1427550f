/**
 * IPSO On/Off switch (3342): Digital Input State (5500) from the application, Digital Input Counter
 * (5501) counting off -> on transitions, On time (5852) and Off Time (5854): seconds in the current
 * on or off period (0 in the other state), read from the clock and reset by a write.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { booleanAt, numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';
import { PeriodCounter } from './on-time.ts';

export interface SwitchOptions extends IpsoOptions {
  readonly state?: boolean;
}

/** One On/Off switch instance. */
export class OnOffSwitchInstance extends IpsoInstance {
  readonly #period: PeriodCounter;

  constructor(engine: LwM2mEngine, options: SwitchOptions = {}) {
    super(engine, 3342, options, { 5500: options.state ?? false, 5501: 0, 5852: 0, 5854: 0 });
    const reg = engine.registry;
    this.#period = new PeriodCounter(engine.clock, booleanAt(reg, this.at(5500)) === true);
    reg.onRead(this.at(5852), () => this.#period.seconds(true));
    reg.onRead(this.at(5854), () => this.#period.seconds(false));
    for (const [rid, on] of [
      [5852, true],
      [5854, false],
    ] as const) {
      reg.onPostWrite(this.at(rid), (value, ctx) => {
        if (ctx.source !== 'app' && typeof value === 'number' && this.#period.on === on) this.#period.reset(value);
      });
    }
  }

  get state(): boolean {
    return this.#period.on;
  }

  /** Digital Input Counter (5501). */
  get counter(): number {
    return numberAt(this.engine.registry, this.at(5501)) ?? 0;
  }

  /** Seconds in the current on period (0 while off). */
  get onTime(): number {
    return this.#period.seconds(true);
  }

  /** Seconds in the current off period (0 while on). */
  get offTime(): number {
    return this.#period.seconds(false);
  }

  /** The switch changed: state, counter on an off -> on transition, timestamp; one change. */
  setState(on: boolean, options: { readonly time?: Date } = {}): void {
    if (!this.#period.set(on)) return;
    this.update({ 5500: on, 5501: on ? this.counter + 1 : undefined, ...this.stamp(options.time) });
    const reg = this.engine.registry;
    reg.lock();
    try {
      reg.changed(this.at(5852));
      reg.changed(this.at(5854));
    } finally {
      reg.unlock();
    }
  }
}

/** Creates an On/Off switch instance (3342). */
export function installOnOffSwitch(engine: LwM2mEngine, options?: SwitchOptions): OnOffSwitchInstance {
  return new OnOffSwitchInstance(engine, options);
}
