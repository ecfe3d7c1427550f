/**
 * A Transport wrapper for tests that drops or duplicates chosen or random datagrams, in either
 * direction, to exercise retransmission, deduplication and loss handling over real sockets.
 */
import type { DatagramHandler, Peer, Transport, TransportErrorHandler } from './transport.ts';

/** Decides about one datagram; `index` counts datagrams in that direction from 0. */
export type DatagramFilter = (data: Uint8Array, peer: Peer, index: number) => boolean;

export interface LossyTransportOptions {
  /** Drop an outgoing datagram when this returns true. */
  dropOutgoing?: DatagramFilter;
  /** Drop an incoming datagram when this returns true. */
  dropIncoming?: DatagramFilter;
  /** Send an outgoing datagram twice when this returns true. */
  duplicateOutgoing?: DatagramFilter;
  /** Deliver an incoming datagram twice when this returns true. */
  duplicateIncoming?: DatagramFilter;
  /** Probability (0..1) of dropping any datagram, both directions, on top of the filters. */
  lossRate?: number;
  /** Source of uniform numbers in [0, 1) for `lossRate` (default Math.random). */
  random?: () => number;
}

export interface LossyStats {
  sent: number;
  received: number;
  droppedOutgoing: number;
  droppedIncoming: number;
  duplicatedOutgoing: number;
  duplicatedIncoming: number;
}

export class LossyTransport implements Transport {
  readonly inner: Transport;
  readonly stats: LossyStats = { sent: 0, received: 0, droppedOutgoing: 0, droppedIncoming: 0, duplicatedOutgoing: 0, duplicatedIncoming: 0 };
  options: LossyTransportOptions;
  #outIndex = 0;
  #inIndex = 0;
  #dropOut = 0;
  #dropIn = 0;

  constructor(inner: Transport, options: LossyTransportOptions = {}) {
    this.inner = inner;
    this.options = options;
  }

  get local(): Peer {
    return this.inner.local;
  }

  /** Drops the next `count` datagrams in one direction (in addition to the filters). */
  dropNext(direction: 'outgoing' | 'incoming', count = 1): void {
    if (direction === 'outgoing') this.#dropOut += count;
    else this.#dropIn += count;
  }

  #random(): boolean {
    const rate = this.options.lossRate ?? 0;
    return rate > 0 && (this.options.random ?? Math.random)() < rate;
  }

  send(data: Uint8Array, peer: Peer): void {
    const index = this.#outIndex++;
    let drop = this.options.dropOutgoing?.(data, peer, index) === true || this.#random();
    if (this.#dropOut > 0) {
      this.#dropOut--;
      drop = true;
    }
    if (drop) {
      this.stats.droppedOutgoing++;
      return;
    }
    this.stats.sent++;
    this.inner.send(data, peer);
    if (this.options.duplicateOutgoing?.(data, peer, index) === true) {
      this.stats.duplicatedOutgoing++;
      this.inner.send(data, peer);
    }
  }

  onDatagram(handler: DatagramHandler): void {
    this.inner.onDatagram((data, peer, channel) => {
      const index = this.#inIndex++;
      let drop = this.options.dropIncoming?.(data, peer, index) === true || this.#random();
      if (this.#dropIn > 0) {
        this.#dropIn--;
        drop = true;
      }
      if (drop) {
        this.stats.droppedIncoming++;
        return;
      }
      this.stats.received++;
      handler(data, peer, channel);
      if (this.options.duplicateIncoming?.(data, peer, index) === true) {
        this.stats.duplicatedIncoming++;
        handler(data, peer, channel);
      }
    });
  }

  onError(handler: TransportErrorHandler): void {
    this.inner.onError(handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
