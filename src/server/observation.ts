/**
 * A server-side LwM2M observation (Information Reporting, LwM2M Core 1.1.1 6.4; RFC 7641 3): the
 * decoded notifications of one Observe or Observe-Composite as an async iterable, and its
 * cancellation: proactive (`cancel()`: GET/FETCH with Observe=1), passive (`forget()` or the
 * AbortSignal: the next notification is answered with RST).
 */
import type { ClientObservation, IncomingResponse } from '../coap/index.ts';
import { AsyncQueue } from '../coap/observe.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { Peer } from '../transport/transport.ts';
import type { DmResult } from './dm.ts';

/** One notification, decoded. */
export interface Notification {
  readonly code: number;
  readonly format: number | undefined;
  readonly records: readonly LwM2mRecord[];
  readonly payload: Uint8Array;
  /** Set when the payload did not decode (records is then empty). */
  readonly error?: Error;
  /** Wall-clock time of arrival, ms since 1970. */
  readonly receivedAt: number;
}

/** Why an observation ended. */
export type ObservationEnd = 'cancelled' | 'forgotten' | 'final' | 'deregistered' | 'closed';

/** @internal What the server gives an observation. */
export interface ObservationHooks {
  decode(response: IncomingResponse): Notification;
  deliver(observation: Observation, notification: Notification): void;
  ended(observation: Observation): void;
}

export class Observation implements AsyncIterable<Notification> {
  readonly endpoint: string;
  readonly registrationId: string;
  /** The observed path (one for Observe, several for Observe-Composite). */
  readonly paths: readonly LwM2mPath[];
  readonly composite: boolean;
  /** The IoT device behind a gateway that is observed (LwM2M Gateway TS 1.1 8.3.1), or undefined for the client itself. */
  readonly prefix: string | undefined;
  #hooks: ObservationHooks;
  #queue: AsyncQueue<Notification>;
  #coap: ClientObservation | undefined;
  #initial: DmResult | undefined;
  #end: ObservationEnd | undefined;

  /** @internal */
  constructor(
    endpoint: string,
    registrationId: string,
    paths: readonly LwM2mPath[],
    composite: boolean,
    hooks: ObservationHooks,
    queueLimit = 64,
    prefix?: string,
  ) {
    this.endpoint = endpoint;
    this.registrationId = registrationId;
    this.paths = paths;
    this.composite = composite;
    this.prefix = prefix;
    this.#hooks = hooks;
    this.#queue = new AsyncQueue(queueLimit);
  }

  /** @internal Attaches the CoAP observation once the client accepted. */
  attach(coap: ClientObservation, initial: DmResult): void {
    this.#coap = coap;
    this.#initial = initial;
    if (this.#end !== undefined) coap.forget();
  }

  /** The response to the Observe request: the current value(s). */
  get initial(): DmResult {
    if (this.#initial === undefined) throw new Error('observation not established yet');
    return this.#initial;
  }

  get active(): boolean {
    return this.#end === undefined;
  }

  /** Why it ended, or undefined while active. */
  get endReason(): ObservationEnd | undefined {
    return this.#end;
  }

  /** Notifications dropped because the iterator did not keep up. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** @internal A notification from the CoAP layer (called from onNotification). */
  receive(response: IncomingResponse, final: boolean): void {
    if (this.#end !== undefined) return;
    const n = this.#hooks.decode(response);
    this.#queue.push(n);
    this.#hooks.deliver(this, n);
    if (final) this.#finish('final');
  }

  [Symbol.asyncIterator](): AsyncIterator<Notification> {
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

  /** Passive cancel: stop listening; the client's next notification is answered with RST (RFC 7641 3.6). */
  forget(): void {
    this.#finish('forgotten');
  }

  /**
   * Proactive cancel (RFC 7641 3.6, LwM2M Core 1.1.1 6.4.2 Cancel Observation): sends the Observe
   * request again with Observe=1. Resolves once the client answered (its errors are ignored: the
   * observation is over either way).
   */
  async cancel(): Promise<void> {
    if (this.#end !== undefined) return;
    const coap = this.#coap;
    this.#finish('cancelled');
    if (coap === undefined) return;
    try {
      await coap.cancel();
    } catch {
      // A client that does not answer has forgotten the observation already.
    }
  }

  /**
   * @internal The client's address changed (an Update from a new port, LwM2M Core 1.1.1 6.2.2):
   * its notifications now come from there, and a cancel goes there.
   */
  retarget(peer: Peer): void {
    this.#coap?.retarget(peer);
  }

  /** @internal Ends the observation because its registration ended or the server closed. */
  terminate(reason: 'deregistered' | 'closed'): void {
    this.#finish(reason);
  }

  #finish(reason: ObservationEnd): void {
    if (this.#end !== undefined) return;
    this.#end = reason;
    if (reason !== 'cancelled') this.#coap?.forget();
    this.#queue.end();
    this.#hooks.ended(this);
  }
}
