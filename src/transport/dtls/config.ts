/**
 * Validation of DtlsClientOptions / DtlsServerOptions into the ready-to-use form the handshake reads:
 * keys parsed once, suites filtered to those the credentials can serve. Bad options throw TypeError
 * at construction, never later on the wire.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { systemClock, type Clock } from '../../util/clock.ts';
import { resolveSuites, type CipherSuiteInfo } from './cipher-suites.ts';
import { isP256, loadCertificates, loadPrivateKey, loadPublicKey, spkiOf } from './credentials.ts';
import type { RetransmitPolicy } from './flight.ts';
import { normalizeHostName, type NamedCertificate } from './sni.ts';
import type {
  CertificateCredentials,
  CertificateSelector,
  ClientPsk,
  DtlsClientOptions,
  DtlsCommonOptions,
  DtlsServerOptions,
  PeerCredentials,
  RawPublicKeyCredentials,
  ServerPsk,
} from './options.ts';
import type { Peer } from '../transport.ts';

export interface OwnCertificate {
  readonly chain: readonly X509Certificate[];
  readonly ders: readonly Buffer[];
  readonly key: KeyObject;
}

export interface OwnRawPublicKey {
  readonly key: KeyObject;
  readonly spki: Buffer;
  readonly trusted: readonly Buffer[];
  readonly verify: ((spki: Uint8Array, peer: Peer) => boolean) | undefined;
}

interface CommonConfig {
  readonly suites: readonly CipherSuiteInfo[];
  readonly mtu: number;
  readonly retransmit: RetransmitPolicy;
  readonly handshakeTimeoutMs: number;
  readonly requireExtendedMasterSecret: boolean;
  readonly encryptThenMac: boolean;
  readonly maxQueuedDatagrams: number;
  readonly clock: Clock;
  readonly certificate: OwnCertificate | undefined;
  readonly rawPublicKey: OwnRawPublicKey | undefined;
  readonly trustedCAs: readonly X509Certificate[];
  readonly authorize: ((peer: PeerCredentials, address: Peer) => boolean) | undefined;
}

export interface ClientConfig extends CommonConfig {
  readonly role: 'client';
  readonly psk: ClientPsk | undefined;
  readonly pinned: X509Certificate | undefined;
  readonly serverName: string | undefined;
  readonly checkServerName: boolean;
  readonly connectionId: boolean;
  readonly connectionIdLength: number;
  readonly resumeSessions: boolean;
}

export interface ServerConfig extends CommonConfig {
  readonly role: 'server';
  readonly psk: ServerPsk | undefined;
  readonly pskIdentityHint: Buffer | undefined;
  /** Certificates by SNI name (RFC 6066); `certificate` is the default. */
  readonly namedCertificates: readonly NamedCertificate[];
  readonly selectCertificate: ((serverName: string | undefined, peer: Peer) => OwnCertificate | undefined) | undefined;
  readonly clientAuthentication: 'none' | 'optional' | 'required';
  readonly cookieExchange: boolean;
  readonly connectionIdLength: number;
  readonly sessionCacheSize: number;
  readonly sessionLifetimeMs: number;
  readonly maxConnections: number;
}

export type DtlsConfig = ClientConfig | ServerConfig;

function positive(value: number | undefined, fallback: number, name: string, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new TypeError(`DTLS option ${name} must be a number >= ${min}`);
  return v;
}

function ownCertificate(c: CertificateCredentials | undefined): OwnCertificate | undefined {
  if (c === undefined) return undefined;
  const chain = loadCertificates(c.chain);
  const key = loadPrivateKey(c.privateKey);
  const leaf = chain[0];
  if (leaf === undefined) throw new TypeError('DTLS certificate chain is empty');
  if (!isP256(key) || !isP256(leaf.publicKey)) throw new TypeError('DTLS certificates must use P-256 (secp256r1) keys');
  if (!leaf.checkPrivateKey(key)) throw new TypeError('DTLS private key does not match the certificate');
  return { chain, ders: chain.map((x) => x.raw), key };
}

function ownRawPublicKey(r: RawPublicKeyCredentials | undefined): OwnRawPublicKey | undefined {
  if (r === undefined) return undefined;
  const key = loadPrivateKey(r.privateKey);
  if (!isP256(key)) throw new TypeError('DTLS raw public keys must be P-256 (secp256r1)');
  const trusted = (r.trustedPeerKeys ?? []).map((k) => spkiOf(loadPublicKey(k)));
  return { key, spki: spkiOf(key), trusted, verify: r.verify };
}

function common(o: DtlsCommonOptions, c: {
  certificate: OwnCertificate | undefined;
  rawPublicKey: OwnRawPublicKey | undefined;
  trustedCAs: readonly X509Certificate[];
  authorize: ((peer: PeerCredentials, address: Peer) => boolean) | undefined;
}): Omit<CommonConfig, 'suites'> {
  const mtu = positive(o.mtu, 1200, 'mtu', 256);
  if (mtu > 65507) throw new TypeError('DTLS option mtu must be at most 65507');
  return {
    mtu,
    retransmit: { initialMs: positive(o.retransmitInitialMs, 1000, 'retransmitInitialMs'), maxMs: positive(o.retransmitMaxMs, 60_000, 'retransmitMaxMs') },
    handshakeTimeoutMs: positive(o.handshakeTimeoutMs, 60_000, 'handshakeTimeoutMs'),
    requireExtendedMasterSecret: o.requireExtendedMasterSecret ?? false,
    encryptThenMac: o.encryptThenMac ?? true,
    maxQueuedDatagrams: positive(o.maxQueuedDatagrams, 32, 'maxQueuedDatagrams', 0),
    clock: o.clock ?? systemClock,
    ...c,
  };
}

function cidLength(value: number | undefined, fallback: number): number {
  const n = positive(value, fallback, 'connectionIdLength', 0);
  if (n > 32 || !Number.isInteger(n)) throw new TypeError('DTLS option connectionIdLength must be an integer from 0 to 32');
  return n;
}

/** Validates client options. */
export function clientConfig(o: DtlsClientOptions): ClientConfig {
  const certificate = ownCertificate(o.certificate);
  const rawPublicKey = ownRawPublicKey(o.rawPublicKey);
  const trustedCAs = loadCertificates(o.trustedCAs ?? []);
  const pinned = o.pinnedServerCertificate === undefined ? undefined : loadCertificates(o.pinnedServerCertificate)[0];
  const canVerifyCertificates = trustedCAs.length > 0 || pinned !== undefined || o.authorize !== undefined;
  const canVerifyRpk = rawPublicKey !== undefined && (rawPublicKey.trusted.length > 0 || rawPublicKey.verify !== undefined || o.authorize !== undefined);
  const suites = resolveSuites(o.cipherSuites).filter((s) =>
    s.keyExchange === 'psk' ? o.psk !== undefined : canVerifyCertificates || canVerifyRpk,
  );
  if (suites.length === 0) {
    throw new TypeError('DTLS client has no usable cipher suite: configure psk, or trustedCAs / pinnedServerCertificate, or rawPublicKey with trusted keys');
  }
  return {
    role: 'client',
    suites,
    ...common(o, { certificate, rawPublicKey, trustedCAs, authorize: o.authorize }),
    psk: o.psk,
    pinned,
    serverName: o.serverName,
    checkServerName: o.checkServerName ?? o.serverName !== undefined,
    connectionId: o.connectionId ?? o.connectionIdLength !== undefined,
    connectionIdLength: cidLength(o.connectionIdLength, 0),
    resumeSessions: o.resumeSessions ?? true,
  };
}

function namedCertificates(list: DtlsServerOptions['certificates']): NamedCertificate[] {
  return (list ?? []).map((entry, i) => {
    if (entry.names.length === 0 || entry.names.some((n) => typeof n !== 'string' || n === '' || n === '*.')) {
      throw new TypeError(`DTLS option certificates[${i}] needs non-empty host names`);
    }
    return { names: entry.names.map(normalizeHostName), certificate: ownCertificate(entry)! };
  });
}

/** Wraps a certificate selector so each credentials object it returns is parsed and checked once. */
function certificateSelector(select: CertificateSelector | undefined): ServerConfig['selectCertificate'] {
  if (select === undefined) return undefined;
  const loaded = new WeakMap<CertificateCredentials, OwnCertificate>();
  return (serverName, peer) => {
    const credentials = select(serverName, peer);
    if (credentials === undefined) return undefined;
    let own = loaded.get(credentials);
    if (own === undefined) {
      own = ownCertificate(credentials)!;
      loaded.set(credentials, own);
    }
    return own;
  };
}

/** Validates server options. */
export function serverConfig(o: DtlsServerOptions): ServerConfig {
  const certificate = ownCertificate(o.certificate);
  const named = namedCertificates(o.certificates);
  const rawPublicKey = ownRawPublicKey(o.rawPublicKey);
  const trustedCAs = loadCertificates(o.trustedCAs ?? []);
  const anyCertificate = certificate !== undefined || named.length > 0 || o.selectCertificate !== undefined;
  const suites = resolveSuites(o.cipherSuites).filter((s) =>
    s.keyExchange === 'psk' ? o.psk !== undefined : anyCertificate || rawPublicKey !== undefined,
  );
  if (suites.length === 0) throw new TypeError('DTLS server has no usable cipher suite: configure psk, certificate(s) or rawPublicKey');
  return {
    role: 'server',
    suites,
    ...common(o, { certificate, rawPublicKey, trustedCAs, authorize: o.authorize }),
    psk: o.psk,
    pskIdentityHint: o.pskIdentityHint === undefined ? undefined : Buffer.from(o.pskIdentityHint, 'utf8'),
    namedCertificates: named,
    selectCertificate: certificateSelector(o.selectCertificate),
    clientAuthentication:
      o.clientAuthentication ??
      (trustedCAs.length > 0 || (rawPublicKey !== undefined && (rawPublicKey.trusted.length > 0 || rawPublicKey.verify !== undefined)) ? 'required' : 'none'),
    cookieExchange: o.cookieExchange ?? true,
    connectionIdLength: cidLength(o.connectionIdLength, 6),
    sessionCacheSize: positive(o.sessionCacheSize, 1000, 'sessionCacheSize', 0),
    sessionLifetimeMs: positive(o.sessionLifetimeMs, 24 * 3600 * 1000, 'sessionLifetimeMs'),
    maxConnections: positive(o.maxConnections, 10_000, 'maxConnections'),
  };
}
