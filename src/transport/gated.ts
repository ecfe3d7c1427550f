/**
 * A Transport wrapper that can stop listening: while closed, received datagrams are dropped as if
 * the radio were off (LwM2M queue mode after the client's listening window). Sending re-opens
 * nothing by itself; the owner opens the gate first.
 */
import type { DatagramHandler, Peer, Transport, TransportErrorHandler } from './transport.ts';

export class GatedTransport implements Transport {
  readonly inner: Transport;
  #open = true;
  #dropped = 0;
  #handler: DatagramHandler = () => undefined;
  #errorHandler: TransportErrorHandler = () => undefined;
  #failureListeners = new Set<TransportErrorHandler>();

  constructor(inner: Transport) {
    this.inner = inner;
    inner.onDatagram((data, peer, channel) => {
      if (this.#open) this.#handler(data, peer, channel);
      else this.#dropped++;
    });
    inner.onError((error, peer) => {
      this.#errorHandler(error, peer);
      for (const listener of this.#failureListeners) listener(error, peer);
    });
  }

  /** Observes transport errors too (the CoAP endpoint owns the single onError handler). */
  addFailureListener(listener: TransportErrorHandler): void {
    this.#failureListeners.add(listener);
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
