/**
 * IPSO measurement sensors with a Sensor Value (5700) and Min / Max Measured Value (5601 / 5602)
 * since power-on or reset: Generic Sensor 3300, Temperature 3303, Humidity 3304, Voltage 3316,
 * Current 3317, Pressure 3323. `set(value)` records a measurement (feeding the data cache when it is
 * enabled for 5700) and tracks min and max; Reset Min and Max Measured Values (5605) sets both to
 * the current value, as the object definitions say.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { ValueError } from '../../../errors.ts';
import { numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

/** The object ids of the min/max sensors. */
export const SensorObject = { genericSensor: 3300, temperature: 3303, humidity: 3304, voltage: 3316, current: 3317, pressure: 3323 } as const;
export type SensorObjectId = (typeof SensorObject)[keyof typeof SensorObject];

export interface SensorOptions extends IpsoOptions {
  /** First measurement. */
  readonly value?: number;
  /** /5701 e.g. "Cel", "%RH", "V", "A", "Pa". */
  readonly units?: string;
  /** /5603 and /5604: the range the sensor can measure; values outside are refused. */
  readonly minRange?: number;
  readonly maxRange?: number;
  /** /5751 (Generic Sensor). */
  readonly sensorType?: string;
  /** /5821 Current Calibration (Voltage, Current, Pressure). */
  readonly calibration?: number;
}

/** Default units (SenML, RFC 8428) by object. */
const UNITS: Readonly<Record<number, string>> = { 3303: 'Cel', 3304: '%RH', 3316: 'V', 3317: 'A', 3323: 'Pa' };

/** One sensor instance. */
export class SensorInstance extends IpsoInstance {
  readonly #minRange: number | undefined;
  readonly #maxRange: number | undefined;

  constructor(engine: LwM2mEngine, oid: number, options: SensorOptions = {}) {
    const v = options.value;
    super(engine, oid, options, {
      5700: v ?? 0,
      5601: v,
      5602: v,
      5603: options.minRange,
      5604: options.maxRange,
      5701: options.units ?? UNITS[oid],
      5751: options.sensorType,
      5821: options.calibration,
    });
    this.#minRange = options.minRange;
    this.#maxRange = options.maxRange;
    if (this.has(5605)) {
      engine.registry.onExecute(this.at(5605), () => {
        this.resetMinMax();
      });
    }
  }

  /** The last measurement (5700). */
  get value(): number | undefined {
    return numberAt(this.engine.registry, this.at(5700));
  }
  get min(): number | undefined {
    return numberAt(this.engine.registry, this.at(5601));
  }
  get max(): number | undefined {
    return numberAt(this.engine.registry, this.at(5602));
  }

  /** Records a measurement: Sensor Value, the min / max tracking and the timestamp, in one change. */
  set(value: number, options: { readonly time?: Date } = {}): void {
    if (!Number.isFinite(value)) throw new ValueError(`${this.path.toString()}: sensor value ${value} is not a finite number`);
    if ((this.#minRange !== undefined && value < this.#minRange) || (this.#maxRange !== undefined && value > this.#maxRange)) {
      throw new ValueError(`${this.path.toString()}: ${value} is outside the sensor range ${String(this.#minRange)}..${String(this.#maxRange)}`);
    }
    const min = this.min;
    const max = this.max;
    this.update({
      5700: value,
      5601: min === undefined || value < min ? value : undefined,
      5602: max === undefined || value > max ? value : undefined,
      ...this.stamp(options.time),
    });
  }

  /** Reset Min and Max Measured Values (5605): both become the current value. */
  resetMinMax(): void {
    const v = this.value;
    if (v === undefined) return;
    this.update({ 5601: v, 5602: v });
  }
}

/** Creates a min/max sensor instance of object `oid` (3300, 3303, 3304, 3316, 3317, 3323). */
export function installSensor(engine: LwM2mEngine, oid: number, options: SensorOptions = {}): SensorInstance {
  return new SensorInstance(engine, oid, options);
}

/** Generic Sensor (3300). */
export const installGenericSensor = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.genericSensor, options);
/** Temperature (3303), units "Cel" by default. */
export const installTemperature = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.temperature, options);
/** Humidity (3304), units "%RH" by default. */
export const installHumidity = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.humidity, options);
/** Voltage (3316), units "V" by default. */
export const installVoltage = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.voltage, options);
/** Current (3317), units "A" by default. */
export const installCurrent = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.current, options);
/** Pressure (3323), units "Pa" by default. */
export const installPressure = (engine: LwM2mEngine, options?: SensorOptions): SensorInstance => installSensor(engine, SensorObject.pressure, options);
