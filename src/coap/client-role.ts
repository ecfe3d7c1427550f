/**
 * The client role of an endpoint: outgoing requests (RFC 7252 5.2, 5.3) with token matching,
 * NSTART per peer with a queue (4.7), response timeouts, abort; transparent Block1 and Block2
 * (RFC 7959); and client-side observations (RFC 7641 3).
 */
import { AbortedError, RequestRejectedError, TimeoutError } from '../errors.ts';
import { samePeer, type ChannelInfo, type Peer } from '../transport/transport.ts';
import type { Clock } from '../util/clock.ts';
import { CoapBlockError, Reassembler } from './block.ts';
import { ClientObservation, type ObserveOptions } from './client-observe.ts';
import type { CoapCounters } from './counters.ts';
import { peerId, tokenKey, type ConHandlers, type DedupEntry, type MessageLayer, type Transmission } from './exchange.ts';
import { toResponse, type IncomingResponse } from './incoming.ts';
import {
  CoapCode,
  CoapOption,
  CoapType,
  EMPTY_BYTES,
  NO_OPTIONS,
  isSuccessCode,
  type CoapMessage,
  type CoapOptionEntry,
  type CoapRequest,
} from './message.ts';
import {
  blockSize,
  decodeBlock,
  encodeBlock,
  encodeUint,
  findBadCriticalOption,
  getOption,
  getUintOption,
  removeOptions,
  setOption,
  szxFor,
  type BlockOption,
} from './options.ts';
import type { CoapParams } from './params.ts';
import type { RandomSource } from './random.ts';
import type { QueuedTimer, TimerTarget } from './timer-queue.ts';
import { SUPPORTED_CRITICAL_OPTIONS } from './server-role.ts';

/** Options of one outgoing request. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** CON (default) or NON. */
  confirmable?: boolean;
  /**
   * Block size in bytes (16..1024) for this request: payloads above it go block-wise (Block1), and
   * the response block size is proposed with an early Block2 option (RFC 7959 2.4).
   */
  blockSize?: number;
  /** Milliseconds to wait for a separate response after the empty ACK, or for the response to a NON request. */
  responseTimeout?: number;
  /**
   * Fetch one block of the response (RFC 7959 2.4): the request carries Block2 with this block
   * number and size exponent (0..6, 16..1024 bytes), and the response to it is returned as it came,
   * not completed from the other blocks. Its Block2 option says which block it holds (the server
   * may answer with a smaller size) and whether more follow; a response without Block2 is the
   * whole representation. Add Size2 (value 0) to the request options to learn the total size.
   * The request payload must fit in one block (a Block1 transfer is not combined with it).
   * A request whose options carry Block2 with a block number above 0 is such a fetch too.
   */
  block2?: { readonly num: number; readonly szx: number };
}

/** Something a response with a given token is delivered to. Returns false to reject it (RST). */
export interface Route {
  deliver(msg: CoapMessage, peer: Peer, channel: ChannelInfo): boolean;
}

interface ExchangeHooks {
  /** Called synchronously with the response; a returned route keeps the token registered. */
  follow?: (response: IncomingResponse) => Route | undefined;
  /** Reject responses that carry an Observe option (used by the deregistration GET). */
  rejectNotifications?: boolean;
}

/** What request() needs to continue after the first response (Block2, or Block1 after a 4.13 hint). */
interface Continuation {
  /** The request's options as the caller gave them. */
  readonly options: readonly CoapOptionEntry[];
  readonly szx: number;
}

interface PeerSlots {
  active: number;
  queue: ClientExchange[] | undefined;
}

export interface ClientRoleOptions {
  layer: MessageLayer;
  clock: Clock;
  params: CoapParams;
  counters: CoapCounters;
  random: RandomSource;
  tokenLength: number;
  preferredSzx: number;
  maxReassemblySize: number;
  separateResponseTimeout: number;
}

/** Token scratch buffers per length, shared by every endpoint (a new token is copied out at once). */
const TOKEN_SCRATCH = Array.from({ length: 9 }, (_, n) => new Uint8Array(n));

/** One request/response exchange at the message layer (no block-wise logic). */
class ClientExchange implements ConHandlers, Route, TimerTarget {
  readonly peer: Peer;
  readonly pid: string;
  readonly promise: Promise<IncomingResponse>;
  #role: ClientRole;
  #code: number;
  #options: readonly CoapOptionEntry[];
  #payload: Uint8Array;
  #opts: RequestOptions;
  #hooks: ExchangeHooks | undefined;
  #cont: Continuation | undefined;
  #resolve!: (r: IncomingResponse | Promise<IncomingResponse>) => void;
  #reject!: (e: unknown) => void;
  #token: Uint8Array | undefined;
  #tkey = '';
  #mid = -1;
  #transmission: Transmission | undefined;
  #timer: QueuedTimer | undefined;
  #hasSlot = false;
  #routed = false;
  settled = false;
  /** Waiting in its peer's NSTART queue. */
  queued = false;

  constructor(
    role: ClientRole,
    peer: Peer,
    code: number,
    options: readonly CoapOptionEntry[],
    payload: Uint8Array,
    token: Uint8Array | undefined,
    opts: RequestOptions,
    hooks: ExchangeHooks | undefined,
    cont: Continuation | undefined,
  ) {
    this.#role = role;
    this.peer = peer;
    this.pid = peerId(peer);
    this.#code = code;
    this.#options = options;
    this.#payload = payload;
    this.#token = token;
    this.#opts = opts;
    this.#hooks = hooks;
    this.#cont = cont;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const signal = opts.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.settled = true;
        this.#reject(new AbortedError('request aborted', { cause: signal.reason }));
        return;
      }
      this.#onAbort = () => {
        this.fail(new AbortedError('request aborted', { cause: signal.reason }));
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #onAbort: (() => void) | undefined;

  /** Called once an NSTART slot is held. */
  start(): void {
    this.#hasSlot = true;
    if (this.settled) {
      this.#releaseSlot();
      return;
    }
    const role = this.#role;
    const layer = role.layer;
    try {
      let token = this.#token;
      if (token === undefined) {
        token = role.newToken();
        this.#tkey = role.lastTokenKey;
      } else this.#tkey = tokenKey(token);
      this.#token = token;
      role.setRoute(this.#tkey, this);
      this.#routed = true;
      this.#mid = layer.nextMessageId();
      const confirmable = this.#opts.confirmable !== false;
      const msg: CoapMessage = {
        type: confirmable ? CoapType.CON : CoapType.NON,
        code: this.#code,
        messageId: this.#mid,
        token,
        options: this.#options,
        payload: this.#payload,
      };
      role.counters.requestsSent++;
      if (confirmable) this.#transmission = layer.sendConfirmable(msg, this.peer, this);
      else {
        this.#startTimer();
        layer.trackNon(this.peer, this.#mid, this);
        layer.send(msg, this.peer);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  #startTimer(): void {
    this.#timer = this.#role.layer.timers.schedule(this.#opts.responseTimeout ?? this.#role.separateResponseTimeout, this);
  }

  /** @internal Response timer (separate response or NON request). */
  onTimer(): void {
    this.#timer = undefined;
    const ms = this.#opts.responseTimeout ?? this.#role.separateResponseTimeout;
    this.fail(new TimeoutError(`no response from ${this.pid} within ${ms} ms`));
  }

  onAck(ack: CoapMessage, peer: Peer, channel: ChannelInfo): void {
    if (this.settled) return;
    this.#transmission = undefined;
    if (ack.code !== 0 && tokenKey(ack.token) === this.#tkey && this.#acceptable(ack)) {
      this.#complete(ack, peer, channel);
      return;
    }
    // Empty ACK: a separate response will follow; the interaction is no longer outstanding (RFC 7252 4.7).
    this.#releaseSlot();
    this.#startTimer();
  }

  onReset(): void {
    this.fail(new RequestRejectedError(0));
  }

  onTimeout(): void {
    this.fail(new TimeoutError(`no acknowledgement from ${this.pid} after ${this.#role.params.maxRetransmit} retransmissions`));
  }

  #acceptable(msg: CoapMessage): boolean {
    return this.#hooks?.rejectNotifications !== true || getOption(msg.options, CoapOption.OBSERVE) === undefined;
  }

  deliver(msg: CoapMessage, peer: Peer, channel: ChannelInfo): boolean {
    if (this.settled || !samePeer(peer, this.peer) || !this.#acceptable(msg)) return false;
    this.#complete(msg, peer, channel);
    return true;
  }

  #complete(msg: CoapMessage, peer: Peer, channel: ChannelInfo): void {
    const response = toResponse(msg, peer, channel);
    const route = this.#hooks?.follow?.(response);
    if (route !== undefined) {
      this.#role.setRoute(this.#tkey, route);
      this.#routed = false;
    }
    this.#settle();
    const cont = this.#cont;
    if (cont !== undefined && this.#role.needsContinuation(cont, this.#payload, response)) {
      this.#resolve(this.#role.continueRequest(this.peer, this.#code, cont, this.#payload, this.#opts, response));
    } else this.#resolve(response);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.#settle();
    this.#reject(error);
  }

  #settle(): void {
    this.settled = true;
    this.#transmission?.cancel();
    this.#transmission = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#routed) this.#role.deleteRoute(this.#tkey, this);
    this.#routed = false;
    if (this.#opts.confirmable === false && this.#mid >= 0) this.#role.layer.untrackNon(this.#mid);
    if (this.#onAbort !== undefined) this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    this.#releaseSlot();
    if (this.queued) this.#role.dequeue(this);
  }

  #releaseSlot(): void {
    if (!this.#hasSlot) return;
    this.#hasSlot = false;
    this.#role.release(this.pid);
  }
}

export class ClientRole {
  readonly layer: MessageLayer;
  readonly clock: Clock;
  readonly params: CoapParams;
  readonly counters: CoapCounters;
  readonly separateResponseTimeout: number;
  // Tables exist only while they hold something (an idle endpoint keeps none).
  /** token key -> receiver */
  #routes: Map<string, Route> | undefined;
  #observations: Set<ClientObservation> | undefined;
  #peers: Map<string, PeerSlots> | undefined;
  readonly #random: RandomSource;
  readonly #tokenLength: number;
  readonly #preferredSzx: number;
  readonly #maxReassemblySize: number;
  #sweepAt = 64;
  #closed = false;

  constructor(options: ClientRoleOptions) {
    this.layer = options.layer;
    this.clock = options.clock;
    this.params = options.params;
    this.counters = options.counters;
    this.separateResponseTimeout = options.separateResponseTimeout;
    this.#random = options.random;
    this.#tokenLength = options.tokenLength;
    this.#preferredSzx = options.preferredSzx;
    this.#maxReassemblySize = options.maxReassemblySize;
  }

  reportError(error: unknown): void {
    this.layer.reportError(error);
  }

  /** @internal The receiver of responses with this token key. */
  route(key: string): Route | undefined {
    return this.#routes?.get(key);
  }

  /** @internal */
  setRoute(key: string, route: Route): void {
    (this.#routes ??= new Map<string, Route>()).set(key, route);
  }

  /** @internal Removes the route of `key` if it is `route`. */
  deleteRoute(key: string, route: Route): void {
    const routes = this.#routes;
    if (routes?.get(key) !== route) return;
    routes.delete(key);
    if (routes.size === 0) this.#routes = undefined;
  }

  /** @internal */
  addObservation(obs: ClientObservation): void {
    (this.#observations ??= new Set<ClientObservation>()).add(obs);
  }

  /** @internal */
  deleteObservation(obs: ClientObservation): void {
    const set = this.#observations;
    if (set?.delete(obs) === true && set.size === 0) this.#observations = undefined;
  }

  /** A fresh random token not in use by a pending request or observation (RFC 7252 5.3.1). */
  newToken(): Uint8Array {
    const buf = TOKEN_SCRATCH[this.#tokenLength]!;
    for (;;) {
      this.#random(buf);
      const key = tokenKey(buf);
      if (this.#routes?.has(key) !== true) {
        this.lastTokenKey = key;
        return buf.slice();
      }
    }
  }

  /** @internal The map key of the token newToken() returned last. */
  lastTokenKey = '';

  // --- incoming responses (CON/NON) from the message layer --------------------------------------

  handleResponse(msg: CoapMessage, peer: Peer, channel: ChannelInfo, entry: DedupEntry): void {
    const route = this.#routes?.get(tokenKey(msg.token));
    const acceptable = msg.options.length === 0 || findBadCriticalOption(msg.options, SUPPORTED_CRITICAL_OPTIONS) === undefined;
    if (route === undefined || !acceptable || !route.deliver(msg, peer, channel)) {
      this.counters.unmatchedResponses++;
      // Unexpected CON responses are rejected (RFC 7252 5.3.2); a NON one is too, which is how a
      // forgotten observation ends (RFC 7641 3.6).
      if (acceptable || msg.type === CoapType.CON) entry.reply = this.layer.sendEmpty(CoapType.RST, msg.messageId, peer);
      return;
    }
    if (msg.type === CoapType.CON) entry.reply = this.layer.sendEmpty(CoapType.ACK, msg.messageId, peer);
  }

  // --- NSTART ------------------------------------------------------------------------------------

  #enqueue(x: ClientExchange): void {
    const peers = (this.#peers ??= new Map<string, PeerSlots>());
    let slots = peers.get(x.pid);
    if (slots === undefined) {
      slots = { active: 0, queue: undefined };
      peers.set(x.pid, slots);
    }
    if (slots.active < this.params.nstart) {
      slots.active++;
      x.start();
    } else {
      x.queued = true;
      (slots.queue ??= []).push(x);
    }
  }

  /** @internal */
  release(pid: string): void {
    const slots = this.#peers?.get(pid);
    if (slots === undefined) return;
    slots.active--;
    const queue = slots.queue;
    while (queue !== undefined && slots.active < this.params.nstart) {
      const next = queue.shift();
      if (next === undefined) break;
      next.queued = false;
      if (next.settled) continue;
      slots.active++;
      next.start();
    }
    if (slots.active === 0 && (queue === undefined || queue.length === 0)) this.#idle();
  }

  /**
   * Idle per-peer slots are kept (saves map churn on busy peers) up to a bound, then dropped; the
   * slot of an endpoint's only peer (a client's server) goes as soon as it is idle, so an idle
   * endpoint holds no table.
   */
  #idle(): void {
    const peers = this.#peers;
    if (peers === undefined) return;
    if (peers.size === 1) {
      this.#peers = undefined;
      return;
    }
    if (peers.size <= this.#sweepAt) return;
    for (const [pid, s] of peers) if (s.active === 0 && (s.queue === undefined || s.queue.length === 0)) peers.delete(pid);
    this.#sweepAt = Math.max(64, 2 * peers.size); // amortized O(1) per request
  }

  /** @internal Removes a settled exchange that is still queued. */
  dequeue(x: ClientExchange): void {
    x.queued = false;
    const slots = this.#peers?.get(x.pid);
    if (slots?.queue === undefined) return;
    const i = slots.queue.indexOf(x);
    if (i >= 0) slots.queue.splice(i, 1);
    if (slots.active === 0 && slots.queue.length === 0) this.#idle();
  }

  /** Requests waiting for an NSTART slot, all peers. */
  get queued(): number {
    let n = 0;
    for (const s of this.#peers?.values() ?? []) n += s.queue?.length ?? 0;
    return n;
  }

  // --- requests ----------------------------------------------------------------------------------

  /** @internal One message-layer exchange. */
  exchange(
    peer: Peer,
    code: number,
    options: readonly CoapOptionEntry[],
    payload: Uint8Array,
    token: Uint8Array | undefined,
    opts: RequestOptions,
    hooks?: ExchangeHooks,
    cont?: Continuation,
  ): Promise<IncomingResponse> {
    if (this.#closed) return Promise.reject(new AbortedError('endpoint closed'));
    const x = new ClientExchange(this, peer, code, options, payload, token, opts, hooks, cont);
    if (!x.settled) this.#enqueue(x);
    return x.promise;
  }

  #szx(opts: RequestOptions): number {
    return opts.blockSize === undefined ? this.#preferredSzx : szxFor(opts.blockSize);
  }

  request(peer: Peer, req: CoapRequest, opts: RequestOptions = {}): Promise<IncomingResponse> {
    const options = req.options ?? NO_OPTIONS;
    const payload = req.payload ?? EMPTY_BYTES;
    if (opts.block2 !== undefined) return this.#singleBlock(peer, req, opts, opts.block2);
    const asked = options.length > 0 ? getOption(options, CoapOption.BLOCK2) : undefined;
    if (asked !== undefined) {
      let b: BlockOption;
      try {
        b = decodeBlock(asked);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (b.num > 0) return this.#singleBlock(peer, req, opts, b);
    }
    const szx = this.#szx(opts);
    if (payload.length > blockSize(szx) && getOption(options, CoapOption.BLOCK1) === undefined) {
      return this.#block1(peer, req.code, options, payload, szx, opts, req.token);
    }
    let sent = options;
    if (opts.blockSize !== undefined && asked === undefined) {
      sent = setOption(options, CoapOption.BLOCK2, encodeBlock({ num: 0, more: false, szx }));
    }
    return this.exchange(peer, req.code, sent, payload, req.token, opts, undefined, { options, szx });
  }

  /** One block of a response, as it comes (RFC 7959 2.4; RequestOptions.block2). */
  #singleBlock(peer: Peer, req: CoapRequest, opts: RequestOptions, block: { readonly num: number; readonly szx: number }): Promise<IncomingResponse> {
    const { num, szx } = block;
    const payload = req.payload ?? EMPTY_BYTES;
    if (!Number.isInteger(num) || num < 0 || num > 0xfffff || !Number.isInteger(szx) || szx < 0 || szx > 6) {
      return Promise.reject(new RangeError(`block2 needs num 0..1048575 and szx 0..6, not num ${num}, szx ${szx}`));
    }
    if (payload.length > blockSize(this.#szx(opts))) {
      return Promise.reject(new RangeError('a single-block fetch cannot carry a payload larger than one block'));
    }
    const sent = setOption(req.options ?? NO_OPTIONS, CoapOption.BLOCK2, encodeBlock({ num, more: false, szx }));
    return this.exchange(peer, req.code, sent, payload, req.token, opts);
  }

  /** @internal Whether a first response needs more exchanges (Block2 with more blocks, or a 4.13 hint). */
  needsContinuation(c: Continuation, payload: Uint8Array, first: IncomingResponse): boolean {
    if (first.options.length > 0 && getOption(first.options, CoapOption.BLOCK2) !== undefined) return true;
    return first.code === CoapCode.REQUEST_ENTITY_TOO_LARGE && payload.length > 16 && getOption(c.options, CoapOption.BLOCK1) === undefined;
  }

  /** @internal */
  continueRequest(peer: Peer, code: number, c: Continuation, payload: Uint8Array, opts: RequestOptions, first: IncomingResponse): Promise<IncomingResponse> {
    const { options, szx } = c;
    if (first.code === CoapCode.REQUEST_ENTITY_TOO_LARGE && payload.length > 16 && getOption(options, CoapOption.BLOCK1) === undefined) {
      // A 4.13 to a plain request hints at Block1 (RFC 7959 2.9.3).
      const hinted = getOption(first.options, CoapOption.BLOCK1);
      const size1 = getUintOption(first.options, CoapOption.SIZE1);
      const retry = hinted !== undefined ? decodeBlock(hinted).szx : szxFor(Math.min(blockSize(szx), size1 ?? blockSize(szx), payload.length - 1));
      if (retry < 7) return this.#block1(peer, code, options, payload, retry, opts, first.token);
    }
    return this.completeBlock2(peer, code, options, payload, first, opts, first.token);
  }

  /** Sends a body block by block (RFC 7959 2.5), following the server's block size preference. */
  async #block1(
    peer: Peer,
    code: number,
    options: readonly CoapOptionEntry[],
    payload: Uint8Array,
    szx: number,
    opts: RequestOptions,
    token?: Uint8Array,
  ): Promise<IncomingResponse> {
    const base = removeOptions(options, CoapOption.BLOCK1, CoapOption.SIZE1);
    // One token for every block of the transfer: RFC 7959 allows any choice, and some servers
    // (node-coap among them) key the reassembly on the token.
    const transferToken = token ?? this.newToken();
    let offset = 0;
    let restarts = 0;
    for (;;) {
      const size = blockSize(szx);
      const num = offset / size;
      const end = Math.min(offset + size, payload.length);
      const more = end < payload.length;
      let o = setOption(base, CoapOption.BLOCK1, encodeBlock({ num, more, szx }));
      if (num === 0) o = setOption(o, CoapOption.SIZE1, encodeUint(payload.length));
      const res = await this.exchange(peer, code, o, payload.subarray(offset, end), transferToken, opts);
      const rb = getOption(res.options, CoapOption.BLOCK1);
      const ack = rb === undefined ? undefined : decodeBlock(rb);
      if (res.code === CoapCode.REQUEST_ENTITY_TOO_LARGE && ack !== undefined && ack.szx < szx && restarts < 3) {
        szx = ack.szx;
        offset = 0;
        restarts++;
        continue;
      }
      if (!more) return this.completeBlock2(peer, code, base, code === CoapCode.FETCH ? payload : EMPTY_BYTES, res, opts, transferToken);
      if (!isSuccessCode(res.code)) return res;
      if (ack !== undefined && ack.szx < szx) szx = ack.szx;
      offset = end;
    }
  }

  /**
   * Fetches the remaining blocks of a response that carries Block2 with M=1 (RFC 7959 2.4),
   * comparing ETags and restarting when the representation changed. Returns the whole body.
   * `token` is used for every follow-up request (never an observation's token, RFC 7959 2.6).
   */
  async completeBlock2(
    peer: Peer,
    code: number,
    requestOptions: readonly CoapOptionEntry[],
    requestPayload: Uint8Array,
    first: IncomingResponse,
    opts: RequestOptions,
    token: Uint8Array,
  ): Promise<IncomingResponse> {
    const v = getOption(first.options, CoapOption.BLOCK2);
    if (v === undefined) return first;
    let b = decodeBlock(v);
    if (!b.more && b.num === 0) return first;
    if (b.num !== 0) throw new CoapBlockError(`response starts at block ${b.num}`);
    const template = removeOptions(requestOptions, CoapOption.BLOCK1, CoapOption.SIZE1, CoapOption.OBSERVE, CoapOption.BLOCK2);
    const followPayload = code === CoapCode.FETCH ? requestPayload : EMPTY_BYTES;
    let head = first;
    let etag = hex(getOption(first.options, CoapOption.ETAG));
    let body = new Reassembler(this.#maxReassemblySize);
    let restarts = 0;
    const add = (offset: number, data: Uint8Array): void => {
      const r = body.append(offset, data);
      if (r === 'too-large') throw new CoapBlockError(`response body exceeds ${this.#maxReassemblySize} bytes`);
      if (r === 'gap') throw new CoapBlockError(`block at offset ${offset} leaves a gap`);
    };
    add(0, first.payload);
    let last = first;
    let szx = b.szx;
    while (b.more) {
      const size = blockSize(szx);
      if (body.length % size !== 0) throw new CoapBlockError('blocks do not align with the block size');
      const res = await this.exchange(peer, code, setOption(template, CoapOption.BLOCK2, encodeBlock({ num: body.length / size, more: false, szx })), followPayload, token, opts);
      if (!isSuccessCode(res.code)) return res;
      const rv = getOption(res.options, CoapOption.BLOCK2);
      if (rv === undefined) throw new CoapBlockError('block response without Block2 option');
      const rb = decodeBlock(rv);
      if (hex(getOption(res.options, CoapOption.ETAG)) !== etag) {
        // The representation changed under us: start over (RFC 7959 2.4).
        if (++restarts > 3) throw new CoapBlockError('representation keeps changing during the block-wise transfer');
        const again = await this.exchange(peer, code, setOption(template, CoapOption.BLOCK2, encodeBlock({ num: 0, more: false, szx })), followPayload, token, opts);
        if (!isSuccessCode(again.code)) return again;
        const av = getOption(again.options, CoapOption.BLOCK2);
        if (av === undefined) return again;
        b = decodeBlock(av);
        if (b.num !== 0) throw new CoapBlockError(`response starts at block ${b.num}`);
        head = again;
        etag = hex(getOption(again.options, CoapOption.ETAG));
        body = new Reassembler(this.#maxReassemblySize);
        add(0, again.payload);
        last = again;
        szx = b.szx;
        continue;
      }
      add(rb.num * blockSize(rb.szx), res.payload);
      if (rb.szx < szx) szx = rb.szx;
      b = rb;
      last = res;
    }
    return {
      code: last.code,
      options: removeOptions(head.options, CoapOption.BLOCK2),
      payload: body.result(),
      token: head.token,
      peer: last.peer,
      channel: last.channel,
      message: last.message,
    };
  }

  async observe(peer: Peer, req: CoapRequest, opts: ObserveOptions = {}): Promise<ClientObservation> {
    const options = setOption(req.options ?? NO_OPTIONS, CoapOption.OBSERVE, EMPTY_BYTES);
    const payload = req.payload ?? EMPTY_BYTES;
    let obs: ClientObservation | undefined;
    let seq: number | undefined;
    let sent = options;
    if (opts.blockSize !== undefined && getOption(options, CoapOption.BLOCK2) === undefined) {
      sent = setOption(options, CoapOption.BLOCK2, encodeBlock({ num: 0, more: false, szx: this.#szx(opts) }));
    }
    const first = await this.exchange(peer, req.code, sent, payload, req.token, opts, {
      follow: (response) => {
        seq = getUintOption(response.options, CoapOption.OBSERVE);
        obs = new ClientObservation(this, peer, response.token, { code: req.code, options: sent, payload }, opts);
        if (seq === undefined || !isSuccessCode(response.code)) return undefined;
        this.addObservation(obs);
        // Freshness starts from the registration response, before any notification can race it.
        obs.setFirst(response, seq);
        return obs;
      },
    });
    const o = obs!;
    try {
      const whole = await this.completeBlock2(peer, req.code, options, payload, first, opts, this.newToken());
      o.setFirst(whole, isSuccessCode(first.code) ? seq : undefined);
    } catch (error) {
      o.finish('error');
      throw error;
    }
    return o;
  }

  close(): void {
    this.#closed = true;
    const pending: ClientExchange[] = [];
    for (const r of this.#routes?.values() ?? []) if (r instanceof ClientExchange) pending.push(r);
    for (const slots of this.#peers?.values() ?? []) pending.push(...(slots.queue ?? []));
    for (const x of pending) x.fail(new AbortedError('endpoint closed'));
    for (const o of [...(this.#observations ?? [])]) o.finish('closed');
    this.#routes = undefined;
    this.#peers = undefined;
  }
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes).toString('hex');
}
