/**
 * Device (object 3, LwM2M Core 1.1.1 E.4): identification strings, Reboot (/3/0/4) and Factory
 * Reset (/3/0/5) as application callbacks run after the response went out, the Error Code list
 * (/3/0/11: one instance holding 0 while there is no error, one instance per error otherwise) with
 * Reset Error Code (/3/0/12), Current Time (/3/0/13) as the clock's wall time plus an offset a
 * server's write sets, UTC Offset (/3/0/14) and Timezone (/3/0/15) kept consistent with each other,
 * Supported Binding and Modes, power sources with their voltage and current, battery and memory.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import type { ExecuteArguments } from '../../dm/execute-args.ts';
import { isInstances, type ExecuteContext } from '../../dm/registry.ts';
import { LwM2mStatusError, ValueError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { ObjectLink, ResourceValue } from '../../model/resource-type.ts';
import { TypedEmitter } from '../../util/typed-events.ts';
import { afterResponse, badRequest, definitionOf, fillInstance, hasResource, setAll, stringAt } from './common.ts';
import { fixedZoneFor, formatUtcOffset, isTimeZone, parseUtcOffset, zoneOffsetMinutes } from './device-time.ts';

const DEVICE = 3;

/** Available Power Sources values (/3/0/6). */
export const PowerSourceType = { dc: 0, internalBattery: 1, externalBattery: 2, fuelCell: 3, poe: 4, usb: 5, ac: 6, solar: 7 } as const;
export type PowerSourceType = (typeof PowerSourceType)[keyof typeof PowerSourceType];

/** Battery Status values (/3/0/20). */
export const BatteryStatus = { normal: 0, charging: 1, chargeComplete: 2, damaged: 3, low: 4, notInstalled: 5, unknown: 6 } as const;
export type BatteryStatus = (typeof BatteryStatus)[keyof typeof BatteryStatus];

/** Error Code values (/3/0/11); 16..32 are device specific (Device 1.2). */
export const DeviceError = {
  none: 0,
  lowBattery: 1,
  externalPowerOff: 2,
  gpsFailure: 3,
  lowSignal: 4,
  outOfMemory: 5,
  smsFailure: 6,
  ipConnectivityFailure: 7,
  peripheralMalfunction: 8,
} as const;

/** One power source: its type and present voltage (mV) and current (mA). */
export interface PowerSource {
  readonly type: number;
  readonly voltage?: number;
  readonly current?: number;
}

export interface DeviceOptions {
  readonly manufacturer?: string;
  readonly modelNumber?: string;
  readonly serialNumber?: string;
  readonly firmwareVersion?: string;
  readonly deviceType?: string;
  readonly hardwareVersion?: string;
  readonly softwareVersion?: string;
  /** /3/0/16, default "U" (add "Q" for queue mode). */
  readonly supportedBindings?: string;
  /** /3/0/6..8 by resource instance id; default one DC source. */
  readonly powerSources?: readonly PowerSource[];
  readonly batteryLevel?: number;
  readonly batteryStatus?: number;
  /** KB (1000 bytes). */
  readonly memoryFree?: number;
  readonly memoryTotal?: number;
  /** /3/0/14 e.g. "+02:00"; default derived from `timezone`, else "+00:00". */
  readonly utcOffset?: string;
  /** /3/0/15 IANA zone, e.g. "Europe/Berlin". */
  readonly timezone?: string;
  /** /3/0/22 links to external Device instances. */
  readonly extDevInfo?: readonly ObjectLink[];
}

export interface DeviceEvents {
  /** /3/0/4 was executed (the response is out); reboot callbacks run as well. */
  reboot: ExecuteArguments;
  /** /3/0/5 was executed. */
  'factory-reset': ExecuteArguments;
  /** /3/0/12 was executed: the error list is back to "no error". */
  'errors-reset': undefined;
  /** A server wrote Current Time, UTC Offset or Timezone. */
  'time-changed': { readonly offsetMs: number; readonly utcOffset: string; readonly timezone: string | undefined };
  /** A reboot or factory-reset callback failed. */
  error: Error;
}

type Callback = (args: ExecuteArguments, ctx: ExecuteContext) => void | Promise<void>;

const PATH = LwM2mPath.of(DEVICE, 0);
const describe = (v: ResourceValue): string => (typeof v === 'string' ? `'${v}'` : `a ${typeof v}`);
const at = (rid: number): LwM2mPath => PATH.child(rid);

/** The Device object of one client: application setters and the behaviour of its executables. */
export class DeviceObject extends TypedEmitter<DeviceEvents> {
  readonly #engine: LwM2mEngine;
  readonly #reboot: Callback[] = [];
  readonly #factoryReset: Callback[] = [];
  readonly #resetErrors: (() => void)[] = [];
  #unregisterFactoryReset: (() => void) | undefined;
  /** Added to the clock's wall time to give Current Time. */
  #offsetMs = 0;
  #timezone: string | undefined;

  constructor(engine: LwM2mEngine, options: DeviceOptions = {}) {
    super();
    this.#engine = engine;
    const reg = engine.registry;
    const def = definitionOf(engine, DEVICE);
    if (options.timezone !== undefined && !isTimeZone(options.timezone)) throw new ValueError(`unknown time zone '${options.timezone}'`);
    if (options.utcOffset !== undefined && parseUtcOffset(options.utcOffset) === undefined) throw new ValueError(`'${options.utcOffset}' is not a UTC offset (+hh:mm)`);
    const sources = options.powerSources ?? [{ type: PowerSourceType.dc }];
    fillInstance(reg, def, 0, {
      0: options.manufacturer,
      1: options.modelNumber,
      2: options.serialNumber,
      3: options.firmwareVersion,
      6: sources.map((s) => s.type),
      7: sources.some((s) => s.voltage !== undefined) ? sources.map((s) => s.voltage ?? 0) : undefined,
      8: sources.some((s) => s.current !== undefined) ? sources.map((s) => s.current ?? 0) : undefined,
      9: options.batteryLevel,
      10: options.memoryFree,
      11: [0],
      13: new Date(this.#nowMs()),
      14: options.utcOffset ?? (options.timezone === undefined ? '+00:00' : undefined),
      15: options.timezone,
      16: options.supportedBindings ?? 'U',
      17: options.deviceType,
      18: options.hardwareVersion,
      19: options.softwareVersion,
      20: options.batteryStatus,
      21: options.memoryTotal,
      22: options.extDevInfo === undefined ? undefined : [...options.extDevInfo],
    });
    const tz = stringAt(reg, at(15));
    if (tz !== undefined && isTimeZone(tz)) this.#timezone = tz;
    this.#installCallbacks(hasResource(def, 12));
  }

  #nowMs(): number {
    return this.#engine.clock.wallTime() + this.#offsetMs;
  }

  #installCallbacks(resetErrorCode: boolean): void {
    const reg = this.#engine.registry;
    reg.onExecute(at(4), (args, ctx) => {
      this.#runAfter('reboot', this.#reboot, args, ctx);
    });
    if (resetErrorCode) {
      reg.onExecute(at(12), () => {
        this.resetErrors();
      });
    }
    reg.onRead(at(13), () => new Date(Math.floor(this.#nowMs() / 1000) * 1000));
    reg.onPostWrite(at(13), (value, ctx) => {
      if (ctx.source === 'app' || !(value instanceof Date)) return;
      this.#offsetMs = value.getTime() - this.#engine.clock.wallTime();
      this.#timeChanged();
    });
    reg.onValidate(at(14), (value, ctx) => {
      if (ctx.source !== 'app' && (typeof value !== 'string' || parseUtcOffset(value) === undefined)) throw badRequest(`${describe(value)} is not a UTC offset (ISO 8601 +hh:mm)`);
    });
    reg.onRead(at(14), () => (this.#timezone === undefined ? undefined : formatUtcOffset(zoneOffsetMinutes(this.#timezone, this.#nowMs()))));
    reg.onPostWrite(at(14), (value, ctx) => {
      if (ctx.source === 'app' || typeof value !== 'string') return;
      this.#offsetWritten(value);
      this.#timeChanged();
    });
    reg.onValidate(at(15), (value, ctx) => {
      if (ctx.source !== 'app' && (typeof value !== 'string' || !isTimeZone(value))) throw badRequest(`${describe(value)} is not an IANA time zone`);
    });
    reg.onPostWrite(at(15), (value, ctx) => {
      if (ctx.source === 'app' || typeof value !== 'string') return;
      this.#timezone = value;
      this.#timeChanged();
    });
  }

  /** A UTC offset was written: a zone that disagrees with it is replaced by the fixed zone of that offset (or dropped). */
  #offsetWritten(text: string): void {
    const minutes = parseUtcOffset(text);
    if (minutes === undefined || this.#timezone === undefined) return;
    if (zoneOffsetMinutes(this.#timezone, this.#nowMs()) === minutes) return;
    const fixed = fixedZoneFor(minutes);
    this.#timezone = undefined;
    const reg = this.#engine.registry;
    if (fixed !== undefined) reg.set(at(15), fixed);
    else reg.delete(at(15));
    this.#timezone = fixed;
    reg.set(at(14), formatUtcOffset(minutes));
  }

  #timeChanged(): void {
    this.emit('time-changed', { offsetMs: this.#offsetMs, utcOffset: this.utcOffset, timezone: this.#timezone });
  }

  #runAfter(event: 'reboot' | 'factory-reset', callbacks: readonly Callback[], args: ExecuteArguments, ctx: ExecuteContext): void {
    if (callbacks.length === 0 && this.listenerCount(event) === 0) {
      throw new LwM2mStatusError(0xa1, `${ctx.path.toString()}: the application has no ${event} handler`);
    }
    afterResponse(() => {
      this.emit(event, args);
      for (const cb of callbacks) {
        try {
          const r = cb(args, ctx);
          if (r instanceof Promise) {
            r.catch((e: unknown) => {
              this.#report(e);
            });
          }
        } catch (error) {
          this.#report(error);
        }
      }
    });
  }

  #report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  // --- executables ---------------------------------------------------------------------------------

  /** Called after the response to Reboot (/3/0/4) went out; the application reboots (or restarts the client). */
  onReboot(cb: Callback): () => void {
    this.#reboot.push(cb);
    return () => {
      const i = this.#reboot.indexOf(cb);
      if (i >= 0) this.#reboot.splice(i, 1);
    };
  }

  /** Called after the response to Factory Reset (/3/0/5) went out. Registering one makes /3/0/5 present. */
  onFactoryReset(cb: Callback): () => void {
    this.#factoryReset.push(cb);
    if (this.#unregisterFactoryReset === undefined && hasResource(definitionOf(this.#engine, DEVICE), 5)) {
      this.#unregisterFactoryReset = this.#engine.registry.onExecute(at(5), (args, ctx) => {
        this.#runAfter('factory-reset', this.#factoryReset, args, ctx);
      });
    }
    return () => {
      const i = this.#factoryReset.indexOf(cb);
      if (i >= 0) this.#factoryReset.splice(i, 1);
      if (this.#factoryReset.length === 0) {
        this.#unregisterFactoryReset?.();
        this.#unregisterFactoryReset = undefined;
      }
    };
  }

  /** Called after Reset Error Code (/3/0/12) cleared the list, to add the errors still present. */
  onResetErrors(cb: () => void): () => void {
    this.#resetErrors.push(cb);
    return () => {
      const i = this.#resetErrors.indexOf(cb);
      if (i >= 0) this.#resetErrors.splice(i, 1);
    };
  }

  // --- error codes ---------------------------------------------------------------------------------

  #errorMap(): Map<number, number> {
    const v = this.#engine.registry.get(at(11));
    const out = new Map<number, number>();
    if (isInstances(v)) for (const [riid, code] of v) if (typeof code === 'number' && code !== 0) out.set(riid, code);
    return out;
  }

  /** The current error codes (empty: no error). */
  errors(): number[] {
    return [...this.#errorMap().values()];
  }

  /**
   * Reports an error (LwM2M Core E.4 /3/0/11): the first replaces the "no error" instance, each
   * further distinct code gets a new resource instance. Returns false when it was already listed.
   */
  addError(code: number): boolean {
    if (!Number.isInteger(code) || code <= 0) throw new ValueError(`error code ${code} is not a positive integer (0 means no error)`);
    const map = this.#errorMap();
    if ([...map.values()].includes(code)) return false;
    let riid = 0;
    while (map.has(riid)) riid++;
    map.set(riid, code);
    this.#engine.registry.set(at(11), map);
    return true;
  }

  /** An error condition ended: its instance goes; with none left the list is back to one 0. */
  removeError(code: number): boolean {
    const map = this.#errorMap();
    let found = false;
    for (const [riid, c] of map) {
      if (c === code) {
        map.delete(riid);
        found = true;
      }
    }
    if (found) this.#engine.registry.set(at(11), map.size === 0 ? [0] : map);
    return found;
  }

  /** Clears the list to one instance holding 0 (no error). */
  clearErrors(): void {
    this.#engine.registry.set(at(11), [0]);
  }

  /** Reset Error Code (/3/0/12): clears the list, then lets the application re-add the errors still present. */
  resetErrors(): void {
    const reg = this.#engine.registry;
    reg.lock();
    try {
      this.clearErrors();
      for (const cb of this.#resetErrors) {
        try {
          cb();
        } catch (error) {
          this.#report(error);
        }
      }
    } finally {
      reg.unlock();
    }
    this.emit('errors-reset', undefined);
  }

  // --- time ----------------------------------------------------------------------------------------

  /** Current Time (/3/0/13): the clock's wall time plus the offset a server's write set. */
  now(): Date {
    return new Date(this.#nowMs());
  }

  /** Milliseconds Current Time is ahead of the clock's wall time. */
  get timeOffsetMs(): number {
    return this.#offsetMs;
  }

  /** Sets Current Time (as a server's write would). */
  setCurrentTime(time: Date): void {
    this.#offsetMs = time.getTime() - this.#engine.clock.wallTime();
    this.#engine.registry.changed(at(13));
  }

  /** UTC Offset in effect (/3/0/14). */
  get utcOffset(): string {
    if (this.#timezone !== undefined) return formatUtcOffset(zoneOffsetMinutes(this.#timezone, this.#nowMs()));
    return stringAt(this.#engine.registry, at(14)) ?? '+00:00';
  }

  /** Timezone (/3/0/15), if set. */
  get timezone(): string | undefined {
    return this.#timezone;
  }

  /** Sets the IANA time zone; UTC Offset follows it. */
  setTimezone(tz: string): void {
    if (!isTimeZone(tz)) throw new ValueError(`unknown time zone '${tz}'`);
    this.#timezone = tz;
    setAll(this.#engine.registry, PATH, { 15: tz, 14: formatUtcOffset(zoneOffsetMinutes(tz, this.#nowMs())) });
  }

  /** Sets the UTC offset; a time zone that disagrees is replaced as a server's write would do. */
  setUtcOffset(offset: string): void {
    if (parseUtcOffset(offset) === undefined) throw new ValueError(`'${offset}' is not a UTC offset (+hh:mm)`);
    this.#engine.registry.set(at(14), offset);
    this.#offsetWritten(offset);
  }

  // --- power, battery, memory, identity --------------------------------------------------------

  /** Sets battery level (%) and/or status (/3/0/9, /3/0/20) in one change. */
  setBattery(values: { readonly level?: number; readonly status?: number }): void {
    setAll(this.#engine.registry, PATH, { 9: values.level, 20: values.status });
  }

  /** Sets free and/or total memory in KB (/3/0/10, /3/0/21). */
  setMemory(values: { readonly free?: number; readonly total?: number }): void {
    setAll(this.#engine.registry, PATH, { 10: values.free, 21: values.total });
  }

  /** Adds or updates power source `id` (the same resource instance id in /3/0/6, 7 and 8). */
  setPowerSource(id: number, source: PowerSource): void {
    const reg = this.#engine.registry;
    reg.lock();
    try {
      reg.set(at(6).child(id), source.type);
      if (source.voltage !== undefined) reg.set(at(7).child(id), source.voltage);
      if (source.current !== undefined) reg.set(at(8).child(id), source.current);
    } finally {
      reg.unlock();
    }
  }

  /** Removes power source `id` from /3/0/6..8. */
  removePowerSource(id: number): boolean {
    const reg = this.#engine.registry;
    reg.lock();
    try {
      let found = false;
      for (const rid of [6, 7, 8]) found = reg.delete(at(rid).child(id)) || found;
      return found;
    } finally {
      reg.unlock();
    }
  }

  /** Sets identification and other single-valued resources by id, e.g. `{ 3: '1.2.4' }` after an update. */
  setInfo(values: Readonly<Record<number, ResourceValue | undefined>>): void {
    setAll(this.#engine.registry, PATH, values);
  }
}

/** Creates /3/0 (or completes an existing one) with its behaviour; returns the application's handle. */
export function installDevice(engine: LwM2mEngine, options: DeviceOptions = {}): DeviceObject {
  return new DeviceObject(engine, options);
}
