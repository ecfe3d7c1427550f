/**
 * Time helpers of the Device object (LwM2M Core 1.1.1 E.4 /3/0/13..15): UTC offsets as ISO 8601
 * writes them ("+02:00", "-05:30", "Z", optionally after "UTC"), and IANA time zones through the
 * platform's Intl data.
 */

const OFFSET = /^(?:UTC|GMT)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Minutes east of UTC of an offset string, or undefined when it is not one (ISO 8601 ±hh[:mm], Z). */
export function parseUtcOffset(text: string): number | undefined {
  const t = text.trim();
  if (t === 'UTC' || t === 'GMT') return 0;
  const m = OFFSET.exec(t);
  if (m === null) return undefined;
  if (m[1] === 'Z') return 0;
  const hours = Number(m[3]);
  const minutes = m[4] === undefined ? 0 : Number(m[4]);
  if (hours > 14 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  if (total > 14 * 60) return undefined;
  return m[2] === '-' ? -total : total;
}

/** "+hh:mm" / "-hh:mm" for minutes east of UTC. */
export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(Math.round(minutes));
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Whether the platform knows IANA time zone `tz`. */
export function isTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC in time zone `tz` at `epochMs`. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(tz: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(epochMs));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return parseUtcOffset(name) ?? 0;
}

/**
 * An IANA zone with a fixed offset for a whole-hour offset (`Etc/GMT-2` is UTC+2: POSIX signs), or
 * undefined when none exists (offsets with minutes, beyond -12..+14 hours).
 */
export function fixedZoneFor(minutes: number): string | undefined {
  if (minutes % 60 !== 0) return undefined;
  const h = minutes / 60;
  if (h < -12 || h > 14) return undefined;
  if (h === 0) return 'Etc/UTC';
  return h > 0 ? `Etc/GMT-${h}` : `Etc/GMT+${-h}`;
}
