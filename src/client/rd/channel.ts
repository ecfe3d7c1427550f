/**
 * A channel is the client's connection to one server: its own UDP socket (DTLS on top for
 * `coaps://`), a gate for queue mode, and the CoAP endpoint that serves both roles on it.
 */
import { isIPv6 } from 'node:net';
import { CoapEndpoint, type CoapEndpointOptions } from '../../coap/endpoint.ts';
import { DtlsError, TransportError } from '../../errors.ts';
import { dtlsOptionsFromSecurity, type SecurityInstanceValues } from '../../transport/dtls/lwm2m-security.ts';
import { DtlsTransport } from '../../transport/dtls/dtls-transport.ts';
import type { DtlsClientOptions } from '../../transport/dtls/options.ts';
import { GatedTransport } from '../../transport/gated.ts';
import type { Peer, Transport } from '../../transport/transport.ts';
import { UdpTransport } from '../../transport/udp.ts';
import { parseServerUri, resolveServer } from './server-uri.ts';

export interface Channel {
  readonly endpoint: CoapEndpoint;
  /** The server's resolved address. */
  readonly peer: Peer;
  readonly secure: boolean;
  /** Stops or resumes receiving (queue mode). */
  setListening(listening: boolean): void;
  /** Called on transport failures (socket errors, DTLS handshake failures with the server). */
  onFailure(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

export interface ChannelRequest {
  /** /0/x/0 */
  readonly uri: string;
  /** The Security instance's values, for DTLS. */
  readonly security: SecurityInstanceValues;
}

export type ChannelFactory = (request: ChannelRequest, signal?: AbortSignal) => Promise<Channel>;

export interface UdpChannelOptions {
  /** CoAP endpoint settings (transmission parameters, clock, block size...). */
  readonly coap?: CoapEndpointOptions;
  /** DTLS settings that win over the Security object's (the seed's load_credentials / set_socketoptions hooks). */
  readonly dtls?: DtlsClientOptions | ((request: ChannelRequest) => DtlsClientOptions | undefined);
  /** Local address to bind (default: any address of the server's family). */
  readonly localAddress?: string;
  /** Wraps each server socket (network emulation: loss, delay; tests). Applied below DTLS. */
  readonly wrapTransport?: (transport: Transport) => Transport;
}

/** A channel on a gated (queue-mode) transport: a class, so a client's channel costs no closures. */
class GatedChannel implements Channel {
  readonly endpoint: CoapEndpoint;
  readonly peer: Peer;
  readonly secure: boolean;
  readonly #gate: GatedTransport;

  constructor(endpoint: CoapEndpoint, gate: GatedTransport, peer: Peer, secure: boolean) {
    this.endpoint = endpoint;
    this.#gate = gate;
    this.peer = peer;
    this.secure = secure;
  }

  setListening(listening: boolean): void {
    this.#gate.setListening(listening);
  }

  onFailure(listener: (error: Error) => void): void {
    const peer = this.peer;
    this.#gate.addFailureListener((error, from) => {
      if (from === undefined || (from.port === peer.port && from.address === peer.address)) listener(error);
    });
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }
}

/** The default channel factory: UDP sockets, DTLS for coaps:// with the Security object's mode. */
export function udpChannelFactory(options: UdpChannelOptions = {}): ChannelFactory {
  return async (request, signal) => {
    const uri = parseServerUri(request.uri);
    const peer = await resolveServer(uri);
    signal?.throwIfAborted();
    const udp = await UdpTransport.bind({
      type: isIPv6(peer.address) ? 'udp6' : 'udp4',
      ...(options.localAddress !== undefined ? { address: options.localAddress } : {}),
    });
    let transport: Transport = options.wrapTransport?.(udp) ?? udp;
    if (uri.secure) {
      const overrides = typeof options.dtls === 'function' ? options.dtls(request) : options.dtls;
      let dtlsOptions: DtlsClientOptions | undefined;
      try {
        dtlsOptions = dtlsOptionsFromSecurity({ ...request.security, serverUri: request.uri }, { clock: options.coap?.clock, ...overrides });
      } catch (error) {
        await udp.close();
        throw new DtlsError(`cannot configure DTLS for ${request.uri}: ${(error as Error).message}`, { cause: error });
      }
      if (dtlsOptions === undefined) {
        await udp.close();
        throw new TransportError(`${request.uri} is coaps:// but the Security mode is NoSec`);
      }
      transport = DtlsTransport.client(transport, dtlsOptions);
    }
    const gate = new GatedTransport(transport);
    return new GatedChannel(new CoapEndpoint(gate, options.coap), gate, peer, uri.secure);
  };
}
