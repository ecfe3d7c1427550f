/**
 * uCIFI Filling level (3435): the application reports the filling level (cm, 3) or percentage (2);
 * the other follows from Container height (1). Container full (5) / empty (7) are the percentage
 * against High (4) / Low (6) threshold (100 % and 0 % when unset), re-evaluated when a server
 * writes a threshold or the height. Average filling speed (8, % per day) is measured from the last
 * reset (9, or start), and gives the Forecast full / empty dates (10 / 11). Filling operations are
 * counted (19) and reset (20). The alarms (12, 13, 21..23) are set by the application.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { ValueError } from '../../../errors.ts';
import { booleanAt, numberAt, type InitialValues } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

const DAY_MS = 86_400_000;

export interface FillingLevelOptions extends IpsoOptions {
  /** 1, cm */
  readonly containerHeight?: number;
  /** 14, cm */
  readonly containerWidth?: number;
  /** 4 and 6, % */
  readonly highThreshold?: number;
  readonly lowThreshold?: number;
  /** 15, e.g. "underground" */
  readonly installationType?: string;
  /** 16, m3 */
  readonly volumeMax?: number;
  /** 17 */
  readonly sensorPosition?: string;
  /** 18, e.g. "glass" */
  readonly materials?: string;
  /** Initial percentage (default 0). */
  readonly percentage?: number;
}

export interface FillingAlarms {
  readonly outOfLocation?: boolean;
  readonly outOfPosition?: boolean;
  readonly coverOpen?: boolean;
  readonly temperatureAlarm?: boolean;
  readonly waterInfiltration?: boolean;
}

/** One Filling level instance. */
export class FillingLevelInstance extends IpsoInstance {
  /** Start of the average filling speed window: monotonic ms and percentage. */
  #since: { at: number; percentage: number };

  constructor(engine: LwM2mEngine, options: FillingLevelOptions = {}) {
    const pct = options.percentage ?? 0;
    super(engine, 3435, options, {
      1: options.containerHeight,
      2: pct,
      3: options.containerHeight === undefined ? undefined : Math.round((pct * options.containerHeight) / 100),
      4: options.highThreshold,
      6: options.lowThreshold,
      5: false,
      7: false,
      8: 0,
      14: options.containerWidth,
      15: options.installationType,
      16: options.volumeMax,
      17: options.sensorPosition,
      18: options.materials,
      19: 0,
    });
    this.#since = { at: engine.clock.now(), percentage: pct };
    const reg = engine.registry;
    for (const rid of [1, 4, 6]) {
      reg.onPostWrite(this.at(rid), (_v, ctx) => {
        if (ctx.source !== 'app') this.#evaluate(rid === 1 ? 'height' : 'thresholds');
      });
    }
    reg.onExecute(this.at(9), () => {
      this.resetAverageSpeed();
    });
    reg.onExecute(this.at(20), () => {
      this.update({ 19: 0 });
    });
    this.#evaluate('thresholds');
  }

  /** Actual filling percentage (2). */
  get percentage(): number {
    return numberAt(this.engine.registry, this.at(2)) ?? 0;
  }

  get full(): boolean {
    return booleanAt(this.engine.registry, this.at(5)) === true;
  }

  get empty(): boolean {
    return booleanAt(this.engine.registry, this.at(7)) === true;
  }

  /** Average filling speed (8), % per day. */
  get averageSpeed(): number {
    return numberAt(this.engine.registry, this.at(8)) ?? 0;
  }

  #height(): number | undefined {
    const h = numberAt(this.engine.registry, this.at(1));
    return h !== undefined && h > 0 ? h : undefined;
  }

  /** Recomputes the flags, the speed and the forecasts for percentage `pct` (and level `cm`). */
  #evaluate(reason: 'measurement' | 'thresholds' | 'height', pct = this.percentage, extra: InitialValues = {}): void {
    const reg = this.engine.registry;
    const height = this.#height();
    const high = numberAt(reg, this.at(4)) ?? 100;
    const low = numberAt(reg, this.at(6)) ?? 0;
    const values: Record<number, InitialValues[number]> = { ...extra, 2: pct, 5: pct >= high, 7: pct <= low };
    if (reason === 'height' && height !== undefined) values[3] = Math.round((pct * height) / 100);
    const now = this.engine.clock.now();
    const elapsedDays = (now - this.#since.at) / DAY_MS;
    const speed = elapsedDays > 0 ? (pct - this.#since.percentage) / elapsedDays : 0;
    values[8] = speed;
    const wall = this.engine.clock.wallTime();
    const forecast = (days: number): Date => new Date(Math.floor((wall + days * DAY_MS) / 1000) * 1000);
    if (speed > 0 && pct < high) values[10] = forecast((high - pct) / speed);
    if (speed < 0 && pct > low) values[11] = forecast((pct - low) / -speed);
    reg.lock();
    try {
      if (!(speed > 0 && pct < high)) reg.delete(this.at(10));
      if (!(speed < 0 && pct > low)) reg.delete(this.at(11));
      this.update(values);
    } finally {
      reg.unlock();
    }
  }

  /** Reports the filling percentage (0..100); the level in cm follows from the height. */
  setPercentage(pct: number, options: { readonly time?: Date } = {}): void {
    if (!(pct >= 0 && pct <= 100)) throw new ValueError(`${this.path.toString()}: filling percentage ${pct} is not 0..100`);
    const height = this.#height();
    this.#evaluate('measurement', pct, { 3: height === undefined ? undefined : Math.round((pct * height) / 100), ...this.stamp(options.time) });
  }

  /** Reports the filling level in cm; needs Container height (1). */
  setLevel(cm: number, options: { readonly time?: Date } = {}): void {
    const height = this.#height();
    if (height === undefined) throw new ValueError(`${this.path.toString()}: a filling level in cm needs Container height (/1)`);
    if (!(cm >= 0 && cm <= height)) throw new ValueError(`${this.path.toString()}: filling level ${cm} cm is not 0..${height}`);
    this.#evaluate('measurement', (cm / height) * 100, { 3: Math.round(cm), ...this.stamp(options.time) });
  }

  /** Average filling speed reset (9): the average restarts from now. */
  resetAverageSpeed(): void {
    this.#since = { at: this.engine.clock.now(), percentage: this.percentage };
    this.#evaluate('measurement');
  }

  /** Counts one filling operation (19). */
  countFillingOperation(): void {
    this.update({ 19: (numberAt(this.engine.registry, this.at(19)) ?? 0) + 1 });
  }

  /** Sets the alarm and position flags (12, 13, 21, 22, 23). */
  setAlarms(alarms: FillingAlarms): void {
    this.update({ 12: alarms.outOfLocation, 13: alarms.outOfPosition, 21: alarms.coverOpen, 22: alarms.temperatureAlarm, 23: alarms.waterInfiltration });
  }
}

/** Creates a Filling level instance (3435). */
export function installFillingLevel(engine: LwM2mEngine, options?: FillingLevelOptions): FillingLevelInstance {
  return new FillingLevelInstance(engine, options);
}
