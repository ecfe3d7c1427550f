/**
 * The sockets of a companion server: a CoAP endpoint on plain UDP (NoSec) and optionally one on
 * DTLS over a second UDP socket (Transport 1.1.1 5.2), each transport tapped so the server sees
 * every datagram a client sends (queue mode: any message means the client is awake).
 */
import { CoapEndpoint, type CoapEndpointOptions } from '../coap/index.ts';
import {
  DtlsTransport,
  type CertificateCredentials,
  type CertificateInput,
  type CertificateSelector,
  type DtlsServerOptions,
  type KeyInput,
  type NamedCertificateCredentials,
} from '../transport/dtls/index.ts';
import type { ChannelInfo, DatagramHandler, Peer, Transport, TransportErrorHandler } from '../transport/transport.ts';
import { UdpTransport } from '../transport/udp.ts';
import type { Clock } from '../util/clock.ts';
import type { ListenerKind } from './registration.ts';
import type { SecurityRegistry } from './security.ts';

/** The DTLS listener of a server. PSK keys and trusted raw public keys come from the SecurityRegistry. */
export interface DtlsListenerOptions {
  /** UDP port of the DTLS socket (default 0: ephemeral). */
  readonly port?: number;
  /** Local address (default: the plain listener's address, else 0.0.0.0). */
  readonly address?: string;
  /** A ready datagram transport to run DTLS over instead of binding a UDP socket (tests). */
  readonly transport?: Transport;
  /** Our certificate, for the certificate suites: the default, for clients whose server_name (SNI) no other entry names. */
  readonly certificate?: CertificateCredentials;
  /**
   * Certificates chosen by the host name a client sends as server_name (SNI, RFC 6066 3): exact
   * names before `*.` wildcards, first match wins; `certificate` stays the default.
   */
  readonly certificates?: readonly NamedCertificateCredentials[];
  /** Chooses the certificate per server_name and peer, before `certificates` and `certificate`; undefined falls back to them. */
  readonly selectCertificate?: CertificateSelector;
  /** CAs that client certificates must chain to; setting it requires client certificates on those suites. */
  readonly trustedCAs?: readonly CertificateInput[];
  /** Our raw public key (private key), for RPK clients configured in the registry. */
  readonly rawPublicKey?: { readonly privateKey: KeyInput };
  /** Further DTLS settings (MTU, retransmission, cipher suites, clock...). */
  readonly options?: Omit<DtlsServerOptions, 'psk' | 'certificate' | 'certificates' | 'selectCertificate' | 'trustedCAs' | 'rawPublicKey'>;
}

export interface ListenerOptions {
  /** UDP port of the NoSec listener (default 0: ephemeral). */
  readonly port?: number;
  /** Local address (default 0.0.0.0). */
  readonly address?: string;
  /** A ready transport for the NoSec listener instead of binding one. */
  readonly transport?: Transport;
  /** Also listen on DTLS. */
  readonly dtls?: DtlsListenerOptions;
  readonly clock?: Clock;
  /** CoAP endpoint settings for both listeners (transmission parameters, block sizes...). */
  readonly coap?: Omit<CoapEndpointOptions, 'clock'>;
}

/** Called for every datagram before the CoAP layer sees it. */
export type DatagramTap = (listener: ListenerKind, peer: Peer, channel: ChannelInfo) => void;

/** A transport that reports each received datagram's source before handing it on. */
class TappedTransport implements Transport {
  readonly #inner: Transport;
  readonly #tap: (peer: Peer, channel: ChannelInfo) => void;

  constructor(inner: Transport, tap: (peer: Peer, channel: ChannelInfo) => void) {
    this.#inner = inner;
    this.#tap = tap;
  }

  get local(): Peer {
    return this.#inner.local;
  }

  send(data: Uint8Array, peer: Peer): void {
    this.#inner.send(data, peer);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#inner.onDatagram((data, peer, channel) => {
      this.#tap(peer, channel);
      handler(data, peer, channel);
    });
  }

  onError(handler: TransportErrorHandler): void {
    this.#inner.onError(handler);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The endpoints a server listens on. */
export class Listeners {
  readonly plain: CoapEndpoint;
  readonly secure: CoapEndpoint | undefined;

  private constructor(plain: CoapEndpoint, secure: CoapEndpoint | undefined) {
    this.plain = plain;
    this.secure = secure;
  }

  /** Binds the sockets (closing what was opened if a later bind fails). Throws TransportError / TypeError. */
  static async open(options: ListenerOptions, security: SecurityRegistry, tap: DatagramTap): Promise<Listeners> {
    const coapOptions: CoapEndpointOptions = { ...options.coap, ...(options.clock !== undefined ? { clock: options.clock } : {}) };
    const plainTransport = options.transport ?? (await UdpTransport.bind({ address: options.address ?? '0.0.0.0', port: options.port ?? 0 }));
    let secureTransport: Transport | undefined;
    try {
      const d = options.dtls;
      if (d !== undefined) {
        const inner = d.transport ?? (await UdpTransport.bind({ address: d.address ?? options.address ?? '0.0.0.0', port: d.port ?? 0 }));
        try {
          secureTransport = DtlsTransport.server(inner, {
            ...(options.clock !== undefined ? { clock: options.clock } : {}),
            ...d.options,
            psk: (identity) => security.pskKey(identity),
            ...(d.certificate !== undefined ? { certificate: d.certificate } : {}),
            ...(d.certificates !== undefined ? { certificates: d.certificates } : {}),
            ...(d.selectCertificate !== undefined ? { selectCertificate: d.selectCertificate } : {}),
            ...(d.trustedCAs !== undefined ? { trustedCAs: d.trustedCAs } : {}),
            ...(d.rawPublicKey !== undefined
              ? { rawPublicKey: { privateKey: d.rawPublicKey.privateKey, verify: (spki: Uint8Array) => security.knowsRawPublicKey(spki) } }
              : {}),
          });
        } catch (error) {
          await inner.close();
          throw error;
        }
      }
    } catch (error) {
      await plainTransport.close();
      throw error;
    }
    const plain = new CoapEndpoint(
      new TappedTransport(plainTransport, (peer, channel) => {
        tap('udp', peer, channel);
      }),
      coapOptions,
    );
    const secure =
      secureTransport === undefined
        ? undefined
        : new CoapEndpoint(
            new TappedTransport(secureTransport, (peer, channel) => {
              tap('dtls', peer, channel);
            }),
            coapOptions,
          );
    return new Listeners(plain, secure);
  }

  /** The endpoint of a listener kind. Throws when there is no DTLS listener. */
  endpoint(kind: ListenerKind): CoapEndpoint {
    if (kind === 'udp') return this.plain;
    if (this.secure === undefined) throw new Error('this server has no DTLS listener');
    return this.secure;
  }

  async close(): Promise<void> {
    await Promise.all([this.plain.close(), this.secure?.close()]);
  }
}
