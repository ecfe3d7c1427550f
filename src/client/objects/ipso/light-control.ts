/**
 * IPSO Light Control (3311): On/Off (5850), Dimmer (5851, 0..100 %), Colour (5706) written by a
 * server or set by the application, On time (5852: seconds since the light was switched on, reset by
 * a write), Cumulative active power (5805) and Power factor (5820) from the application.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { booleanAt, numberAt, stringAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';
import { PeriodCounter } from './on-time.ts';

export interface LightControlOptions extends IpsoOptions {
  readonly on?: boolean;
  readonly dimmer?: number;
  readonly colour?: string;
  /** /5701 units of the power values, e.g. "W". */
  readonly units?: string;
}

export interface LightState {
  readonly on: boolean;
  readonly dimmer: number | undefined;
  readonly colour: string | undefined;
}

export interface LightControlEvents {
  /** A server changed On/Off, Dimmer or Colour: drive the light. */
  change: LightState;
  error: Error;
}

/** One Light Control instance. */
export class LightControlInstance extends IpsoInstance<LightControlEvents> {
  readonly #period: PeriodCounter;

  constructor(engine: LwM2mEngine, options: LightControlOptions = {}) {
    super(engine, 3311, options, { 5850: options.on ?? false, 5851: options.dimmer, 5706: options.colour, 5701: options.units, 5852: 0 });
    const reg = engine.registry;
    this.#period = new PeriodCounter(engine.clock, booleanAt(reg, this.at(5850)) === true);
    reg.onRead(this.at(5852), () => this.#period.seconds(true));
    reg.onPostWrite(this.at(5852), (value, ctx) => {
      if (ctx.source !== 'app' && typeof value === 'number') this.#period.reset(value);
    });
    for (const rid of [5850, 5851, 5706]) {
      reg.onPostWrite(this.at(rid), (_value, ctx) => {
        if (rid === 5850) this.#period.set(booleanAt(reg, this.at(5850)) === true);
        if (ctx.source !== 'app') this.emit('change', this.state);
      });
    }
  }

  /** The light as the data model has it. */
  get state(): LightState {
    const reg = this.engine.registry;
    return { on: booleanAt(reg, this.at(5850)) === true, dimmer: numberAt(reg, this.at(5851)), colour: stringAt(reg, this.at(5706)) };
  }

  /** Seconds since the light was switched on (0 while off). */
  get onTime(): number {
    return this.#period.seconds(true);
  }

  /** Sets On/Off, Dimmer and/or Colour from the application (e.g. a local switch). */
  setState(state: Partial<LightState>): void {
    this.update({ 5850: state.on, 5851: state.dimmer, 5706: state.colour });
  }

  /** Cumulative active power in Wh (5805) and power factor (5820). */
  setPower(values: { readonly cumulativeActivePower?: number; readonly powerFactor?: number }): void {
    this.update({ 5805: values.cumulativeActivePower, 5820: values.powerFactor });
  }
}

/** Creates a Light Control instance (3311). */
export function installLightControl(engine: LwM2mEngine, options?: LightControlOptions): LightControlInstance {
  return new LightControlInstance(engine, options);
}
