/**
 * The sockets of a simulated fleet: one channel factory for the whole process (UDP, DTLS for
 * coaps:// from each device's Security instance, as every client builds by default) whose channels
 * are counted, so the simulator can report the CoAP notifications (RFC 7641 4.2) its devices sent.
 */
import type { CoapEndpoint } from '../coap/endpoint.ts';
import { udpChannelFactory, type Channel, type ChannelFactory, type ChannelRequest } from '../client/rd/channel.ts';

/** A channel that reports its CoAP endpoint's counters to the fleet's tally when it closes. */
class CountedChannel implements Channel {
  readonly #inner: Channel;
  readonly #tally: ChannelTally;

  constructor(inner: Channel, tally: ChannelTally) {
    this.#inner = inner;
    this.#tally = tally;
  }

  get endpoint(): CoapEndpoint {
    return this.#inner.endpoint;
  }

  get peer(): Channel['peer'] {
    return this.#inner.peer;
  }

  get secure(): boolean {
    return this.#inner.secure;
  }

  setListening(listening: boolean): void {
    this.#inner.setListening(listening);
  }

  onFailure(listener: (error: Error) => void): void {
    this.#inner.onFailure(listener);
  }

  close(): Promise<void> {
    this.#tally.closed(this.#inner.endpoint);
    return this.#inner.close();
  }
}

/** The open channels of every device and the counts of those already closed. */
export class ChannelTally {
  readonly #endpoints = new Set<CoapEndpoint>();
  readonly #base: ChannelFactory;
  #closedNotifications = 0;
  /** The factory to give each device's LwM2mClient (`channelFactory`). */
  readonly factory: ChannelFactory;

  /**
   * `base` makes the real channels (default: UDP sockets on any local address). The default needs
   * no per-client `block1Stream` hook: simulated devices have no Opaque resource that streams.
   */
  constructor(base: ChannelFactory = udpChannelFactory()) {
    this.#base = base;
    this.factory = (request: ChannelRequest, signal?: AbortSignal) => this.#openChannel(request, signal);
  }

  async #openChannel(request: ChannelRequest, signal?: AbortSignal): Promise<Channel> {
    const channel = await this.#base(request, signal);
    this.#endpoints.add(channel.endpoint);
    return new CountedChannel(channel, this);
  }

  /** Called by a channel as it closes (once per channel; later calls count nothing). */
  closed(endpoint: CoapEndpoint): void {
    if (!this.#endpoints.delete(endpoint)) return;
    this.#closedNotifications += endpoint.counters.notificationsSent;
  }

  /** Sockets open now. */
  get openChannels(): number {
    return this.#endpoints.size;
  }

  /** CoAP notifications sent by every channel so far, open or closed. */
  get notificationsSent(): number {
    let n = this.#closedNotifications;
    for (const e of this.#endpoints) n += e.counters.notificationsSent;
    return n;
  }
}
