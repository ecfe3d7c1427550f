/**
 * Configuration of a DTLS endpoint, per role. These objects are the hook through which the LwM2M
 * client feeds Security object values (/0/x/2..5, /0/x/16) or an application supplies credentials
 * itself (like the seed's load_credentials / set_socketoptions).
 */
import type { X509Certificate } from 'node:crypto';
import type { Clock } from '../../util/clock.ts';
import type { ChannelInfo, Peer } from '../transport.ts';
import type { CipherSuiteName } from './cipher-suites.ts';
import type { CertificateInput, KeyInput } from './credentials.ts';

export interface PskCredentials {
  /** PSK identity (LwM2M Security /0/x/3 in PSK mode); a string is sent as UTF-8. */
  readonly identity: string | Uint8Array;
  /** The shared key (LwM2M Security /0/x/5). */
  readonly key: Uint8Array;
}

/** A fixed identity and key, or a choice made from the server's psk_identity_hint (RFC 4279 2). */
export type ClientPsk = PskCredentials | ((hint: Uint8Array | undefined) => PskCredentials | undefined);

/**
 * How a server finds the key of a PSK identity: a map by identity string, or a function (which
 * also sees the raw identity bytes and the peer). An unknown identity answers undefined.
 */
export type ServerPsk =
  | ReadonlyMap<string, Uint8Array>
  | ((identity: string, peer: Peer, rawIdentity: Uint8Array) => Uint8Array | undefined);

export interface CertificateCredentials {
  /** Our certificate chain, end-entity first (PEM text may hold all of them). P-256 keys only. */
  readonly chain: CertificateInput | readonly CertificateInput[];
  readonly privateKey: KeyInput;
}

/** A certificate the server presents to clients asking for one of `names` by SNI (RFC 6066 3). */
export interface NamedCertificateCredentials extends CertificateCredentials {
  /**
   * Host names, compared without case; a leading `*.` label matches exactly one label
   * (`*.example.com` matches `a.example.com`, not `example.com` nor `a.b.example.com`).
   */
  readonly names: readonly string[];
}

/**
 * Chooses the server certificate for the host name a client asked for (RFC 6066 server_name;
 * undefined when it sent none). Returning undefined falls back to `certificates`, then `certificate`.
 */
export type CertificateSelector = (serverName: string | undefined, peer: Peer) => CertificateCredentials | undefined;

export interface RawPublicKeyCredentials {
  /** Our P-256 private key; the public key sent is derived from it (RFC 7250). */
  readonly privateKey: KeyInput;
  /** Peer public keys we accept (SubjectPublicKeyInfo DER/PEM or raw P-256 points). */
  readonly trustedPeerKeys?: readonly KeyInput[];
  /** Decides on a peer key (DER SubjectPublicKeyInfo) when it is not in `trustedPeerKeys`. */
  readonly verify?: (spki: Uint8Array, peer: Peer) => boolean;
}

/** What was proven about the peer, for `authorize`. */
export interface PeerCredentials extends ChannelInfo {
  /** The whole chain the peer presented (end-entity first), for certificate suites. */
  readonly peerChain?: readonly X509Certificate[];
}

export interface DtlsCommonOptions {
  /**
   * Suites to offer/accept, in preference order: names, or IANA numbers as LwM2M Security /0/x/16
   * holds them. Default: every implemented suite the credentials allow.
   */
  readonly cipherSuites?: readonly (CipherSuiteName | number)[];
  /** Largest datagram we send, in bytes (PMTU minus IP/UDP headers). Default 1200. */
  readonly mtu?: number;
  /** Initial flight retransmission timeout, doubled on each retransmission (RFC 6347 4.2.4.1). Default 1000. */
  readonly retransmitInitialMs?: number;
  /** Cap of the doubled timeout. Default 60000. */
  readonly retransmitMaxMs?: number;
  /** A handshake not complete after this long fails with a DtlsError. Default 60000. */
  readonly handshakeTimeoutMs?: number;
  /** Refuse peers without the extended master secret (RFC 7627). Default false (used whenever both support it). */
  readonly requireExtendedMasterSecret?: boolean;
  /**
   * Encrypt-then-MAC for the CBC suite (RFC 7366): a client offers it, a server accepts it when
   * offered. Default true; false keeps MAC-then-encrypt (RFC 5246 6.2.3.2). AEAD suites ignore it.
   */
  readonly encryptThenMac?: boolean;
  /** Application datagrams queued per peer while a handshake runs. Default 32. */
  readonly maxQueuedDatagrams?: number;
  readonly clock?: Clock;
}

export interface DtlsClientOptions extends DtlsCommonOptions {
  readonly psk?: ClientPsk;
  /** Our certificate for client authentication, sent when the server asks (CertificateRequest). */
  readonly certificate?: CertificateCredentials;
  /** Trust anchors for the server chain (LwM2M Security /0/x/4 in certificate mode). */
  readonly trustedCAs?: readonly CertificateInput[];
  /** Accept exactly this server certificate (compared by DER), instead of or besides a CA. */
  readonly pinnedServerCertificate?: CertificateInput;
  /**
   * Host name or IP the server certificate must name (SAN, else CN). A host name (not an IP
   * literal) is also sent as server_name (SNI, RFC 6066 3).
   */
  readonly serverName?: string;
  /** Check the server certificate against `serverName`. Default true when serverName is set. */
  readonly checkServerName?: boolean;
  readonly rawPublicKey?: RawPublicKeyCredentials;
  /**
   * Offer the connection_id extension (RFC 9146) so the server can find our session when our
   * address changes (NAT rebinding). Default false.
   */
  readonly connectionId?: boolean;
  /**
   * Length of the CID we ask the server to put in records to us; 0 (default) asks for none, which
   * is enough unless the server's address changes.
   */
  readonly connectionIdLength?: number;
  /** Offer the previous session of a peer again (abbreviated handshake). Default true. */
  readonly resumeSessions?: boolean;
  /** Last word on the server's credentials after the built-in checks; false aborts (access_denied). */
  readonly authorize?: (peer: PeerCredentials, address: Peer) => boolean;
}

export interface DtlsServerOptions extends DtlsCommonOptions {
  readonly psk?: ServerPsk;
  /** psk_identity_hint to send (RFC 4279 2); none by default. */
  readonly pskIdentityHint?: string;
  /** The default certificate: for clients that send no server_name or one no other entry names. */
  readonly certificate?: CertificateCredentials;
  /** Certificates chosen by the server_name (SNI) a client sends (RFC 6066 3); first match wins, exact names before wildcards. */
  readonly certificates?: readonly NamedCertificateCredentials[];
  /** Chooses the certificate per server_name, before `certificates` and `certificate` are consulted. */
  readonly selectCertificate?: CertificateSelector;
  /** Trust anchors for client certificates. Client certificates are requested when this is set. */
  readonly trustedCAs?: readonly CertificateInput[];
  /**
   * Client authentication for the certificate and raw public key suites: 'required' (the default
   * when trustedCAs or trusted raw public keys are set), 'optional', or 'none'.
   */
  readonly clientAuthentication?: 'none' | 'optional' | 'required';
  readonly rawPublicKey?: RawPublicKeyCredentials;
  /** Stateless cookie exchange before any state is kept (RFC 6347 4.2.1). Default true. */
  readonly cookieExchange?: boolean;
  /** Length of the connection IDs we issue to clients that offer RFC 9146; 0 disables CIDs. Default 6. */
  readonly connectionIdLength?: number;
  /** Sessions kept for resumption. Default 1000; 0 disables resumption. */
  readonly sessionCacheSize?: number;
  /** How long a session may be resumed. Default 24 h. */
  readonly sessionLifetimeMs?: number;
  /** Concurrent peers; beyond it the least recently active established one is dropped. Default 10000. */
  readonly maxConnections?: number;
  /** Last word on the client's credentials after the built-in checks; false aborts (access_denied). */
  readonly authorize?: (peer: PeerCredentials, address: Peer) => boolean;
}
