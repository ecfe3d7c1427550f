/**
 * LwM2M Security (object 0, LwM2M Core 1.1.1 E.1): the values of one Security instance built from
 * an account description, with the defaults the specification gives (Security Mode NoSec for
 * coap://, Client Hold Off Time 0, Bootstrap-Server Account Timeout 0, Certificate Usage 3 for the
 * certificate modes, Matching Type 0 "exact match"). The object has no executables; the RD client
 * reads it.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { ValueError } from '../../errors.ts';
import type { LwM2mPath } from '../../model/path.ts';
import { definitionOf, fillInstance, type InitialValues } from './common.ts';

const SECURITY = 0;

/** Security Mode (/0/x/2, LwM2M Core 1.1.1 E.1): 0 PSK, 1 RPK, 2 certificate, 3 NoSec, 4 certificate with EST. */
export const SecurityModeValue = { psk: 0, rpk: 1, certificate: 2, nosec: 3, est: 4 } as const;
export type SecurityModeName = keyof typeof SecurityModeValue;

/** Credentials of one account, as the Security object holds them. */
export interface SecurityCredentials {
  /** Security Mode by name or number; default: NoSec for coap://, else chosen from the credentials given. */
  readonly securityMode?: SecurityModeName | number;
  /** PSK identity (/0/x/3 in PSK mode); a string is stored as UTF-8. */
  readonly pskIdentity?: string | Uint8Array;
  /** The pre-shared key (/0/x/5 in PSK mode). */
  readonly pskKey?: Uint8Array;
  /** Our certificate (DER) in certificate mode, or our public key in RPK mode (/0/x/3). */
  readonly publicKeyOrIdentity?: Uint8Array;
  /** The server's certificate, trust anchor or raw public key (/0/x/4). */
  readonly serverPublicKey?: Uint8Array;
  /** Our private key in certificate or RPK mode (/0/x/5). */
  readonly secretKey?: Uint8Array;
  /** /0/x/14 SNI (1.1). */
  readonly sni?: string;
  /** /0/x/15 Certificate Usage (1.1; default 3 "domain-issued certificate" in the certificate modes). */
  readonly certificateUsage?: number;
  /** /0/x/13 Matching Type (1.1; default 0 "exact match" in the certificate modes). */
  readonly matchingType?: number;
  /** /0/x/16 DTLS/TLS Ciphersuite: IANA numbers of the suites allowed (1.1). */
  readonly cipherSuites?: readonly number[];
}

/** One Security instance. */
export interface SecurityInstanceOptions extends SecurityCredentials {
  /** /0/x/0 LwM2M Server URI (coap://, coaps://). */
  readonly uri: string;
  /** /0/x/1 true for the bootstrap server's instance. */
  readonly bootstrap?: boolean;
  /** /0/x/10 Short Server ID (every LwM2M Server; optional for the bootstrap server). */
  readonly ssid?: number;
  /** /0/x/11 Client Hold Off Time in seconds (default 0). */
  readonly holdOffTime?: number;
  /** /0/x/12 Bootstrap-Server Account Timeout in seconds (default 0: never removed). */
  readonly bootstrapAccountTimeout?: number;
  /** Instance id; default the lowest free one. */
  readonly iid?: number;
}

const EMPTY = new Uint8Array(0);

function utf8(v: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

function resolveMode(o: SecurityInstanceOptions): number {
  const m = o.securityMode;
  if (typeof m === 'number') {
    if (!Number.isInteger(m) || m < 0 || m > 4) throw new ValueError(`Security Mode ${m} is not 0..4`);
    return m;
  }
  if (m !== undefined) return SecurityModeValue[m];
  if (o.uri.startsWith('coap://')) return SecurityModeValue.nosec;
  if (o.pskKey !== undefined) return SecurityModeValue.psk;
  if (o.publicKeyOrIdentity !== undefined && o.secretKey !== undefined) return SecurityModeValue.certificate;
  if (o.secretKey !== undefined && o.serverPublicKey !== undefined) return SecurityModeValue.rpk;
  throw new ValueError(`${o.uri}: a secure URI needs a Security Mode or credentials (pskIdentity/pskKey, certificate and key, or keys)`);
}

/**
 * The resource values of a Security instance (LwM2M Core 1.1.1 E.1) for `options`: URI, bootstrap
 * flag, mode, key material (empty opaque values where the mode needs none), Short Server ID, the
 * hold-off and account timeouts, and for the certificate modes Matching Type and Certificate Usage.
 */
export function securityValues(options: SecurityInstanceOptions): InitialValues {
  const mode = resolveMode(options);
  const bootstrap = options.bootstrap === true;
  if (!bootstrap && options.ssid === undefined) throw new ValueError(`${options.uri}: an LwM2M Server account needs a Short Server ID`);
  const psk = mode === SecurityModeValue.psk;
  if (psk && (options.pskIdentity === undefined || options.pskKey === undefined)) throw new ValueError(`${options.uri}: PSK mode needs pskIdentity and pskKey`);
  const certificate = mode === SecurityModeValue.certificate || mode === SecurityModeValue.est;
  return {
    0: options.uri,
    1: bootstrap,
    2: mode,
    3: psk ? utf8(options.pskIdentity) : (options.publicKeyOrIdentity ?? EMPTY),
    4: options.serverPublicKey ?? EMPTY,
    5: psk ? options.pskKey : (options.secretKey ?? EMPTY),
    10: options.ssid,
    11: options.holdOffTime ?? 0,
    12: options.bootstrapAccountTimeout ?? 0,
    13: certificate ? (options.matchingType ?? 0) : options.matchingType,
    14: options.sni,
    15: certificate ? (options.certificateUsage ?? 3) : options.certificateUsage,
    16: options.cipherSuites === undefined ? undefined : [...options.cipherSuites],
  };
}

/** Creates a Security instance (LwM2M Core 1.1.1 E.1) and returns its path. */
export function addSecurityInstance(engine: LwM2mEngine, options: SecurityInstanceOptions): LwM2mPath {
  const registry = engine.registry;
  const def = definitionOf(engine, SECURITY);
  const iid = options.iid ?? registry.freeInstanceId(SECURITY);
  if (registry.hasInstance(SECURITY, iid)) throw new ValueError(`/0/${iid} already exists`);
  return fillInstance(registry, def, iid, securityValues(options));
}
