/**
 * Options of `lwm2m simulate`: the server (or bootstrap server) every simulated device uses, how
 * many devices and their endpoint names, registration settings (LwM2M Core 1.1.1 6.2), start pacing,
 * PSK credentials per device (Security mode 0, E.1: identity PREFIX+K, one key), and the timers of
 * the simulation and its status lines.
 */
import { parseArgs } from 'node:util';
import type { LwM2mVersion } from '../client/rd/messages.ts';
import { parseServerUri } from '../client/rd/server-uri.ts';
import { checkEndpointName, DEFAULT_LIFETIME, SecurityModeId, type SecuritySettings } from './client-options.ts';
import { UsageError } from './errors.ts';

export interface SimulateConfig {
  /** LwM2M server URI, or the bootstrap server's with `bootstrap`. */
  readonly serverUri: string;
  readonly count: number;
  /** Device K is `${prefix}-${K}`. */
  readonly prefix: string;
  readonly startIndex: number;
  readonly lifetime: number;
  readonly version: LwM2mVersion;
  readonly queue: boolean;
  /** Devices started per second at most; undefined: as fast as registrations complete. */
  readonly rate: number | undefined;
  /** Registrations in progress at once, at most. */
  readonly concurrency: number;
  readonly bootstrap: boolean;
  /** Device K uses PSK identity `${identityPrefix}${K}` with `key`. */
  readonly psk: { readonly identityPrefix: string; readonly key: Uint8Array } | undefined;
  readonly sensorPeriodMs: number;
  /** Seconds between status lines; 0: none. */
  readonly statsIntervalS: number;
  /** Stop by itself after this many seconds; undefined: run until a signal. */
  readonly durationS: number | undefined;
}

export const SIMULATE_DEFAULTS = {
  prefix: 'sim',
  concurrency: 100,
  sensorPeriodMs: 1000,
  statsIntervalS: 5,
} as const;

export const SIMULATE_USAGE = `usage: lwm2m simulate --server URI --count N [--prefix NAME] [--start-index K] [--lifetime S]
                      [--lwm2m 1.0|1.1] [--queue] [--rate R] [--concurrency C] [--bootstrap]
                      [--psk-identity-prefix P --psk-key HEX] [--sensor-period MS]
                      [--stats-interval S] [--duration S]
  --server coap://HOST:PORT   LwM2M server URI (coaps:// with --psk-*); the bootstrap server's with --bootstrap
  --count N                   number of simulated devices, each an LwM2M client with its own UDP socket
  --prefix NAME               endpoint names NAME-K (default ${SIMULATE_DEFAULTS.prefix})
  --start-index K             index of the first device (default 0): NAME-K .. NAME-(K+N-1)
  --lifetime S                registration lifetime in seconds (default ${DEFAULT_LIFETIME})
  --lwm2m 1.0|1.1             LwM2M version (default 1.1)
  --queue                     queue mode (sleep between exchanges)
  --rate R                    start at most R devices per second (default: as fast as registrations complete)
  --concurrency C             registrations in progress at once, at most (default ${SIMULATE_DEFAULTS.concurrency})
  --bootstrap                 each device bootstraps first, then registers with the server it is given
  --psk-identity-prefix P --psk-key HEX   DTLS with a pre-shared key: device K uses identity P+K
  --sensor-period MS          how often the temperatures (3303/0) move (default ${SIMULATE_DEFAULTS.sensorPeriodMs} ms)
  --stats-interval S          seconds between status lines on stderr (default ${SIMULATE_DEFAULTS.statsIntervalS}; 0: none)
  --duration S                de-register all and stop after S seconds (default: at SIGINT/SIGTERM)
A JSON summary is the last line on stdout when it stops.
`;

const OPTIONS = {
  server: { type: 'string' },
  count: { type: 'string' },
  prefix: { type: 'string' },
  'start-index': { type: 'string' },
  lifetime: { type: 'string' },
  lwm2m: { type: 'string' },
  queue: { type: 'boolean' },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
  bootstrap: { type: 'boolean' },
  'psk-identity-prefix': { type: 'string' },
  'psk-key': { type: 'string' },
  'sensor-period': { type: 'string' },
  'stats-interval': { type: 'string' },
  duration: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A whole number option within min..max. */
function whole(text: string, name: string, min: number, max: number): number {
  if (!/^[0-9]{1,15}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number ${min}..${max}, got '${text}'`);
  }
  return Number(text);
}

/** A decimal number option within min..max (`exclusiveMin`: above min). */
function decimal(text: string, name: string, min: number, max: number, exclusiveMin: boolean): number {
  const n = Number(text);
  if (!/^[0-9]{1,9}(\.[0-9]{1,6})?$/.test(text) || (exclusiveMin ? n <= min : n < min) || n > max) {
    throw new UsageError(`--${name} must be a number ${exclusiveMin ? 'above' : 'from'} ${min} to ${max}, got '${text}'`);
  }
  return n;
}

/** Parses the options. Throws UsageError for bad options; returns undefined for --help. */
export function parseSimulateArgs(argv: readonly string[]): SimulateConfig | undefined {
  let v;
  try {
    v = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (v.help === true) return undefined;
  if (v.server === undefined) throw new UsageError('--server is required');
  if (v.count === undefined) throw new UsageError('--count is required');
  let secure: boolean;
  try {
    secure = parseServerUri(v.server).secure;
  } catch (error) {
    throw new UsageError(`--server: ${(error as Error).message}`);
  }
  const count = whole(v.count, 'count', 1, 100_000);
  const prefix = v.prefix ?? SIMULATE_DEFAULTS.prefix;
  checkEndpointName(prefix);
  const version = v.lwm2m ?? '1.1';
  if (version !== '1.0' && version !== '1.1') throw new UsageError(`--lwm2m must be 1.0 or 1.1, got '${version}'`);
  const identityPrefix = v['psk-identity-prefix'];
  const hex = v['psk-key'];
  if ((identityPrefix === undefined) !== (hex === undefined)) throw new UsageError('--psk-identity-prefix and --psk-key go together');
  let psk: SimulateConfig['psk'];
  if (identityPrefix !== undefined && hex !== undefined) {
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError(`--psk-key must be an even number of hex digits, got '${hex}'`);
    if (!secure) throw new UsageError('PSK credentials need a coaps:// server URI');
    psk = { identityPrefix, key: new Uint8Array(Buffer.from(hex, 'hex')) };
  } else if (secure) {
    throw new UsageError('a coaps:// server needs --psk-identity-prefix and --psk-key');
  }
  return {
    serverUri: v.server,
    count,
    prefix,
    startIndex: v['start-index'] === undefined ? 0 : whole(v['start-index'], 'start-index', 0, 999_999_999),
    lifetime: v.lifetime === undefined ? DEFAULT_LIFETIME : whole(v.lifetime, 'lifetime', 1, 0xffffffff),
    version,
    queue: v.queue === true,
    rate: v.rate === undefined ? undefined : decimal(v.rate, 'rate', 0, 1_000_000, true),
    concurrency: v.concurrency === undefined ? SIMULATE_DEFAULTS.concurrency : whole(v.concurrency, 'concurrency', 1, 100_000),
    bootstrap: v.bootstrap === true,
    psk,
    sensorPeriodMs: v['sensor-period'] === undefined ? SIMULATE_DEFAULTS.sensorPeriodMs : whole(v['sensor-period'], 'sensor-period', 10, 86_400_000),
    statsIntervalS: v['stats-interval'] === undefined ? SIMULATE_DEFAULTS.statsIntervalS : decimal(v['stats-interval'], 'stats-interval', 0, 86_400, false),
    durationS: v.duration === undefined ? undefined : decimal(v.duration, 'duration', 0, 31_536_000, true),
  };
}

/** The endpoint name of device `index` (0-based within the fleet). */
export function endpointOf(config: SimulateConfig, index: number): string {
  return `${config.prefix}-${config.startIndex + index}`;
}

/** The Security settings of device `index`: NoSec, or PSK with identity PREFIX+K. */
export function securityOf(config: SimulateConfig, index: number): SecuritySettings {
  if (config.psk === undefined) return { mode: SecurityModeId.nosec };
  return {
    mode: SecurityModeId.psk,
    publicKeyOrIdentity: new TextEncoder().encode(`${config.psk.identityPrefix}${config.startIndex + index}`),
    secretKey: config.psk.key,
  };
}
