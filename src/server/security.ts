/**
 * Per-endpoint security of the companion servers (LwM2M Core 1.1.1 7.1, Transport 1.1.1 5.2): the
 * credentials each endpoint must use over DTLS (PSK identity and key, certificate subject, or raw
 * public key), the PSK lookup the DTLS listener needs, and the check that a Register or
 * Bootstrap-Request came over a channel proving the endpoint's identity.
 */
import { X509Certificate } from 'node:crypto';
import { loadPublicKey, spkiOf, type KeyInput } from '../transport/dtls/index.ts';
import type { ChannelInfo } from '../transport/transport.ts';
import type { ClientIdentity } from './registration.ts';

/** How one endpoint authenticates over DTLS. Any one configured method suffices. */
export interface EndpointCredentials {
  /** Security mode PSK: the identity the client must present and its key. */
  readonly psk?: { readonly identity: string; readonly key: Uint8Array };
  /**
   * Security mode certificate: the subject CN the client certificate must carry (`true`: the
   * endpoint name). The chain itself is verified by the DTLS listener against its trusted CAs.
   */
  readonly x509?: true | { readonly commonName: string };
  /** Security mode raw public key: the client's public key (SPKI DER/PEM or raw P-256 point). */
  readonly rpk?: KeyInput;
}

export interface SecurityRegistryOptions {
  /**
   * Accept a client certificate (already verified by the DTLS listener) for the endpoint named by
   * its subject CN even when that endpoint has no entry here. Default false.
   */
  readonly certificateCommonNameIsEndpoint?: boolean;
}

/** Why a channel does not authenticate an endpoint, or undefined when it does. */
export type SecurityVerdict = string | undefined;

/** The subject CN of a DER certificate, if any. */
export function certificateCommonName(der: Uint8Array): string | undefined {
  try {
    const subject = new X509Certificate(der).subject;
    for (const line of subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  } catch {
    return undefined;
  }
  return undefined;
}

/** What a channel proves, in the form registrations keep. */
export function identityOf(channel: ChannelInfo): ClientIdentity {
  if (!channel.secure) return {};
  const cn = channel.peerCertificate === undefined ? undefined : certificateCommonName(channel.peerCertificate);
  return {
    ...(channel.pskIdentity !== undefined ? { pskIdentity: channel.pskIdentity } : {}),
    ...(cn !== undefined ? { certificateCommonName: cn } : {}),
    ...(channel.rawPublicKey !== undefined ? { rawPublicKey: Buffer.from(channel.rawPublicKey).toString('hex') } : {}),
  };
}

/** True when two identities name the same credentials (used to check an Update against its Register). */
export function sameIdentity(a: ClientIdentity, b: ClientIdentity): boolean {
  return a.pskIdentity === b.pskIdentity && a.certificateCommonName === b.certificateCommonName && a.rawPublicKey === b.rawPublicKey;
}

interface Entry {
  readonly credentials: EndpointCredentials;
  readonly rpkHex: string | undefined;
}

/**
 * The endpoints' credentials, indexed for the DTLS listener (PSK identity -> key, trusted raw
 * public keys) and for the registration check.
 */
export class SecurityRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #pskIndex = new Map<string, { endpoint: string; key: Uint8Array }>();
  readonly #rpkIndex = new Map<string, string>();
  readonly #cnIsEndpoint: boolean;

  constructor(entries?: Iterable<readonly [string, EndpointCredentials]>, options: SecurityRegistryOptions = {}) {
    this.#cnIsEndpoint = options.certificateCommonNameIsEndpoint ?? false;
    for (const [endpoint, credentials] of entries ?? []) this.set(endpoint, credentials);
  }

  /** Sets an endpoint's credentials. Throws TypeError for a PSK identity used by another endpoint or a bad key. */
  set(endpoint: string, credentials: EndpointCredentials): void {
    const psk = credentials.psk;
    if (psk !== undefined) {
      const owner = this.#pskIndex.get(psk.identity);
      if (owner !== undefined && owner.endpoint !== endpoint) throw new TypeError(`PSK identity '${psk.identity}' is already used by endpoint '${owner.endpoint}'`);
      if (psk.key.length === 0) throw new TypeError(`PSK of endpoint '${endpoint}' is empty`);
    }
    let rpkHex: string | undefined;
    if (credentials.rpk !== undefined) {
      rpkHex = spkiOf(loadPublicKey(credentials.rpk)).toString('hex');
      const owner = this.#rpkIndex.get(rpkHex);
      if (owner !== undefined && owner !== endpoint) throw new TypeError(`raw public key is already used by endpoint '${owner}'`);
    }
    this.delete(endpoint);
    this.#entries.set(endpoint, { credentials, rpkHex });
    if (psk !== undefined) this.#pskIndex.set(psk.identity, { endpoint, key: psk.key });
    if (rpkHex !== undefined) this.#rpkIndex.set(rpkHex, endpoint);
  }

  delete(endpoint: string): boolean {
    const e = this.#entries.get(endpoint);
    if (e === undefined) return false;
    this.#entries.delete(endpoint);
    const identity = e.credentials.psk?.identity;
    if (identity !== undefined && this.#pskIndex.get(identity)?.endpoint === endpoint) this.#pskIndex.delete(identity);
    if (e.rpkHex !== undefined && this.#rpkIndex.get(e.rpkHex) === endpoint) this.#rpkIndex.delete(e.rpkHex);
    return true;
  }

  get(endpoint: string): EndpointCredentials | undefined {
    return this.#entries.get(endpoint)?.credentials;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when some endpoint uses raw public keys (the DTLS listener then offers RPK). */
  get hasRawPublicKeys(): boolean {
    return this.#rpkIndex.size > 0;
  }

  /** The PSK of an identity, for `DtlsTransport.server({ psk })`. */
  pskKey(identity: string): Uint8Array | undefined {
    return this.#pskIndex.get(identity)?.key;
  }

  /** Whether a raw public key (DER SPKI) belongs to a configured endpoint, for the DTLS listener. */
  knowsRawPublicKey(spki: Uint8Array): boolean {
    return this.#rpkIndex.has(Buffer.from(spki).toString('hex'));
  }

  /** The endpoint a secure channel's credentials belong to, if they identify one. */
  endpointOf(channel: ChannelInfo): string | undefined {
    if (!channel.secure) return undefined;
    if (channel.pskIdentity !== undefined) return this.#pskIndex.get(channel.pskIdentity)?.endpoint;
    if (channel.rawPublicKey !== undefined) return this.#rpkIndex.get(Buffer.from(channel.rawPublicKey).toString('hex'));
    if (channel.peerCertificate !== undefined) {
      const cn = certificateCommonName(channel.peerCertificate);
      if (cn === undefined) return undefined;
      for (const [ep, e] of this.#entries) {
        const x = e.credentials.x509;
        if (x !== undefined && (x === true ? ep : x.commonName) === cn) return ep;
      }
      return this.#cnIsEndpoint ? cn : undefined;
    }
    return undefined;
  }

  /**
   * Checks that `channel` authenticates `endpoint` (LwM2M Core 1.1.1 7.1: the endpoint name must
   * belong to the credentials of the secure channel). Plain channels are accepted only for
   * endpoints without credentials, so a configured endpoint cannot fall back to NoSec. Returns the
   * reason for refusing (answered 4.03), or undefined.
   */
  verify(endpoint: string, channel: ChannelInfo): SecurityVerdict {
    const creds = this.#entries.get(endpoint)?.credentials;
    if (!channel.secure) return creds === undefined ? undefined : `endpoint '${endpoint}' must use DTLS`;
    if (channel.pskIdentity !== undefined) {
      if (creds?.psk === undefined) return `endpoint '${endpoint}' has no PSK configured`;
      return creds.psk.identity === channel.pskIdentity ? undefined : `PSK identity '${channel.pskIdentity}' does not belong to endpoint '${endpoint}'`;
    }
    if (channel.rawPublicKey !== undefined) {
      const hex = Buffer.from(channel.rawPublicKey).toString('hex');
      if (this.#entries.get(endpoint)?.rpkHex === undefined) return `endpoint '${endpoint}' has no raw public key configured`;
      return this.#entries.get(endpoint)?.rpkHex === hex ? undefined : `raw public key does not belong to endpoint '${endpoint}'`;
    }
    if (channel.peerCertificate !== undefined) {
      const cn = certificateCommonName(channel.peerCertificate);
      const x = creds?.x509;
      const expected = x === undefined ? (creds === undefined && this.#cnIsEndpoint ? endpoint : undefined) : x === true ? endpoint : x.commonName;
      if (expected === undefined) return `endpoint '${endpoint}' has no certificate configured`;
      return cn === expected ? undefined : `certificate CN '${cn ?? ''}' does not belong to endpoint '${endpoint}'`;
    }
    return 'the secure channel carries no client credentials';
  }
}
