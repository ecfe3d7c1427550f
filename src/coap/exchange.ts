/**
 * The CoAP message layer of one endpoint (RFC 7252 4): CON retransmission with exponential back-off,
 * ACK/RST matching by Message ID, duplicate detection for EXCHANGE_LIFETIME, RST for rejected
 * messages, message ID allocation. Request/response semantics live above, in the endpoint.
 */
import { CoapParseError } from '../errors.ts';
import type { ChannelInfo, Peer, Transport } from '../transport/transport.ts';
import { samePeer } from '../transport/transport.ts';
import type { Clock } from '../util/clock.ts';
import type { CoapCounters } from './counters.ts';
import { DedupTable, type DedupEntry } from './dedup.ts';
import { ExpiringMap } from './expiring-map.ts';
import { CoapType, type CoapMessage } from './message.ts';
import type { CoapParams } from './params.ts';
import { parse, peekHeader } from './parse.ts';
import { random16, randomUnit, type RandomSource } from './random.ts';
import { serialize, serializeEmpty } from './serialize.ts';
import { TimerQueue, type QueuedTimer } from './timer-queue.ts';

export type { DedupEntry } from './dedup.ts';

/** Map key of a peer (cheap; IPv6 addresses contain ':' but never '|'). */
export function peerId(peer: Peer): string {
  return `${peer.address}|${peer.port}`;
}

/** Map key of a token (one char per byte; built flat in one call for the usual lengths). */
export function tokenKey(t: Uint8Array): string {
  const c = String.fromCharCode;
  switch (t.length) {
    case 0:
      return '';
    case 1:
      return c(t[0]!);
    case 2:
      return c(t[0]!, t[1]!);
    case 4:
      return c(t[0]!, t[1]!, t[2]!, t[3]!);
    case 8:
      return c(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, t[7]!);
    default: {
      let s = '';
      for (let i = 0; i < t.length; i++) s += c(t[i]!);
      return s;
    }
  }
}

/** Callbacks of an outgoing CON message. */
export interface ConHandlers {
  /** An ACK arrived: empty (`ack.code === 0`) or carrying a piggy-backed response. */
  onAck(ack: CoapMessage, peer: Peer, channel: ChannelInfo): void;
  onReset(): void;
  /** No ACK after MAX_RETRANSMIT retransmissions (RFC 7252 4.2). */
  onTimeout(): void;
}

/** The upper layer's server role: receives new (deduplicated) requests. */
export interface RequestSink {
  handleRequest(msg: CoapMessage, peer: Peer, channel: ChannelInfo, entry: DedupEntry): void;
}

/** The upper layer's client role: receives CON or NON responses (separate responses, notifications, NON responses). */
export interface ResponseSink {
  handleResponse(msg: CoapMessage, peer: Peer, channel: ChannelInfo, entry: DedupEntry): void;
}

export interface MessageLayerOptions {
  transport: Transport;
  params: CoapParams;
  clock: Clock;
  random: RandomSource;
  counters: CoapCounters;
  /** Bound of the duplicate-detection table (entries). */
  maxDedupEntries: number;
}

/** What a RST matching a tracked NON message is reported to (an object: no closure per message). */
export interface ResetTarget {
  onReset(): void;
}

interface SentNon {
  readonly peer: Peer;
  readonly target: ResetTarget;
}

/** One outgoing CON message under retransmission (RFC 7252 4.2). */
export class Transmission {
  readonly peer: Peer;
  #layer: MessageLayer;
  #handlers: ConHandlers;
  #bytes: Uint8Array;
  #messageId: number;
  #timeout: number;
  #retransmits = 0;
  #timer: QueuedTimer | undefined;
  #done = false;

  /** @internal */
  constructor(layer: MessageLayer, peer: Peer, messageId: number, bytes: Uint8Array, handlers: ConHandlers, initialTimeout: number) {
    this.#layer = layer;
    this.peer = peer;
    this.#messageId = messageId;
    this.#bytes = bytes;
    this.#handlers = handlers;
    this.#timeout = initialTimeout;
  }

  get messageId(): number {
    return this.#messageId;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Retransmissions so far. */
  get retransmits(): number {
    return this.#retransmits;
  }

  /** @internal */
  start(): void {
    // Arm first: a transport may deliver the ACK synchronously inside send().
    this.#arm();
    this.#layer.sendBytes(this.#bytes, this.peer);
  }

  #arm(): void {
    this.#timer = this.#layer.timers.schedule(this.#timeout, this);
  }

  /** @internal Retransmission timer. */
  onTimer(): void {
    this.#timer = undefined;
    if (this.#done) return;
    if (this.#retransmits >= this.#layer.params.maxRetransmit) {
      this.#finish();
      this.#layer.counters.transmitTimeouts++;
      this.#handlers.onTimeout();
      return;
    }
    this.#retransmits++;
    this.#timeout *= 2;
    this.#layer.counters.retransmissions++;
    this.#arm();
    this.#layer.sendBytes(this.#bytes, this.peer);
  }

  /**
   * Sends a newer message in place of this one (RFC 7641 4.5.2): the old one is no longer
   * retransmitted; the new one inherits the retransmission counter and timeout.
   */
  replace(messageId: number, bytes: Uint8Array, handlers: ConHandlers): void {
    if (this.#done) return;
    this.#layer.untrack(this);
    this.#messageId = messageId;
    this.#bytes = bytes;
    this.#handlers = handlers;
    this.#layer.track(this);
    this.#layer.sendBytes(bytes, this.peer);
  }

  /** Stops retransmitting without calling any handler. */
  cancel(): void {
    if (this.#done) return;
    this.#finish();
  }

  #finish(): void {
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#layer.untrack(this);
  }

  /** @internal */
  acknowledged(ack: CoapMessage, peer: Peer, channel: ChannelInfo): void {
    this.#finish();
    this.#handlers.onAck(ack, peer, channel);
  }

  /** @internal */
  reset(): void {
    this.#finish();
    this.#handlers.onReset();
  }
}

export class MessageLayer {
  readonly params: CoapParams;
  readonly clock: Clock;
  readonly counters: CoapCounters;
  #transport: Transport;
  #random: RandomSource;
  #requests: RequestSink | undefined;
  #responses: ResponseSink | undefined;
  #errors: ((error: unknown) => void) | undefined;
  readonly timers: TimerQueue;
  #nextMid: number;
  readonly #maxDedupEntries: number;
  // The tables below exist only while they hold something: an idle endpoint (thousands of them in
  // a client fleet) keeps no empty hash tables.
  /** Outstanding CON messages by Message ID (IDs are unique per endpoint; the peer is checked on match). */
  #outstanding: Map<number, Transmission> | undefined;
  #dedup: DedupTable | undefined;
  #nonSent: ExpiringMap<number, SentNon> | undefined;
  #closed = false;

  constructor(options: MessageLayerOptions) {
    this.params = options.params;
    this.clock = options.clock;
    this.counters = options.counters;
    this.#transport = options.transport;
    this.#random = options.random;
    this.#maxDedupEntries = options.maxDedupEntries;
    this.timers = new TimerQueue(options.clock);
    this.#nextMid = random16(options.random);
  }

  /** Connects the roles above: new requests go to `requests`, CON/NON responses to `responses`. */
  connect(requests: RequestSink, responses: ResponseSink): void {
    this.#requests = requests;
    this.#responses = responses;
  }

  /** Sets where errors of the layers above are reported (the endpoint's 'error' event). */
  onError(handler: (error: unknown) => void): void {
    this.#errors = handler;
  }

  /** Reports an unexpected error (handler exceptions, bugs) without disturbing the socket loop. */
  reportError(error: unknown): void {
    this.#errors?.(error);
  }

  /** Next message ID: a random start, then sequential (RFC 7252 4.4). */
  nextMessageId(): number {
    const mid = this.#nextMid;
    this.#nextMid = (mid + 1) & 0xffff;
    return mid;
  }

  /** Outstanding CON messages (all peers). */
  get outstanding(): number {
    return this.#outstanding?.size ?? 0;
  }

  get dedupSize(): number {
    return this.#dedup?.size ?? 0;
  }

  sendBytes(bytes: Uint8Array, peer: Peer): void {
    if (this.#closed) return;
    this.counters.datagramsSent++;
    this.counters.bytesSent += bytes.length;
    this.#transport.send(bytes, peer);
  }

  /** Serializes and sends a NON, ACK or RST message once. Returns the bytes sent. */
  send(msg: CoapMessage, peer: Peer): Uint8Array {
    const bytes = serialize(msg);
    this.sendBytes(bytes, peer);
    return bytes;
  }

  sendEmpty(type: 2 | 3, messageId: number, peer: Peer): Uint8Array {
    const bytes = serializeEmpty(type, messageId);
    if (type === CoapType.RST) this.counters.resetsSent++;
    this.sendBytes(bytes, peer);
    return bytes;
  }

  /** Initial ACK timeout, random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (RFC 7252 4.2). */
  initialTimeout(): number {
    const { ackTimeout, ackRandomFactor } = this.params;
    return ackTimeout + ackTimeout * (ackRandomFactor - 1) * randomUnit(this.#random);
  }

  /** Sends a CON message (its messageId already set) and retransmits it until ACK, RST or give-up. */
  sendConfirmable(msg: CoapMessage, peer: Peer, handlers: ConHandlers): Transmission {
    const t = new Transmission(this, peer, msg.messageId, serialize(msg), handlers, this.initialTimeout());
    this.track(t);
    t.start();
    return t;
  }

  /**
   * Remembers a sent NON message (for NON_LIFETIME) so that a RST for it calls `target.onReset()`
   * (RFC 7252 4.3, RFC 7641 3.6). The entry holds the peer and the target only: a NON notification
   * kept for NON_LIFETIME retains neither its bytes nor its sender's state.
   */
  trackNon(peer: Peer, messageId: number, target: ResetTarget): void {
    (this.#nonSent ??= new ExpiringMap({ clock: this.clock, lifetime: this.params.nonLifetime, maxEntries: this.#maxDedupEntries })).set(messageId, { peer, target });
  }

  /** Forgets a tracked NON message. */
  untrackNon(messageId: number): void {
    this.#nonSent?.delete(messageId);
  }

  /** @internal */
  track(t: Transmission): void {
    (this.#outstanding ??= new Map<number, Transmission>()).set(t.messageId, t);
  }

  /** @internal */
  untrack(t: Transmission): void {
    const outstanding = this.#outstanding;
    if (outstanding?.get(t.messageId) !== t) return;
    outstanding.delete(t.messageId);
    if (outstanding.size === 0) this.#outstanding = undefined;
  }

  /** Entry point for every received datagram. Never throws. */
  handleDatagram(data: Uint8Array, peer: Peer, channel: ChannelInfo): void {
    if (this.#closed) return;
    this.counters.datagramsReceived++;
    this.counters.bytesReceived += data.length;
    let msg: CoapMessage;
    try {
      msg = parse(data);
    } catch (error) {
      if (!(error instanceof CoapParseError)) throw error;
      this.#malformed(data, peer);
      return;
    }
    const { type, code } = msg;
    const cls = code >> 5;
    if (type === CoapType.ACK || type === CoapType.RST) {
      if (type === CoapType.RST ? code !== 0 : code !== 0 && (cls < 2 || cls > 5)) {
        this.counters.malformed++;
        return;
      }
      const mid = msg.messageId;
      const found = this.#outstanding?.get(mid);
      const t = found !== undefined && samePeer(found.peer, peer) ? found : undefined;
      if (type === CoapType.RST) this.counters.resetsReceived++;
      if (t === undefined) {
        const non = type === CoapType.RST ? this.#nonSent?.get(mid) : undefined;
        if (non !== undefined && samePeer(non.peer, peer)) {
          this.#nonSent?.delete(mid);
          non.target.onReset();
          return;
        }
        this.counters.unmatchedAcks++;
        return;
      }
      if (type === CoapType.RST) t.reset();
      else t.acknowledged(msg, peer, channel);
      return;
    }
    // CON or NON.
    if (code === 0) {
      if (type === CoapType.CON) this.sendEmpty(CoapType.RST, msg.messageId, peer); // CoAP ping (RFC 7252 4.3)
      else this.counters.malformed++;
      return;
    }
    const request = cls === 0;
    if (!request && (cls < 2 || cls > 5)) {
      // Reserved classes 1, 6, 7: reject (RFC 7252 4.2, 4.3).
      this.counters.malformed++;
      if (type === CoapType.CON) this.sendEmpty(CoapType.RST, msg.messageId, peer);
      return;
    }
    const pid = peerId(peer);
    const token = tokenKey(msg.token);
    const dedup = (this.#dedup ??= new DedupTable(this.clock, this.params.exchangeLifetime, this.#maxDedupEntries));
    const seen = dedup.get(pid, msg.messageId);
    if (seen?.token === token && seen.code === code) {
      this.counters.duplicates++;
      if (seen.reply !== undefined) this.sendBytes(seen.reply, peer);
      return;
    }
    const evicted = dedup.evictions;
    const entry = dedup.add(pid, msg.messageId, token, code);
    if (dedup.evictions !== evicted) this.counters.dedupEvictions += dedup.evictions - evicted;
    if (request) {
      this.counters.requestsReceived++;
      this.#requests?.handleRequest(msg, peer, channel, entry);
    } else this.#responses?.handleResponse(msg, peer, channel, entry);
  }

  #malformed(data: Uint8Array, peer: Peer): void {
    this.counters.malformed++;
    const header = peekHeader(data);
    // A malformed CON is rejected with RST (RFC 7252 4.2); anything else is silently dropped.
    if (header?.version === 1 && header.type === CoapType.CON) this.sendEmpty(CoapType.RST, header.messageId, peer);
  }

  /** Stops every retransmission and forgets all state. Handlers are not called. */
  close(): void {
    this.#closed = true;
    for (const t of [...(this.#outstanding?.values() ?? [])]) t.cancel();
    this.#outstanding = undefined;
    this.#dedup?.clear();
    this.#nonSent?.clear();
    this.timers.clear();
  }
}
