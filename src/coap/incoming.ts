/** What the endpoint hands to the application: received requests and responses (RFC 7252 5). */
import type { ChannelInfo, Peer } from '../transport/transport.ts';
import { CoapType, type CoapMessage, type CoapOptionEntry } from './message.ts';
import { accept, contentFormat, observe, uriPath, uriQuery, type BlockOption } from './options.ts';
import type { ServerObservation } from './server-observe.ts';

/** A response received for a request (the whole body when it came block-wise). */
export interface IncomingResponse {
  readonly code: number;
  readonly options: readonly CoapOptionEntry[];
  readonly payload: Uint8Array;
  readonly token: Uint8Array;
  readonly peer: Peer;
  readonly channel: ChannelInfo;
  /** The last message received for this response (for a block-wise body: its final block). */
  readonly message: CoapMessage;
}

/** @internal Wraps a received message as an IncomingResponse. */
export function toResponse(msg: CoapMessage, peer: Peer, channel: ChannelInfo): IncomingResponse {
  return { code: msg.code, options: msg.options, payload: msg.payload, token: msg.token, peer, channel, message: msg };
}

/** Where a block sits in a Block1 transfer delivered block by block (`block1Stream`). */
export interface Block1Info extends BlockOption {
  /** Byte offset of this block in the whole body. */
  readonly offset: number;
  /** Total size announced by the peer (Size1), if any. */
  readonly totalSize: number | undefined;
}

/** @internal Hooks the endpoint gives a request so it can accept an observation. */
export interface ObservationFactory {
  create(request: IncomingRequest): ServerObservation;
}

/** @internal The endpoint's side of a request: observations, and the signal aborted when it closes (made on first use). */
export interface RequestOwner extends ObservationFactory {
  readonly signal: AbortSignal;
}

/**
 * A request received by the endpoint (server role). Decoded fields are computed on first use.
 * The payload is the whole body: Block1 blocks are reassembled first, unless the endpoint's
 * `block1Stream` selected this transfer, in which case `block1` is set and `payload` is one block.
 */
export class IncomingRequest {
  readonly peer: Peer;
  readonly channel: ChannelInfo;
  readonly message: CoapMessage;
  readonly payload: Uint8Array;
  /** Set when this request carries one block of a streamed Block1 transfer. */
  readonly block1: Block1Info | undefined;
  #path: string[] | undefined;
  #query: string[] | undefined;
  #owner: RequestOwner;
  #observation: ServerObservation | undefined;

  /** @internal */
  constructor(message: CoapMessage, peer: Peer, channel: ChannelInfo, payload: Uint8Array, block1: Block1Info | undefined, owner: RequestOwner) {
    this.message = message;
    this.peer = peer;
    this.channel = channel;
    this.payload = payload;
    this.block1 = block1;
    this.#owner = owner;
  }

  /** Aborted when the endpoint closes. */
  get signal(): AbortSignal {
    return this.#owner.signal;
  }

  /** Method code (CoapCode.GET ...). */
  get method(): number {
    return this.message.code;
  }

  get confirmable(): boolean {
    return this.message.type === CoapType.CON;
  }

  get messageId(): number {
    return this.message.messageId;
  }

  get token(): Uint8Array {
    return this.message.token;
  }

  get options(): readonly CoapOptionEntry[] {
    return this.message.options;
  }

  /** Uri-Path segments. */
  get path(): string[] {
    return (this.#path ??= uriPath(this.message.options));
  }

  /** Uri-Query entries. */
  get query(): string[] {
    return (this.#query ??= uriQuery(this.message.options));
  }

  /** @internal Decodes path and query now; throws TypeError on invalid UTF-8. */
  decodeUri(): void {
    this.#path ??= uriPath(this.message.options);
    this.#query ??= uriQuery(this.message.options);
  }

  get contentFormat(): number | undefined {
    return contentFormat(this.message.options);
  }

  get accept(): number | undefined {
    return accept(this.message.options);
  }

  /** The Observe option: 0 register, 1 deregister (RFC 7641 2), undefined when absent. */
  get observe(): number | undefined {
    return observe(this.message.options);
  }

  /** The observation this request created through `acceptObservation()`, if any. */
  get observation(): ServerObservation | undefined {
    return this.#observation;
  }

  /**
   * Accepts the observation this GET/FETCH with Observe=0 asks for (RFC 7641 4.1). The endpoint adds
   * the Observe option to the response the handler returns; if that response is not 2.xx the
   * observation is cancelled. Calling it twice returns the same handle.
   */
  acceptObservation(): ServerObservation {
    if (this.#observation !== undefined) return this.#observation;
    this.#observation = this.#owner.create(this);
    return this.#observation;
  }
}
