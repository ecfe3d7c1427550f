/**
 * The simulated Temperature sensors (IPSO 3303) of the command-line client. Every 3303 instance,
 * including those a server creates later, gets a sensor handle (`installTemperature`: Sensor Value,
 * Min/Max Measured Value, Reset Min/Max 5605); one timer for the process moves each value a little
 * every period, so an observing server sees real changes.
 */
import type { LwM2mEngine } from '../dm/engine.ts';
import type { InstancesChange } from '../dm/registry.ts';
import { installTemperature, type SensorInstance, type SensorOptions } from '../client/objects/index.ts';

export const TEMPERATURE = 3303;
const LOW = -40;
const HIGH = 85;

/** Rounds to hundredths, without a negative zero. */
function round2(x: number): number {
  return Math.round(x * 100) / 100 || 0;
}

/** The temperature sensor handles of one client, following the instances that come and go. */
export class TemperatureSensors {
  readonly #engine: LwM2mEngine;
  readonly #random: () => number;
  readonly #handles = new Map<number, SensorInstance>();
  readonly #off: () => void;
  #disposed = false;

  constructor(engine: LwM2mEngine, options: { random?: () => number } = {}) {
    this.#engine = engine;
    this.#random = options.random ?? Math.random;
    const listener = (change: InstancesChange): void => {
      for (const p of change.deleted) if (p.objectId === TEMPERATURE) this.#handles.delete(p.instanceId!);
      // Adopt new instances once the operation that created them is over.
      if (change.created.some((p) => p.objectId === TEMPERATURE)) {
        setImmediate(() => {
          this.#adoptAll();
        });
      }
    };
    engine.registry.on('instances-changed', listener);
    this.#off = () => engine.registry.off('instances-changed', listener);
    this.#adoptAll();
  }

  /** Creates a sensor instance (the lowest free id unless `iid` is given). */
  create(options: SensorOptions = {}): SensorInstance {
    const handle = installTemperature(this.#engine, options);
    this.#handles.set(handle.iid, handle);
    return handle;
  }

  get(iid: number): SensorInstance | undefined {
    return this.#handles.get(iid);
  }

  #adoptAll(): void {
    if (this.#disposed) return;
    const registry = this.#engine.registry;
    for (const iid of registry.instanceIds(TEMPERATURE)) {
      if (this.#handles.has(iid)) continue;
      // An instance without a value (a server created it) starts at room temperature.
      const fresh = registry.get(`/${TEMPERATURE}/${iid}/5700`) === undefined;
      this.#handles.set(iid, installTemperature(this.#engine, { iid, ...(fresh ? { value: round2(20 + this.#random()) } : {}) }));
    }
  }

  /** One step: each value moves by up to ±0.25 (never zero), within -40..85 °C. */
  tick(): void {
    for (const [iid, sensor] of this.#handles) {
      if (!this.#engine.registry.hasInstance(TEMPERATURE, iid)) {
        this.#handles.delete(iid);
        continue;
      }
      const current = sensor.value ?? 20;
      let step = round2((this.#random() - 0.5) * 0.5);
      if (step === 0) step = 0.01;
      let next = round2(current + step);
      if (next < LOW || next > HIGH) next = round2(current - step);
      try {
        sensor.set(next);
      } catch {
        // Outside the instance's range, or refused by a callback: it stays as it is this time.
      }
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#off();
    this.#handles.clear();
  }
}

/** One timer for the process: ticks the sensors `target()` names (they change when the shell replaces the client). */
export class SensorDrift {
  readonly #target: () => TemperatureSensors | undefined;
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(target: () => TemperatureSensors | undefined, options: { periodMs?: number } = {}) {
    this.#target = target;
    this.#periodMs = options.periodMs ?? 1000;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#target()?.tick();
    }, this.#periodMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
