/**
 * One-at-a-time confirmable GET exchanges on a socket of their own (RFC 7252 4.2, 5.2): retransmission
 * with exponential back-off on the given clock, piggybacked and separate responses (the separate
 * CON response is acknowledged, its duplicates too), RST, and abort. The block-wise downloader needs
 * each block as its own exchange, so a lost block can be asked for again without starting over.
 */
import { randomBytes } from 'node:crypto';
import { parse } from '../../../coap/parse.ts';
import { serialize, serializeEmpty } from '../../../coap/serialize.ts';
import { CoapCode, CoapType, EMPTY_BYTES, type CoapMessage, type CoapOptionEntry } from '../../../coap/message.ts';
import { AbortedError, TimeoutError } from '../../../errors.ts';
import type { Peer, Transport } from '../../../transport/transport.ts';
import type { Clock, Timer } from '../../../util/clock.ts';
import { DownloadError } from './types.ts';

export interface ExchangeParams {
  readonly ackTimeout: number;
  readonly ackRandomFactor: number;
  readonly maxRetransmit: number;
  /** Wait for a separate response after an empty ACK, ms. */
  readonly responseTimeout: number;
}

interface Pending {
  readonly mid: number;
  readonly token: Uint8Array;
  readonly datagram: Uint8Array;
  readonly resolve: (msg: CoapMessage) => void;
  readonly reject: (error: Error) => void;
  timer: Timer | undefined;
  timeout: number;
  retransmissions: number;
  acked: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Confirmable GETs to one peer over one transport, one outstanding at a time (NSTART 1). */
export class CoapGetter {
  readonly #transport: Transport;
  readonly #peer: Peer;
  readonly #clock: Clock;
  readonly #params: ExchangeParams;
  #mid: number;
  #pending: Pending | undefined;
  /** Message IDs of separate responses already accepted, to acknowledge their retransmissions. */
  readonly #accepted: number[] = [];
  #closed = false;
  /** Transmissions sent, retransmissions included (for tests and statistics). */
  transmissions = 0;

  constructor(transport: Transport, peer: Peer, clock: Clock, params: ExchangeParams) {
    this.#transport = transport;
    this.#peer = peer;
    this.#clock = clock;
    this.#params = params;
    this.#mid = randomBytes(2).readUInt16BE(0);
    transport.onDatagram((data, from) => {
      if (from.port === this.#peer.port && sameAddress(from.address, this.#peer.address)) this.#receive(data);
    });
    transport.onError((error) => {
      const p = this.#pending;
      if (p !== undefined) this.#settle(p, new DownloadError('connection-lost', `transport failure: ${error.message}`, { cause: error }));
    });
  }

  /** Sends a CON GET with `options`; resolves with the response message. Rejects with DownloadError, TimeoutError, AbortedError. */
  get(options: readonly CoapOptionEntry[], signal?: AbortSignal): Promise<CoapMessage> {
    if (this.#closed) return Promise.reject(new AbortedError('download socket closed'));
    if (this.#pending !== undefined) return Promise.reject(new Error('CoapGetter: one exchange at a time'));
    signal?.throwIfAborted();
    this.#mid = (this.#mid + 1) & 0xffff;
    const token = randomBytes(4);
    const msg: CoapMessage = { type: CoapType.CON, code: CoapCode.GET, messageId: this.#mid, token, options, payload: EMPTY_BYTES };
    const datagram = serialize(msg);
    return new Promise<CoapMessage>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#pending === p) this.#settle(p, new AbortedError('download aborted', { cause: signal?.reason }));
      };
      const p: Pending = {
        mid: this.#mid,
        token,
        datagram,
        resolve: (m) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(m);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        timer: undefined,
        timeout: this.#params.ackTimeout * (1 + Math.random() * (this.#params.ackRandomFactor - 1)),
        retransmissions: 0,
        acked: false,
      };
      this.#pending = p;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#transmit(p);
    });
  }

  #transmit(p: Pending): void {
    this.transmissions++;
    this.#transport.send(p.datagram, this.#peer);
    p.timer = this.#clock.setTimer(p.timeout, () => {
      p.timer = undefined;
      if (this.#pending !== p || p.acked) return;
      if (p.retransmissions >= this.#params.maxRetransmit) {
        this.#settle(p, new TimeoutError(`no answer after ${p.retransmissions} retransmissions`));
        return;
      }
      p.retransmissions++;
      p.timeout *= 2;
      this.#transmit(p);
    });
  }

  #settle(p: Pending, result: CoapMessage | Error): void {
    if (this.#pending !== p) return;
    this.#pending = undefined;
    p.timer?.cancel();
    p.timer = undefined;
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  #receive(data: Uint8Array): void {
    let msg: CoapMessage;
    try {
      msg = parse(data);
    } catch {
      return;
    }
    const p = this.#pending;
    if (msg.type === CoapType.ACK || msg.type === CoapType.RST) {
      if (p === undefined || msg.messageId !== p.mid) return;
      if (msg.type === CoapType.RST) {
        this.#settle(p, new DownloadError('connection-lost', 'the server reset the request (RST)'));
        return;
      }
      if (msg.code === 0) {
        if (p.acked) return;
        p.acked = true;
        p.timer?.cancel();
        p.timer = this.#clock.setTimer(this.#params.responseTimeout, () => {
          this.#settle(p, new TimeoutError(`no separate response within ${this.#params.responseTimeout} ms`));
        });
        return;
      }
      if (sameBytes(msg.token, p.token)) this.#settle(p, msg);
      return;
    }
    if (msg.code === 0 || msg.code < 0x40) {
      // A request or an empty CON (ping): we serve nothing.
      if (msg.type === CoapType.CON) this.#transport.send(serializeEmpty(CoapType.RST, msg.messageId), this.#peer);
      return;
    }
    if (p !== undefined && sameBytes(msg.token, p.token)) {
      if (msg.type === CoapType.CON) this.#ack(msg.messageId);
      this.#settle(p, msg);
      return;
    }
    if (msg.type === CoapType.CON) {
      if (this.#accepted.includes(msg.messageId)) this.#transport.send(serializeEmpty(CoapType.ACK, msg.messageId), this.#peer);
      else this.#transport.send(serializeEmpty(CoapType.RST, msg.messageId), this.#peer);
    }
  }

  #ack(mid: number): void {
    this.#transport.send(serializeEmpty(CoapType.ACK, mid), this.#peer);
    this.#accepted.push(mid);
    if (this.#accepted.length > 8) this.#accepted.shift();
  }

  /** Fails the outstanding exchange and closes the transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const p = this.#pending;
    if (p !== undefined) this.#settle(p, new AbortedError('download socket closed'));
    await this.#transport.close();
  }
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (s: string): string => (s.startsWith('::ffff:') ? s.slice(7) : s);
  return strip(a) === strip(b);
}
