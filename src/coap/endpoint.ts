/**
 * CoapEndpoint: one CoAP endpoint on one Transport, client role and server role together
 * (RFC 7252; RFC 7641 Observe; RFC 7959 block-wise). LwM2M needs both roles on one socket: the
 * server sends its requests to the address the client registered from.
 */
import { AbortedError, TimeoutError } from '../errors.ts';
import type { Peer, Transport } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { TypedEmitter } from '../util/typed-events.ts';
import type { ClientObservation, ObserveOptions } from './client-observe.ts';
import { ClientRole, type RequestOptions } from './client-role.ts';
import { createCounters, type CoapCounters } from './counters.ts';
import { MessageLayer } from './exchange.ts';
import type { IncomingRequest, IncomingResponse } from './incoming.ts';
import { CoapType, EMPTY_BYTES, NO_OPTIONS, type CoapRequest } from './message.ts';
import { szxFor } from './options.ts';
import { resolveParams, type CoapParams, type CoapParamsInit } from './params.ts';
import { cryptoRandom, type RandomSource } from './random.ts';
import { ServerRole, type RequestHandler } from './server-role.ts';
import type { ServerObservation } from './server-observe.ts';

export interface CoapEndpointOptions {
  /** Transmission parameters (RFC 7252 4.8); defaults per the RFC. */
  params?: CoapParamsInit;
  /** Time source; default systemClock. */
  clock?: Clock;
  /** Random bytes for tokens, message IDs, jitter and ETags; default node:crypto. */
  random?: RandomSource;
  /** Token length in bytes for requests, 1..8 (default 8). */
  tokenLength?: number;
  /**
   * Milliseconds a request handler may take before the endpoint sends an empty ACK and answers
   * with a separate CON response (RFC 7252 5.2.2). Default 1000; 0 acknowledges at once.
   */
  separateResponseDelay?: number;
  /**
   * Milliseconds to wait for a separate response after the empty ACK, or for the response to a
   * NON request. Default MAX_TRANSMIT_WAIT.
   */
  responseTimeout?: number;
  /** Preferred block size in bytes, 16..1024 (default 1024), for Block1 requests and Block2 responses. */
  preferredBlockSize?: number;
  /**
   * Largest body reassembled from blocks, either role (default 8 MiB); a larger Block1 request gets
   * 4.13 with Size1. Streamed Block1 transfers (`block1Stream`) hold nothing and are not bound by it.
   */
  maxReassemblySize?: number;
  /** Bound of the duplicate-detection table (default 10 000 entries). */
  maxDedupEntries?: number;
  /** Concurrent block-wise transfers kept (server role, Block1 and Block2 caches; default 64). */
  maxBlockTransfers?: number;
  /** Bytes of response bodies kept for serving later Block2 blocks (default 8 MiB). */
  block2CacheBytes?: number;
  /** A CON notification at least every this many notifications (default 20). */
  observeConEvery?: number;
  /** A CON notification at least this often, ms (default 24 h, RFC 7641 4.5). */
  observeConInterval?: number;
  /**
   * Selects Block1 transfers whose blocks are handed to the request handler one at a time (with
   * `request.block1` set) instead of being reassembled; called with the first block. The handler
   * sees the announced size in `block1.totalSize` and answers 4.13 itself when that is too much.
   */
  block1Stream?: (request: IncomingRequest) => boolean;
  /**
   * Hand requests carrying Proxy-Uri or Proxy-Scheme to the request handler (a forward proxy, RFC
   * 7252 5.7.2), which reads them from `request.options`. Default false: such requests get 5.05
   * Proxying Not Supported.
   */
  proxy?: boolean;
  /** Close the transport in close() (default true). */
  closeTransport?: boolean;
}

export interface CoapEndpointEvents {
  /** Handler exceptions (answered 5.00), transport errors, listener exceptions. */
  error: Error;
}

/**
 * A CoAP endpoint. Client role: `request()`, `observe()`, `ping()`. Server role: `onRequest()`.
 * Both share the transport, the message layer (IDs, retransmission, dedup) and the counters.
 */
export class CoapEndpoint extends TypedEmitter<CoapEndpointEvents> {
  readonly transport: Transport;
  readonly params: CoapParams;
  readonly clock: Clock;
  #counters: CoapCounters = createCounters();
  #layer: MessageLayer;
  #client: ClientRole;
  #server: ServerRole;
  #closeTransport: boolean;
  #closing: Promise<void> | undefined;
  /** Pending pings' rejections (created on first ping). */
  #pings: Set<() => void> | undefined;

  // Thousands of endpoints live in one process (a client fleet): the wiring below creates no
  // per-endpoint objects beyond the roles, and no closures but the three transport/error handlers.
  constructor(transport: Transport, options: CoapEndpointOptions = {}) {
    super();
    this.transport = transport;
    this.params = resolveParams(options.params);
    this.clock = options.clock ?? systemClock;
    this.#closeTransport = options.closeTransport ?? true;
    const random = options.random ?? cryptoRandom;
    const tokenLength = options.tokenLength ?? 8;
    if (!Number.isInteger(tokenLength) || tokenLength < 1 || tokenLength > 8) throw new RangeError('tokenLength must be 1..8');
    const preferredSzx = szxFor(options.preferredBlockSize ?? 1024);
    const maxReassemblySize = options.maxReassemblySize ?? 8 * 1024 * 1024;
    this.#layer = new MessageLayer({
      transport,
      params: this.params,
      clock: this.clock,
      random,
      counters: this.#counters,
      maxDedupEntries: options.maxDedupEntries ?? 10_000,
    });
    this.#layer.onError((error) => {
      this.#reportError(error);
    });
    this.#client = new ClientRole({
      layer: this.#layer,
      clock: this.clock,
      params: this.params,
      counters: this.#counters,
      random,
      tokenLength,
      preferredSzx,
      maxReassemblySize,
      separateResponseTimeout: options.responseTimeout ?? this.params.maxTransmitWait,
    });
    this.#server = new ServerRole({
      layer: this.#layer,
      clock: this.clock,
      params: this.params,
      counters: this.#counters,
      preferredSzx,
      maxReassemblySize,
      separateResponseDelay: options.separateResponseDelay ?? 1000,
      maxBlockTransfers: options.maxBlockTransfers ?? 64,
      block2CacheBytes: options.block2CacheBytes ?? 8 * 1024 * 1024,
      observeConEvery: options.observeConEvery ?? 20,
      observeConInterval: options.observeConInterval ?? 24 * 3600 * 1000,
      block1Stream: options.block1Stream,
      proxy: options.proxy === true,
      random,
    });
    this.#layer.connect(this.#server, this.#client);
    transport.onDatagram((data, peer, channel) => {
      try {
        this.#layer.handleDatagram(data, peer, channel);
      } catch (error) {
        // Defensive: a bug above the message layer must not kill the socket loop.
        this.#reportError(error);
      }
    });
    transport.onError((error) => {
      this.#counters.transportErrors++;
      this.#reportError(error);
    });
  }

  #reportError(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  /** The transport's local address. */
  get local(): Peer {
    return this.transport.local;
  }

  /** A snapshot of the monitoring counters. */
  get counters(): Readonly<CoapCounters> {
    return { ...this.#counters };
  }

  /** Active server-side observations. */
  get observations(): ServerObservation[] {
    return this.#server.observations;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Sets the handler of incoming requests (server role). Without one, requests get 4.04. */
  onRequest(handler: RequestHandler): void {
    this.#server.handler = handler;
  }

  /**
   * Sends a request and resolves with its response (4.xx/5.xx responses resolve too). CON by
   * default, retransmitted per RFC 7252 4.2; large payloads go Block1 and large responses are
   * fetched Block2 transparently. Rejects with TimeoutError, AbortedError, RequestRejectedError
   * (code 0: RST) or CoapBlockError.
   */
  request(peer: Peer, request: CoapRequest, options?: RequestOptions): Promise<IncomingResponse> {
    return this.#client.request(peer, request, options);
  }

  /**
   * Registers an observation (RFC 7641 3.1): sends the request with Observe=0 and resolves once the
   * first response arrived. Iterate the result for notifications; `cancel()` deregisters.
   */
  observe(peer: Peer, request: CoapRequest, options?: ObserveOptions): Promise<ClientObservation> {
    return this.#client.observe(peer, request, options);
  }

  /** CoAP ping (RFC 7252 4.3): an empty CON, answered by RST. Resolves with the round-trip time in ms. */
  ping(peer: Peer, options: { signal?: AbortSignal } = {}): Promise<number> {
    if (this.closed) return Promise.reject(new AbortedError('endpoint closed'));
    const start = this.clock.now();
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      const onClose = (): void => {
        reject(new AbortedError('endpoint closed'));
      };
      (this.#pings ??= new Set()).add(onClose);
      const done = (): number => {
        this.#pings?.delete(onClose);
        signal?.removeEventListener('abort', onAbort);
        return this.clock.now() - start;
      };
      const t = this.#layer.sendConfirmable(
        { type: CoapType.CON, code: 0, messageId: this.#layer.nextMessageId(), token: EMPTY_BYTES, options: NO_OPTIONS, payload: EMPTY_BYTES },
        peer,
        {
          onAck: () => {
            resolve(done());
          },
          onReset: () => {
            resolve(done());
          },
          onTimeout: () => {
            done();
            reject(new TimeoutError('no answer to CoAP ping'));
          },
        },
      );
      const onAbort = (): void => {
        done();
        t.cancel();
        reject(new AbortedError('ping aborted'));
      };
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Closes the endpoint: pending requests reject with AbortedError, observations end (server side
   * with reason 'closed'), timers stop, and the transport closes (unless `closeTransport: false`).
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#server.close();
    this.#client.close();
    this.#layer.close();
    for (const reject of [...(this.#pings ?? [])]) reject();
    this.#pings = undefined;
    this.#closing = this.#closeTransport ? this.transport.close() : Promise.resolve();
    return this.#closing;
  }
}
