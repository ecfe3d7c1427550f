/**
 * The server role of an endpoint: answering incoming requests (RFC 7252 5.2) with piggy-backed,
 * separate or NON responses; rejecting unsupported critical options (5.4.1); Block1 reassembly or
 * block-by-block delivery and Block2 slicing with a per-peer body cache (RFC 7959); and the
 * registry of server-side observations (RFC 7641 4).
 */
import { AbortedError, StatusError } from '../errors.ts';
import type { ChannelInfo, Peer } from '../transport/transport.ts';
import { ownBytes } from '../util/bytes.ts';
import type { Clock } from '../util/clock.ts';
import { Reassembler, sliceBlock, transferKey } from './block.ts';
import type { CoapCounters } from './counters.ts';
import { ExpiringMap } from './expiring-map.ts';
import { peerId, tokenKey, type DedupEntry, type MessageLayer } from './exchange.ts';
import { IncomingRequest, type Block1Info, type RequestOwner } from './incoming.ts';
import {
  CoapCode,
  CoapOption,
  CoapType,
  EMPTY_BYTES,
  NO_OPTIONS,
  isResponseCode,
  isSuccessCode,
  type CoapMessage,
  type CoapOptionEntry,
  type CoapResponse,
} from './message.ts';
import { ObserveSequence } from './observe.ts';
import {
  blockSize,
  decodeBlock,
  encodeBlock,
  encodeString,
  encodeUint,
  findBadCriticalOption,
  getOption,
  getUintOption,
  setOption,
  type BlockOption,
} from './options.ts';
import type { CoapParams } from './params.ts';
import { ServerObservation, type ObservationHost } from './server-observe.ts';
import type { QueuedTimer, TimerTarget } from './timer-queue.ts';

/** The application's request handler (server role). */
export type RequestHandler = (request: IncomingRequest) => CoapResponse | Promise<CoapResponse>;

/** Critical options this endpoint processes; any other critical option gets 4.02 (RFC 7252 5.4.1). */
export const SUPPORTED_CRITICAL_OPTIONS: ReadonlySet<number> = new Set([
  CoapOption.IF_MATCH,
  CoapOption.URI_HOST,
  CoapOption.IF_NONE_MATCH,
  CoapOption.URI_PORT,
  CoapOption.URI_PATH,
  CoapOption.URI_QUERY,
  CoapOption.ACCEPT,
  CoapOption.BLOCK2,
  CoapOption.BLOCK1,
  CoapOption.PROXY_URI,
  CoapOption.PROXY_SCHEME,
]);

export interface ServerRoleOptions {
  layer: MessageLayer;
  clock: Clock;
  params: CoapParams;
  counters: CoapCounters;
  preferredSzx: number;
  maxReassemblySize: number;
  separateResponseDelay: number;
  maxBlockTransfers: number;
  block2CacheBytes: number;
  observeConEvery: number;
  observeConInterval: number;
  block1Stream: ((request: IncomingRequest) => boolean) | undefined;
  /** Forward-proxy requests (Proxy-Uri / Proxy-Scheme) go to the handler instead of 5.05. */
  proxy: boolean;
  random: (target: Uint8Array) => void;
}

/** Per-request response state; also the target of the separate-response timer. */
class Ctx implements TimerTarget {
  readonly msg: CoapMessage;
  readonly peer: Peer;
  readonly entry: DedupEntry;
  readonly role: ServerRole;
  ackSent = false;
  responded = false;
  timer: QueuedTimer | undefined = undefined;
  /** Completion for block-wise paths; plain requests finish directly. */
  complete: ((response: CoapResponse) => void) | undefined = undefined;
  b2: BlockOption | undefined = undefined;

  constructor(role: ServerRole, msg: CoapMessage, peer: Peer, entry: DedupEntry) {
    this.role = role;
    this.msg = msg;
    this.peer = peer;
    this.entry = entry;
  }

  onTimer(): void {
    this.timer = undefined;
    this.role.sendEmptyAck(this);
  }
}

interface Block1State {
  readonly reassembler: Reassembler | undefined;
  readonly stream: boolean;
  readonly totalSize: number | undefined;
  next: number;
}

interface Block2Entry {
  readonly code: number;
  /** Response options without Block2/Size2/Observe, ETag included. */
  readonly options: readonly CoapOptionEntry[];
  readonly body: Uint8Array;
}

function isThenable(value: unknown): value is PromiseLike<CoapResponse> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function diagnostic(text: string): Uint8Array {
  return encodeString(text);
}

function block2Bytes(e: Block2Entry): number {
  return e.body.length;
}

export class ServerRole implements ObservationHost, RequestOwner {
  handler: RequestHandler | undefined;
  readonly layer: MessageLayer;
  readonly clock: Clock;
  readonly counters: CoapCounters;
  readonly conEvery: number;
  readonly conInterval: number;
  readonly #params: CoapParams;
  readonly #preferredSzx: number;
  readonly #maxReassemblySize: number;
  readonly #separateResponseDelay: number;
  readonly #maxBlockTransfers: number;
  readonly #block2CacheBytes: number;
  readonly #block1Stream: ((request: IncomingRequest) => boolean) | undefined;
  // Created on first use: an idle endpoint keeps no tables and no AbortController.
  #observations: Map<string, ServerObservation> | undefined;
  #block1: ExpiringMap<string, Block1State> | undefined;
  #block2: ExpiringMap<string, Block2Entry> | undefined;
  #abort: AbortController | undefined;
  #closed = false;
  #sequence: ObserveSequence;
  #etag: number;

  readonly #proxy: boolean;
  constructor(options: ServerRoleOptions) {
    this.layer = options.layer;
    this.clock = options.clock;
    this.counters = options.counters;
    this.conEvery = options.observeConEvery;
    this.conInterval = options.observeConInterval;
    this.#params = options.params;
    this.#preferredSzx = options.preferredSzx;
    this.#maxReassemblySize = options.maxReassemblySize;
    this.#separateResponseDelay = options.separateResponseDelay;
    this.#maxBlockTransfers = options.maxBlockTransfers;
    this.#block2CacheBytes = options.block2CacheBytes;
    this.#block1Stream = options.block1Stream;
    this.#proxy = options.proxy;
    const seed = new Uint8Array(4);
    options.random(seed);
    this.#sequence = new ObserveSequence(((seed[0]! << 8) | seed[1]!) & 0xfff);
    this.#etag = ((seed[2]! << 8) | seed[3]!) * 0x10000;
  }

  get observations(): ServerObservation[] {
    return [...(this.#observations?.values() ?? [])];
  }

  /** Aborted when the endpoint closes (every request's `signal`). */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#closed) this.#abort.abort(new AbortedError('endpoint closed'));
    }
    return this.#abort.signal;
  }

  #block1Map(): ExpiringMap<string, Block1State> {
    return (this.#block1 ??= new ExpiringMap({ clock: this.clock, lifetime: this.#params.exchangeLifetime, maxEntries: this.#maxBlockTransfers }));
  }

  #block2Map(): ExpiringMap<string, Block2Entry> {
    return (this.#block2 ??= new ExpiringMap({
      clock: this.clock,
      lifetime: this.#params.exchangeLifetime,
      maxEntries: this.#maxBlockTransfers,
      maxBytes: this.#block2CacheBytes,
      sizeOf: block2Bytes,
    }));
  }

  // --- ObservationFactory / ObservationHost -----------------------------------------------------

  create(request: IncomingRequest): ServerObservation {
    if (request.observe !== 0 || (request.method !== CoapCode.GET && request.method !== CoapCode.FETCH)) {
      throw new TypeError('acceptObservation() needs a GET or FETCH request with Observe=0');
    }
    return new ServerObservation(this, request, `${peerId(request.peer)}#${tokenKey(request.token)}`);
  }

  nextSequence(): number {
    return this.#sequence.next();
  }

  activated(obs: ServerObservation): void {
    const old = this.#observations?.get(obs.key);
    if (old !== undefined && old !== obs) old.terminate('replaced'); // which may drop the table
    (this.#observations ??= new Map<string, ServerObservation>()).set(obs.key, obs);
  }

  detached(obs: ServerObservation): void {
    const observations = this.#observations;
    if (observations?.get(obs.key) !== obs) return;
    observations.delete(obs.key);
    if (observations.size === 0) this.#observations = undefined;
  }

  reportError(error: unknown): void {
    this.layer.reportError(error);
  }

  shape(obs: ServerObservation, response: CoapResponse): { code: number; options: readonly CoapOptionEntry[]; payload: Uint8Array } {
    const reqB2 = getOption(obs.request.options, CoapOption.BLOCK2);
    const szx = Math.min(reqB2 === undefined ? 6 : decodeBlock(reqB2).szx, this.#preferredSzx);
    return this.#applyBlock2(obs.request, response.code, response.options ?? NO_OPTIONS, response.payload ?? EMPTY_BYTES, 0, szx, false);
  }

  // --- Incoming requests ------------------------------------------------------------------------

  handleRequest(msg: CoapMessage, peer: Peer, channel: ChannelInfo, entry: DedupEntry): void {
    const ctx = new Ctx(this, msg, peer, entry);
    const options = msg.options;
    if (options.length > 0) {
      const bad = findBadCriticalOption(options, SUPPORTED_CRITICAL_OPTIONS);
      if (bad !== undefined) {
        // RFC 7252 5.4.1: 4.02 for a CON request; a NON message is rejected (4.3), here with RST.
        if (msg.type === CoapType.NON) entry.reply = this.layer.sendEmpty(CoapType.RST, msg.messageId, peer);
        else this.#respond(ctx, CoapCode.BAD_OPTION, NO_OPTIONS, diagnostic(`unsupported critical option ${bad}`));
        return;
      }
      if (!this.#proxy && (getOption(options, CoapOption.PROXY_URI) !== undefined || getOption(options, CoapOption.PROXY_SCHEME) !== undefined)) {
        this.#respond(ctx, CoapCode.PROXYING_NOT_SUPPORTED, NO_OPTIONS, EMPTY_BYTES);
        return;
      }
    }
    const request = new IncomingRequest(msg, peer, channel, msg.payload, undefined, this);
    let b1: BlockOption | undefined;
    let b2: BlockOption | undefined;
    let obsValue: number | undefined;
    try {
      // Decode once here so that bad UTF-8 or bad block values answer 4.00 (RFC 7252 5.9.2.1, RFC 7959 2.2).
      request.decodeUri();
      if (options.length > 0) {
        const v1 = getOption(options, CoapOption.BLOCK1);
        const v2 = getOption(options, CoapOption.BLOCK2);
        b1 = v1 === undefined ? undefined : decodeBlock(v1);
        b2 = v2 === undefined ? undefined : decodeBlock(v2);
        obsValue = getUintOption(options, CoapOption.OBSERVE);
      }
    } catch {
      this.#respond(ctx, CoapCode.BAD_REQUEST, NO_OPTIONS, diagnostic('invalid UTF-8 in Uri-Path or Uri-Query'));
      return;
    }
    if (b1?.szx === 7 || b2?.szx === 7) {
      this.#respond(ctx, CoapCode.BAD_REQUEST, NO_OPTIONS, diagnostic('block size exponent 7 is reserved'));
      return;
    }
    const method = msg.code;
    if (obsValue === 1 && (method === CoapCode.GET || method === CoapCode.FETCH)) {
      this.#observations?.get(`${peerId(peer)}#${tokenKey(msg.token)}`)?.terminate('deregistered');
    }
    if (b2 !== undefined && b2.num > 0 && this.#serveCachedBlock(ctx, b2)) return;
    if (b1 !== undefined) {
      this.#handleBlock1(ctx, request, b1, b2);
      return;
    }
    if (b2 !== undefined && b2.num > 0 && method !== CoapCode.GET && method !== CoapCode.FETCH) {
      // The body of an unsafe request's response is gone: the request cannot be re-run.
      this.#respond(ctx, CoapCode.REQUEST_ENTITY_INCOMPLETE, NO_OPTIONS, diagnostic('no response body to continue'));
      return;
    }
    ctx.b2 = b2;
    this.#invoke(ctx, request);
  }

  #serveCachedBlock(ctx: Ctx, b2: BlockOption): boolean {
    const { msg, peer } = ctx;
    const key = transferKey(peerId(peer), msg.code, msg.options, msg.payload, true);
    const cached = this.#block2?.get(key);
    if (cached === undefined) return false;
    this.#block2?.touch(key);
    const offset = b2.num * blockSize(b2.szx);
    const szx = Math.min(b2.szx, this.#preferredSzx);
    const num = offset / blockSize(szx);
    const block = sliceBlock(cached.body, num, szx);
    if (block === undefined) {
      this.#respond(ctx, CoapCode.BAD_OPTION, NO_OPTIONS, diagnostic('block number beyond the end of the body'));
      return true;
    }
    let options = setOption(cached.options, CoapOption.BLOCK2, encodeBlock({ num, more: block.more, szx }));
    if (getOption(msg.options, CoapOption.SIZE2) !== undefined) options = setOption(options, CoapOption.SIZE2, encodeUint(cached.body.length));
    this.#respond(ctx, cached.code, options, block.data);
    return true;
  }

  #handleBlock1(ctx: Ctx, first: IncomingRequest, b1: BlockOption, b2: BlockOption | undefined): void {
    const { msg, peer } = ctx;
    const size = blockSize(b1.szx);
    const offset = b1.num * size;
    const payload = msg.payload;
    const respSzx = Math.min(b1.szx, this.#preferredSzx);
    if (b1.more && payload.length !== size) {
      this.#respond(ctx, CoapCode.BAD_REQUEST, NO_OPTIONS, diagnostic('block payload does not match its size exponent'));
      return;
    }
    const key = transferKey(peerId(peer), msg.code, msg.options);
    const transfers = this.#block1Map();
    let state = transfers.get(key);
    const max = this.#maxReassemblySize;
    if (b1.num === 0) {
      const totalSize = getUintOption(msg.options, CoapOption.SIZE1);
      const stream = this.#block1Stream !== undefined && this.#block1Selected(first, b1, totalSize);
      // The reassembly bound is about memory held here: a streamed transfer holds none, and its
      // handler sees Size1 (block1.totalSize) to refuse what its sink cannot take (RFC 7959 2.9.3).
      if (!stream && totalSize !== undefined && totalSize > max) {
        transfers.delete(key);
        this.#respond(ctx, CoapCode.REQUEST_ENTITY_TOO_LARGE, [{ number: CoapOption.SIZE1, value: encodeUint(max) }], EMPTY_BYTES);
        return;
      }
      state = { reassembler: stream ? undefined : new Reassembler(max), stream, totalSize, next: 0 };
      transfers.set(key, state);
    } else if (state === undefined) {
      this.#respond(ctx, CoapCode.REQUEST_ENTITY_INCOMPLETE, NO_OPTIONS, diagnostic('earlier blocks are missing'));
      return;
    } else transfers.touch(key);

    const block1Echo = (more: boolean): CoapOptionEntry => ({ number: CoapOption.BLOCK1, value: encodeBlock({ num: b1.num, more, szx: respSzx }) });
    if (state.stream) {
      if (offset > state.next) {
        transfers.delete(key);
        this.#respond(ctx, CoapCode.REQUEST_ENTITY_INCOMPLETE, NO_OPTIONS, diagnostic(`expected offset ${state.next}, got ${offset}`));
        return;
      }
      state.next = offset + payload.length;
      const info: Block1Info = { num: b1.num, more: b1.more, szx: b1.szx, offset, totalSize: state.totalSize };
      const request = new IncomingRequest(msg, peer, first.channel, payload, info, this);
      ctx.complete = (response) => {
        if (b1.more) {
          if (isSuccessCode(response.code)) this.#respond(ctx, CoapCode.CONTINUE, [block1Echo(true)], EMPTY_BYTES);
          else {
            transfers.delete(key);
            this.#finish(ctx, request, response, undefined, block1Echo(false));
          }
          return;
        }
        transfers.delete(key);
        this.#finish(ctx, request, response, b2, block1Echo(false));
      };
      this.#invoke(ctx, request);
      return;
    }
    const result = state.reassembler!.append(offset, payload);
    if (result === 'gap') {
      transfers.delete(key);
      this.#respond(ctx, CoapCode.REQUEST_ENTITY_INCOMPLETE, NO_OPTIONS, diagnostic(`missing blocks before offset ${offset}`));
      return;
    }
    if (result === 'too-large') {
      transfers.delete(key);
      this.#respond(ctx, CoapCode.REQUEST_ENTITY_TOO_LARGE, [{ number: CoapOption.SIZE1, value: encodeUint(max) }], EMPTY_BYTES);
      return;
    }
    if (b1.more) {
      this.#respond(ctx, CoapCode.CONTINUE, [block1Echo(true)], EMPTY_BYTES);
      return;
    }
    transfers.delete(key);
    const whole = state.reassembler!.result();
    const request = new IncomingRequest(msg, peer, first.channel, whole, undefined, this);
    ctx.complete = (response) => {
      this.#finish(ctx, request, response, b2, block1Echo(false));
    };
    this.#invoke(ctx, request);
  }

  #block1Selected(first: IncomingRequest, b1: BlockOption, totalSize: number | undefined): boolean {
    const info: Block1Info = { num: 0, more: b1.more, szx: b1.szx, offset: 0, totalSize };
    const probe = new IncomingRequest(first.message, first.peer, first.channel, first.payload, info, this);
    try {
      return this.#block1Stream?.(probe) === true;
    } catch (error) {
      this.reportError(error);
      return false;
    }
  }

  /** Runs the handler; answers with an empty ACK when it takes longer than the separate-response delay. */
  #invoke(ctx: Ctx, request: IncomingRequest): void {
    const handler = this.handler;
    let result: CoapResponse | PromiseLike<CoapResponse>;
    if (handler === undefined) result = { code: CoapCode.NOT_FOUND };
    else {
      try {
        result = handler(request);
      } catch (error) {
        result = this.#errorResponse(error);
      }
    }
    if (!isThenable(result)) {
      this.#done(ctx, request, result);
      return;
    }
    if (ctx.msg.type === CoapType.CON) {
      const delay = this.#separateResponseDelay;
      if (delay <= 0) this.sendEmptyAck(ctx);
      else ctx.timer = this.layer.timers.schedule(delay, ctx);
    }
    Promise.resolve(result).then(
      (response) => {
        this.#done(ctx, request, response);
      },
      (error: unknown) => {
        this.#done(ctx, request, this.#errorResponse(error));
      },
    );
  }

  #done(ctx: Ctx, request: IncomingRequest, response: CoapResponse): void {
    if (ctx.complete !== undefined) ctx.complete(response);
    else this.#finish(ctx, request, response, ctx.b2, undefined);
  }

  /** @internal Separate response (RFC 7252 5.2.2): acknowledge now, answer later. */
  sendEmptyAck(ctx: Ctx): void {
    if (ctx.responded || ctx.ackSent) return;
    ctx.ackSent = true;
    ctx.entry.reply = this.layer.sendEmpty(CoapType.ACK, ctx.msg.messageId, ctx.peer);
  }

  #errorResponse(error: unknown): CoapResponse {
    if (error instanceof StatusError && isResponseCode(error.coapCode)) {
      return { code: error.coapCode, payload: error.message === '' ? EMPTY_BYTES : diagnostic(error.message) };
    }
    this.counters.handlerErrors++;
    this.reportError(error);
    return { code: CoapCode.INTERNAL_SERVER_ERROR };
  }

  /** Validates the handler's response, applies Block2 and Observe, and sends it. */
  #finish(ctx: Ctx, request: IncomingRequest, response: CoapResponse, b2: BlockOption | undefined, block1Echo: CoapOptionEntry | undefined): void {
    if (ctx.responded) return;
    let code: number;
    let options: readonly CoapOptionEntry[];
    let payload: Uint8Array;
    if (
      typeof response !== 'object' ||
      !isResponseCode(response.code) ||
      (response.options !== undefined && !Array.isArray(response.options)) ||
      (response.payload !== undefined && !(response.payload instanceof Uint8Array))
    ) {
      this.counters.handlerErrors++;
      this.reportError(new TypeError('request handler returned an invalid response'));
      code = CoapCode.INTERNAL_SERVER_ERROR;
      options = NO_OPTIONS;
      payload = EMPTY_BYTES;
    } else {
      code = response.code;
      options = response.options ?? NO_OPTIONS;
      payload = response.payload ?? EMPTY_BYTES;
    }
    const obs = request.observation;
    try {
      if (payload.length > 0 && getOption(options, CoapOption.BLOCK2) === undefined) {
        const szx = Math.min(b2?.szx ?? 6, this.#preferredSzx);
        const offset = b2 === undefined ? 0 : b2.num * blockSize(b2.szx);
        const shaped = this.#applyBlock2(request, code, options, payload, offset / blockSize(szx), szx, getOption(request.options, CoapOption.SIZE2) !== undefined);
        ({ code, options, payload } = shaped);
      }
      if (block1Echo !== undefined) options = setOption(options, CoapOption.BLOCK1, block1Echo.value);
      if (obs !== undefined) {
        if (isSuccessCode(code) && !obs.cancelled) options = setOption(options, CoapOption.OBSERVE, encodeUint(obs.activate()));
        else obs.terminate('rejected');
      }
      this.#respond(ctx, code, options, payload);
    } catch (error) {
      obs?.terminate('rejected');
      this.counters.handlerErrors++;
      this.reportError(error);
      this.#respond(ctx, CoapCode.INTERNAL_SERVER_ERROR, NO_OPTIONS, EMPTY_BYTES);
    }
  }

  /**
   * Cuts a large body into the requested block (RFC 7959 2.4) and caches the body for later blocks,
   * keyed by peer, method and request options (RFC 7959 2.4: "the requesting endpoint and the URI").
   */
  #applyBlock2(
    request: IncomingRequest,
    code: number,
    options: readonly CoapOptionEntry[],
    payload: Uint8Array,
    num: number,
    szx: number,
    wantSize: boolean,
  ): { code: number; options: readonly CoapOptionEntry[]; payload: Uint8Array } {
    if (payload.length <= blockSize(szx) && num === 0) return { code, options, payload };
    const block = sliceBlock(payload, num, szx);
    if (block === undefined) return { code: CoapCode.BAD_OPTION, options: NO_OPTIONS, payload: diagnostic('block number beyond the end of the body') };
    let base = setOption(options, CoapOption.OBSERVE, undefined);
    if (getOption(base, CoapOption.ETAG) === undefined) base = setOption(base, CoapOption.ETAG, this.#nextEtag());
    if (block.more || num > 0) {
      const key = transferKey(peerId(request.peer), request.method, request.options, request.payload, true);
      this.#block2Map().set(key, { code, options: base, body: payload });
    }
    let out = setOption(base, CoapOption.BLOCK2, encodeBlock({ num, more: block.more, szx }));
    if (num === 0 || wantSize) out = setOption(out, CoapOption.SIZE2, encodeUint(payload.length));
    return { code, options: out, payload: block.data };
  }

  #nextEtag(): Uint8Array {
    this.#etag = (this.#etag + 1) % 0x1_0000_0000;
    const v = this.#etag;
    return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }

  /** Sends the response: piggy-backed on the ACK, as a separate CON, or as NON (RFC 7252 5.2). */
  #respond(ctx: Ctx, code: number, options: readonly CoapOptionEntry[], payload: Uint8Array): void {
    if (ctx.responded) return;
    ctx.responded = true;
    if (ctx.timer !== undefined) {
      ctx.timer.cancel();
      ctx.timer = undefined;
    }
    const { msg, peer, entry } = ctx;
    const layer = this.layer;
    this.counters.responsesSent++;
    const token = msg.token;
    if (msg.type === CoapType.CON && !ctx.ackSent) {
      // Kept for EXCHANGE_LIFETIME to answer duplicates: in a buffer of its own, not a view pinning a pool slab.
      entry.reply = ownBytes(layer.send({ type: CoapType.ACK, code, messageId: msg.messageId, token, options, payload }, peer));
      return;
    }
    const observed = getOption(options, CoapOption.OBSERVE) !== undefined ? this.#observations?.get(`${peerId(peer)}#${tokenKey(token)}`) : undefined;
    const messageId = layer.nextMessageId();
    if (msg.type === CoapType.CON) {
      this.counters.separateResponses++;
      layer.sendConfirmable({ type: CoapType.CON, code, messageId, token, options, payload }, peer, {
        onAck: () => undefined,
        onReset: () => observed?.terminate('reset'),
        onTimeout: () => observed?.terminate('timeout'),
      });
      return;
    }
    entry.reply = ownBytes(layer.send({ type: CoapType.NON, code, messageId, token, options, payload }, peer));
    if (observed !== undefined) layer.trackNon(peer, messageId, observed);
  }

  close(): void {
    this.#closed = true;
    this.#abort?.abort(new AbortedError('endpoint closed'));
    for (const obs of this.observations) obs.terminate('closed');
    this.#observations = undefined;
    this.#block1?.clear();
    this.#block2?.clear();
  }
}
