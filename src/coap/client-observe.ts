/**
 * Client-side Observe (RFC 7641 3): the handle returned by `CoapEndpoint.observe()`. It holds the
 * registration response, yields notifications as an async iterable in freshness order (3.4),
 * completes Block2 notifications before delivering them (RFC 7959 2.6), and cancels proactively
 * (GET with Observe=1, 3.6) or passively (forget, then RST).
 */
import { AbortedError } from '../errors.ts';
import { samePeer, type ChannelInfo, type Peer } from '../transport/transport.ts';
import type { ClientRole, RequestOptions } from './client-role.ts';
import { tokenKey } from './exchange.ts';
import { toResponse, type IncomingResponse } from './incoming.ts';
import { CoapOption, isSuccessCode, type CoapMessage, type CoapOptionEntry } from './message.ts';
import { AsyncQueue, FreshnessTracker } from './observe.ts';
import { decodeBlock, encodeUint, getOption, getUintOption, removeOptions, setOption } from './options.ts';

export interface ObserveOptions extends RequestOptions {
  /** Called for every notification, in addition to the async iterator. */
  onNotification?: (notification: IncomingResponse) => void;
  /** Buffered notifications not yet read from the iterator (oldest dropped beyond it). Default 64. */
  queueLimit?: number;
}

/** Why a client observation ended. */
export type ClientObservationEnd = 'cancelled' | 'forgotten' | 'final' | 'closed' | 'not-observed' | 'error';

/**
 * A client-side observation (RFC 7641 3): the first response, then notifications as an async
 * iterable, ordered by freshness (3.4); Block2 notifications are completed before delivery.
 */
export class ClientObservation implements AsyncIterable<IncomingResponse> {
  readonly token: Uint8Array;
  #peer: Peer;
  #role: ClientRole;
  #request: { code: number; options: readonly CoapOptionEntry[]; payload: Uint8Array };
  #opts: ObserveOptions;
  #queue: AsyncQueue<IncomingResponse>;
  #tracker = new FreshnessTracker();
  #end: ClientObservationEnd | undefined;
  #response: IncomingResponse | undefined;

  /** @internal */
  constructor(role: ClientRole, peer: Peer, token: Uint8Array, request: ClientObservation['request'], opts: ObserveOptions) {
    this.#role = role;
    this.#peer = peer;
    this.token = token;
    this.#request = request;
    this.#opts = opts;
    this.#queue = new AsyncQueue(opts.queueLimit ?? 64);
    // Aborting the signal given to observe() later forgets the observation (passive cancel).
    opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #onAbort = (): void => {
    this.forget();
  };

  /** The endpoint notifications are accepted from, and cancel() goes to. */
  get peer(): Peer {
    return this.#peer;
  }

  /**
   * Follows the observed endpoint to a new address: notifications are accepted from `peer` from
   * now on (from the old address they are rejected), and a proactive cancel goes there. For an
   * owner that knows the server moved, e.g. an LwM2M server whose client's Update came from a new
   * port after a NAT rebinding: observations survive an Update (LwM2M Core 1.1.1 6.2.2, 6.4.1).
   */
  retarget(peer: Peer): void {
    this.#peer = peer;
  }

  /** @internal */
  get request(): { code: number; options: readonly CoapOptionEntry[]; payload: Uint8Array } {
    return this.#request;
  }

  /** The response to the registration request (complete, even if it came block-wise). */
  get response(): IncomingResponse {
    if (this.#response === undefined) throw new Error('observation has no response yet');
    return this.#response;
  }

  /** True when the server accepted the observation (its response carried Observe). */
  get registered(): boolean {
    return this.#end !== 'not-observed';
  }

  get active(): boolean {
    return this.#end === undefined;
  }

  /** Why the stream ended, or undefined while it is active. */
  get endReason(): ClientObservationEnd | undefined {
    return this.#end;
  }

  /** Notifications dropped because the iterator did not keep up. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  [Symbol.asyncIterator](): AsyncIterator<IncomingResponse> {
    const inner = this.#queue[Symbol.asyncIterator]();
    return {
      next: () => inner.next(),
      return: () => {
        // Leaving a for-await loop forgets the observation (passive cancel, RFC 7641 3.6).
        this.forget();
        return inner.return?.() ?? Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** @internal */
  setFirst(response: IncomingResponse, seq: number | undefined): void {
    this.#response = response;
    if (seq === undefined) this.#finish('not-observed');
    else this.#tracker.accept(seq, this.#role.clock.now());
  }

  /** @internal Route: a notification (or final response) for this token. */
  deliver(msg: CoapMessage, peer: Peer, channel: ChannelInfo): boolean {
    if (this.#end !== undefined || !samePeer(peer, this.#peer)) return false;
    const role = this.#role;
    role.counters.notificationsReceived++;
    const seq = getUintOption(msg.options, CoapOption.OBSERVE);
    const response = toResponse(msg, peer, channel);
    if (seq === undefined || !isSuccessCode(msg.code)) {
      // A response without Observe, or an error, ends the observation (RFC 7641 3.2, 4.2).
      this.#push(response);
      this.#finish('final');
      return true;
    }
    if (!this.#tracker.accept(seq, role.clock.now())) return true; // stale: acknowledged, not delivered
    const b2 = getOption(msg.options, CoapOption.BLOCK2);
    if (b2 !== undefined && decodeBlock(b2).more) {
      const { code, options, payload } = this.#request;
      role
        .completeBlock2(peer, code, removeOptions(options, CoapOption.OBSERVE), payload, response, { signal: this.#opts.signal }, role.newToken())
        .then(
          (whole) => {
            if (this.#end === undefined && this.#tracker.last === seq) this.#push(whole);
          },
          (error: unknown) => {
            if (this.#end === undefined && !(error instanceof AbortedError)) role.reportError(error);
          },
        );
      return true;
    }
    this.#push(response);
    return true;
  }

  #push(n: IncomingResponse): void {
    this.#queue.push(n);
    if (this.#opts.onNotification !== undefined) {
      try {
        this.#opts.onNotification(n);
      } catch (error) {
        this.#role.reportError(error);
      }
    }
  }

  /** @internal */
  finish(reason: ClientObservationEnd): void {
    this.#finish(reason);
  }

  #finish(reason: ClientObservationEnd): void {
    if (this.#end !== undefined) return;
    this.#end = reason;
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    const key = tokenKey(this.token);
    this.#role.deleteRoute(key, this);
    this.#role.deleteObservation(this);
    this.#queue.end();
  }

  /** Passive cancel: forget the observation; the next notification is answered with RST (RFC 7641 3.6). */
  forget(): void {
    this.#finish('forgotten');
  }

  /**
   * Proactive cancel (RFC 7641 3.6): ends the stream and sends the registration request again with
   * Observe=1 and the same token. Resolves with the server's response (undefined if already ended).
   */
  async cancel(options?: RequestOptions): Promise<IncomingResponse | undefined> {
    if (this.#end !== undefined) return undefined;
    this.#finish('cancelled');
    const { code, options: reqOptions, payload } = this.#request;
    const deregister = setOption(reqOptions, CoapOption.OBSERVE, encodeUint(1));
    return this.#role.exchange(this.#peer, code, deregister, payload, this.token, { ...this.#opts, ...options }, { rejectNotifications: true });
  }
}

