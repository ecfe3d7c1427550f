/**
 * A Transport wrapper that can stop listening: while closed, received datagrams are dropped as if
 * the radio were off (LwM2M queue mode after the client's listening window). Sending re-opens
 * nothing by itself; the owner opens the gate first.
 */
import type { DatagramHandler, Peer, Transport, TransportErrorHandler } from './transport.ts';

/** Handler placeholder until the owner sets one (shared: no per-gate closure). */
function ignore(): void {
  // nothing to do
}

export class GatedTransport implements Transport {
  readonly inner: Transport;
  #open = true;
  #dropped = 0;
  #handler: DatagramHandler = ignore;
  #errorHandler: TransportErrorHandler = ignore;
  /** One listener (the usual case) or several. */
  #failureListeners: TransportErrorHandler | TransportErrorHandler[] | undefined;

  constructor(inner: Transport) {
    this.inner = inner;
    inner.onDatagram((data, peer, channel) => {
      if (this.#open) this.#handler(data, peer, channel);
      else this.#dropped++;
    });
    inner.onError((error, peer) => {
      this.#errorHandler(error, peer);
      const listeners = this.#failureListeners;
      if (typeof listeners === 'function') listeners(error, peer);
      else if (listeners !== undefined) for (const listener of [...listeners]) listener(error, peer);
    });
  }

  /** Observes transport errors too (the CoAP endpoint owns the single onError handler). */
  addFailureListener(listener: TransportErrorHandler): void {
    const current = this.#failureListeners;
    if (current === undefined) this.#failureListeners = listener;
    else if (typeof current === 'function') {
      if (current !== listener) this.#failureListeners = [current, listener];
    } else if (!current.includes(listener)) current.push(listener);
  }

  get local(): Peer {
    return this.inner.local;
  }

  get listening(): boolean {
    return this.#open;
  }

  /** Datagrams dropped while the gate was closed. */
  get dropped(): number {
    return this.#dropped;
  }

  setListening(open: boolean): void {
    this.#open = open;
  }

  send(data: Uint8Array, peer: Peer): void {
    this.inner.send(data, peer);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  onError(handler: TransportErrorHandler): void {
    this.#errorHandler = handler;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
