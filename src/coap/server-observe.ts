/**
 * Server-side Observe (RFC 7641 4): one observation handle per (client endpoint, token), with
 * notifications carrying an increasing 24-bit sequence number, a CON notification at least every
 * `conEvery` notifications or every 24 hours, at most one CON notification in flight (a newer one
 * takes over its retransmission state, 4.5.2), and removal on RST, on a CON notification that
 * times out, on deregistration, on replacement or on endpoint close.
 */
import type { Peer } from '../transport/transport.ts';
import type { Clock } from '../util/clock.ts';
import type { CoapCounters } from './counters.ts';
import type { MessageLayer, Transmission } from './exchange.ts';
import type { IncomingRequest } from './incoming.ts';
import { CoapOption, CoapType, isSuccessCode, type CoapMessage, type CoapOptionEntry, type CoapResponse } from './message.ts';
import { encodeUint, setOption } from './options.ts';
import { serialize } from './serialize.ts';

export type ObservationCancelReason =
  /** The client answered a notification with RST (RFC 7641 3.6). */
  | 'reset'
  /** The client sent GET/FETCH with Observe=1 and the same token (RFC 7641 3.6). */
  | 'deregistered'
  /** A CON notification was not acknowledged (RFC 7641 4.5). */
  | 'timeout'
  /** A new registration with the same token replaced it (RFC 7641 4.1). */
  | 'replaced'
  /** The endpoint closed. */
  | 'closed'
  /** The application called cancel(). */
  | 'cancelled'
  /** The handler answered the registration with a non-2.xx code. */
  | 'rejected'
  /** A notification with a non-2.xx code ended it (RFC 7641 4.2). */
  | 'final';

/** What became of one notify() call. */
export type NotifyResult = 'sent' | 'acknowledged' | 'replaced' | 'cancelled' | 'timeout' | 'reset';

export interface NotifyOptions {
  /** Send as CON (default NON; a CON is still sent every `conEvery` notifications and every 24 h). */
  confirmable?: boolean;
}

/** @internal The endpoint services an observation needs. */
export interface ObservationHost {
  readonly layer: MessageLayer;
  readonly clock: Clock;
  readonly counters: CoapCounters;
  readonly conEvery: number;
  readonly conInterval: number;
  nextSequence(): number;
  /** Applies Block2 (first block, cache for the rest) to a notification body. */
  shape(obs: ServerObservation, response: CoapResponse): { code: number; options: readonly CoapOptionEntry[]; payload: Uint8Array };
  activated(obs: ServerObservation): void;
  detached(obs: ServerObservation): void;
  reportError(error: unknown): void;
}

interface InFlight {
  transmission: Transmission;
  settle: (r: NotifyResult) => void;
}

export class ServerObservation {
  readonly peer: Peer;
  readonly token: Uint8Array;
  /** The registration request. */
  readonly request: IncomingRequest;
  /** @internal registry key */
  readonly key: string;
  #host: ObservationHost;
  /** Made when `signal` is first read: most observations never need one. */
  #controller: AbortController | undefined;
  #reason: ObservationCancelReason | undefined;
  #active = false;
  #inflight: InFlight | undefined;
  #early: { response: CoapResponse; options: NotifyOptions | undefined; settle: (r: NotifyResult) => void } | undefined;
  #sinceCon = 0;
  #lastConAt: number;
  #listeners: ((reason: ObservationCancelReason) => void)[] | undefined;

  /** @internal */
  constructor(host: ObservationHost, request: IncomingRequest, key: string) {
    this.#host = host;
    this.request = request;
    this.peer = request.peer;
    this.token = request.token;
    this.key = key;
    this.#lastConAt = host.clock.now();
  }

  /** Aborted (with the cancel reason as `signal.reason`) when the observation ends. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** True once the registration response went out and until the observation ends. */
  get active(): boolean {
    return this.#active && this.#reason === undefined;
  }

  get cancelled(): boolean {
    return this.#reason !== undefined;
  }

  get reason(): ObservationCancelReason | undefined {
    return this.#reason;
  }

  /** Calls `listener` once when the observation ends (immediately if it already has). */
  onCancel(listener: (reason: ObservationCancelReason) => void): void {
    if (this.#reason !== undefined) listener(this.#reason);
    else this.#listeners = (this.#listeners ?? []).concat(listener); // exact size: push reserves 17 slots
  }

  /**
   * Sends a notification. 2.xx responses get the next Observe sequence number; any other code is a
   * final notification that ends the observation (RFC 7641 4.2). Never rejects.
   */
  notify(response: CoapResponse, options?: NotifyOptions): Promise<NotifyResult> {
    if (this.#reason !== undefined) return Promise.resolve('cancelled');
    return new Promise((resolve) => {
      if (!this.#active) {
        // The registration response has not gone out yet: keep only the newest state.
        this.#early?.settle('replaced');
        this.#early = { response, options, settle: resolve };
        return;
      }
      this.#send(response, options, resolve);
    });
  }

  /** Ends the observation; with `final`, that response (no Observe option) is sent first (RFC 7641 3.2). */
  cancel(final?: CoapResponse): void {
    if (this.#reason !== undefined) return;
    if (final !== undefined && this.#active) {
      const layer = this.#host.layer;
      const msg: CoapMessage = {
        type: CoapType.NON,
        code: final.code,
        messageId: layer.nextMessageId(),
        token: this.token,
        options: setOption(final.options ?? [], CoapOption.OBSERVE, undefined),
        payload: final.payload ?? new Uint8Array(0),
      };
      layer.send(msg, this.peer);
    }
    this.terminate('cancelled');
  }

  /** @internal The Observe value for the registration response; marks the observation active. */
  activate(): number {
    this.#active = true;
    this.#host.activated(this);
    const seq = this.#host.nextSequence();
    const early = this.#early;
    if (early !== undefined) {
      this.#early = undefined;
      queueMicrotask(() => {
        if (this.#reason === undefined) this.#send(early.response, early.options, early.settle);
        else early.settle('cancelled');
      });
    }
    return seq;
  }

  #send(response: CoapResponse, options: NotifyOptions | undefined, settle: (r: NotifyResult) => void): void {
    const host = this.#host;
    const layer = host.layer;
    const shaped = host.shape(this, response);
    const final = !isSuccessCode(response.code);
    const now = host.clock.now();
    const con =
      options?.confirmable === true || this.#inflight !== undefined || this.#sinceCon + 1 >= host.conEvery || now - this.#lastConAt >= host.conInterval;
    const msg: CoapMessage = {
      type: con ? CoapType.CON : CoapType.NON,
      code: shaped.code,
      messageId: layer.nextMessageId(),
      token: this.token,
      options: setOption(shaped.options, CoapOption.OBSERVE, final ? undefined : encodeUint(host.nextSequence())),
      payload: shaped.payload,
    };
    host.counters.notificationsSent++;
    if (!con) {
      layer.send(msg, this.peer);
      layer.trackNon(this.peer, msg.messageId, this);
      this.#sinceCon++;
      settle('sent');
      if (final) this.terminate('final');
      return;
    }
    this.#sinceCon = 0;
    this.#lastConAt = now;
    const handlers = {
      onAck: () => {
        this.#inflight = undefined;
        this.#lastConAt = host.clock.now();
        settle('acknowledged');
        if (final) this.terminate('final');
      },
      onReset: () => {
        this.#inflight = undefined;
        settle('reset');
        this.terminate('reset');
      },
      onTimeout: () => {
        this.#inflight = undefined;
        settle('timeout');
        this.terminate('timeout');
      },
    };
    const inflight = this.#inflight;
    if (inflight !== undefined) {
      const oldMid = inflight.transmission.messageId;
      inflight.transmission.replace(msg.messageId, serialize(msg), handlers);
      layer.trackNon(this.peer, oldMid, this);
      inflight.settle('replaced');
      this.#inflight = { transmission: inflight.transmission, settle };
      return;
    }
    this.#inflight = { transmission: layer.sendConfirmable(msg, this.peer, handlers), settle };
  }

  /** @internal A RST answered one of its NON notifications (RFC 7641 3.6): the client forgot it. */
  onReset(): void {
    this.terminate('reset');
  }

  /** @internal Ends the observation (idempotent). */
  terminate(reason: ObservationCancelReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    const inflight = this.#inflight;
    this.#inflight = undefined;
    if (inflight !== undefined) {
      inflight.transmission.cancel();
      inflight.settle('cancelled');
    }
    this.#early?.settle('cancelled');
    this.#early = undefined;
    this.#host.detached(this);
    this.#controller?.abort(reason);
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const l of listeners) {
      try {
        l(reason);
      } catch (error) {
        this.#host.reportError(error);
      }
    }
  }
}
