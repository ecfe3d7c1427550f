/**
 * Location (object 6, registry object 6): latitude, longitude, altitude, radius, speed and velocity
 * of the device, with the Timestamp of the measurement, set by the application in one change.
 * Velocity is the 3GPP TS 23.032 encoding; `encodeHorizontalVelocity` builds its simplest form.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { ValueError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { definitionOf, fillInstance, setAll } from './common.ts';

const LOCATION = 6;
const PATH = LwM2mPath.of(LOCATION, 0);

export interface LocationFix {
  /** Degrees, WGS 84. */
  readonly latitude: number;
  readonly longitude: number;
  /** Metres above sea level. */
  readonly altitude?: number;
  /** Uncertainty radius in metres. */
  readonly radius?: number;
  /** m/s */
  readonly speed?: number;
  /** 3GPP TS 23.032 velocity bytes, or a bearing and speed to encode as Horizontal Velocity. */
  readonly velocity?: Uint8Array | { readonly bearing: number; readonly horizontalSpeedKmh: number };
  /** When the fix was taken; default now (the engine clock's wall time). */
  readonly timestamp?: Date;
}

/**
 * 3GPP TS 23.032 8.12 "Horizontal Velocity": velocity type 0, bearing in degrees (0..359, clockwise
 * from north) and horizontal speed in km/h (0..65535), four octets.
 */
export function encodeHorizontalVelocity(bearing: number, horizontalSpeedKmh: number): Uint8Array {
  const b = Math.round(bearing) % 360;
  const s = Math.round(horizontalSpeedKmh);
  if (!Number.isFinite(b) || b < 0) throw new ValueError(`bearing ${bearing} is not 0..359 degrees`);
  if (!Number.isFinite(s) || s < 0 || s > 0xffff) throw new ValueError(`horizontal speed ${horizontalSpeedKmh} km/h is not 0..65535`);
  return Uint8Array.of((0 << 4) | (b >> 8), b & 0xff, s >> 8, s & 0xff);
}

function checkFix(fix: LocationFix): void {
  if (!(fix.latitude >= -90 && fix.latitude <= 90)) throw new ValueError(`latitude ${fix.latitude} is not -90..90`);
  if (!(fix.longitude >= -180 && fix.longitude <= 180)) throw new ValueError(`longitude ${fix.longitude} is not -180..180`);
}

/** The application's handle on /6/0. */
export class LocationObject {
  readonly #engine: LwM2mEngine;

  constructor(engine: LwM2mEngine, initial: LocationFix | undefined) {
    this.#engine = engine;
    const fix = initial ?? { latitude: 0, longitude: 0 };
    checkFix(fix);
    fillInstance(engine.registry, definitionOf(engine, LOCATION), 0, this.#values(fix));
  }

  #values(fix: LocationFix): Record<number, number | Date | Uint8Array | undefined> {
    const v = fix.velocity;
    return {
      0: fix.latitude,
      1: fix.longitude,
      2: fix.altitude,
      3: fix.radius,
      4: v === undefined || v instanceof Uint8Array ? v : encodeHorizontalVelocity(v.bearing, v.horizontalSpeedKmh),
      5: fix.timestamp ?? new Date(this.#engine.clock.wallTime()),
      6: fix.speed,
    };
  }

  /** Sets a new fix in one change (one notification per observation). */
  update(fix: LocationFix): void {
    checkFix(fix);
    setAll(this.#engine.registry, PATH, this.#values(fix));
  }
}

/** Creates /6/0 with an initial fix (default 0, 0 now). */
export function installLocation(engine: LwM2mEngine, initial?: LocationFix): LocationObject {
  return new LocationObject(engine, initial);
}
