/**
 * IPSO three-axis sensors: Accelerometer (3313) and Magnetometer (3314, with Compass Direction
 * 5705). `set({ x, y, z })` records one measurement (X 5702, Y 5703, Z 5704) in one change.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { ValueError } from '../../../errors.ts';
import { numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

export interface AxesOptions extends IpsoOptions {
  /** /5701, default "m/s2" (accelerometer) or "T" (magnetometer). */
  readonly units?: string;
  /** /5603, /5604 (accelerometer). */
  readonly minRange?: number;
  readonly maxRange?: number;
}

export interface AxesValue {
  readonly x: number;
  readonly y?: number;
  readonly z?: number;
  /** Degrees 0..360 (magnetometer 5705). */
  readonly compass?: number;
}

/** One Accelerometer or Magnetometer instance. */
export class AxesInstance extends IpsoInstance {
  constructor(engine: LwM2mEngine, oid: 3313 | 3314, options: AxesOptions = {}) {
    super(engine, oid, options, {
      5701: options.units ?? (oid === 3313 ? 'm/s2' : 'T'),
      5702: 0,
      5603: options.minRange,
      5604: options.maxRange,
    });
  }

  get x(): number | undefined {
    return numberAt(this.engine.registry, this.at(5702));
  }

  /** Records one measurement of the axes (and the compass direction), with its timestamp. */
  set(value: AxesValue, options: { readonly time?: Date } = {}): void {
    for (const v of [value.x, value.y, value.z, value.compass]) {
      if (v !== undefined && !Number.isFinite(v)) throw new ValueError(`${this.path.toString()}: ${v} is not a finite number`);
    }
    this.update({ 5702: value.x, 5703: value.y, 5704: value.z, 5705: value.compass, ...this.stamp(options.time) });
  }
}

/** Accelerometer (3313). */
export function installAccelerometer(engine: LwM2mEngine, options?: AxesOptions): AxesInstance {
  return new AxesInstance(engine, 3313, options);
}

/** Magnetometer (3314). */
export function installMagnetometer(engine: LwM2mEngine, options?: AxesOptions): AxesInstance {
  return new AxesInstance(engine, 3314, options);
}
