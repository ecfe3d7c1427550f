/**
 * IPSO Time (3333): Current Time (5506) reads as the engine clock's wall time plus an offset, and a
 * write sets the offset (the server synchronises the device); Fractional Time (5507) is the
 * sub-second part, readable and writable the same way.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

export interface TimeEvents {
  /** A server set the time: the new offset to the clock's wall time, in ms. */
  change: { readonly offsetMs: number };
  error: Error;
}

/** One Time instance. */
export class TimeInstance extends IpsoInstance<TimeEvents> {
  #offsetMs = 0;

  constructor(engine: LwM2mEngine, options: IpsoOptions = {}) {
    super(engine, 3333, options, { 5506: new Date(Math.floor(engine.clock.wallTime() / 1000) * 1000) });
    const reg = engine.registry;
    reg.onRead(this.at(5506), () => new Date(Math.floor(this.#nowMs() / 1000) * 1000));
    reg.onRead(this.at(5507), () => (this.#nowMs() % 1000) / 1000);
    reg.onPostWrite(this.at(5506), (value, ctx) => {
      if (!(value instanceof Date)) return;
      this.#offsetMs = value.getTime() - engine.clock.wallTime();
      if (ctx.source !== 'app') this.emit('change', { offsetMs: this.#offsetMs });
    });
    reg.onPostWrite(this.at(5507), (value, ctx) => {
      if (typeof value !== 'number') return;
      const now = this.#nowMs();
      this.#offsetMs += Math.floor(now / 1000) * 1000 + Math.round(value * 1000) - now;
      if (ctx.source !== 'app') this.emit('change', { offsetMs: this.#offsetMs });
    });
  }

  #nowMs(): number {
    return this.engine.clock.wallTime() + this.#offsetMs;
  }

  /** The instance's current time. */
  now(): Date {
    return new Date(this.#nowMs());
  }

  /** Sets the time (as a server's write of 5506 and 5507 would). */
  setTime(time: Date): void {
    this.#offsetMs = time.getTime() - this.engine.clock.wallTime();
    this.engine.registry.changed(this.at(5506));
  }
}

/** Creates a Time instance (3333). */
export function installTime(engine: LwM2mEngine, options?: IpsoOptions): TimeInstance {
  return new TimeInstance(engine, options);
}
