/** Test helpers: in-memory transports and message builders for CoAP endpoint tests on fake time. */
import type { ChannelInfo, DatagramHandler, Peer, Transport, TransportErrorHandler } from '../../src/transport/transport.ts';
import type { Clock } from '../../src/util/clock.ts';
import { CoapType, type CoapMessage, type CoapOptionEntry } from '../../src/coap/message.ts';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';

const PLAIN: ChannelInfo = { secure: false };

export interface Sent {
  readonly data: Uint8Array;
  readonly msg: CoapMessage;
  readonly to: Peer;
  readonly at: number;
}

/**
 * An in-memory transport. Datagrams sent to another MemoryTransport of the same network are
 * delivered in a microtask (so FakeClock.tick() settles whole exchanges); every send is recorded.
 */
export class MemoryTransport implements Transport {
  readonly local: Peer;
  readonly sent: Sent[] = [];
  #network: MemoryNetwork;
  #handler: DatagramHandler = () => undefined;
  closed = false;

  constructor(network: MemoryNetwork, local: Peer) {
    this.#network = network;
    this.local = local;
  }

  send(data: Uint8Array, peer: Peer): void {
    const copy = data.slice();
    let msg: CoapMessage;
    try {
      msg = parse(copy);
    } catch {
      msg = { type: CoapType.RST, code: 0, messageId: -1, token: new Uint8Array(0), options: [], payload: copy };
    }
    this.sent.push({ data: copy, msg, to: peer, at: this.#network.clock?.now() ?? 0 });
    if (this.#network.drop?.(msg, this.local, peer) === true) return;
    const target = this.#network.get(peer);
    if (target === undefined || target.closed) return;
    queueMicrotask(() => {
      target.deliver(copy, this.local);
    });
  }

  /** Hands a datagram to the endpoint as if it arrived from `from`. */
  deliver(data: Uint8Array, from: Peer): void {
    if (!this.closed) this.#handler(data, from, PLAIN);
  }

  /** Serializes and delivers a message from `from`. */
  inject(msg: CoapMessage, from: Peer): void {
    this.deliver(serialize(msg), from);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  onError(_handler: TransportErrorHandler): void {
    // In-memory sends never fail.
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Messages sent so far, optionally only those matching `filter`. */
  messages(filter?: (m: CoapMessage) => boolean): CoapMessage[] {
    return this.sent.map((s) => s.msg).filter((m) => filter === undefined || filter(m));
  }
}

export class MemoryNetwork {
  readonly clock: Clock | undefined;
  #nodes = new Map<string, MemoryTransport>();
  #nextPort = 40000;
  /** Return true to drop a datagram in flight. */
  drop: ((msg: CoapMessage, from: Peer, to: Peer) => boolean) | undefined;

  constructor(clock?: Clock) {
    this.clock = clock;
  }

  transport(port = this.#nextPort++): MemoryTransport {
    const t = new MemoryTransport(this, { address: '127.0.0.1', port });
    this.#nodes.set(`127.0.0.1:${port}`, t);
    return t;
  }

  get(peer: Peer): MemoryTransport | undefined {
    return this.#nodes.get(`${peer.address}:${peer.port}`);
  }
}

/** A deterministic RandomSource: zeros (jitter factor 0, so the first timeout is exactly ACK_TIMEOUT) with distinct tokens. */
export function counterRandom(): (target: Uint8Array) => void {
  let n = 0;
  return (target) => {
    target.fill(0);
    if (target.length >= 8) {
      // Tokens: unique per call. 4-byte and 2-byte draws (jitter, initial MID) stay zero.
      n++;
      target[6] = (n >> 8) & 0xff;
      target[7] = n & 0xff;
    }
  };
}

export function msg(init: Partial<CoapMessage> & { code: number }): CoapMessage {
  return {
    type: init.type ?? CoapType.CON,
    code: init.code,
    messageId: init.messageId ?? 1,
    token: init.token ?? new Uint8Array(0),
    options: init.options ?? ([] as CoapOptionEntry[]),
    payload: init.payload ?? new Uint8Array(0),
  };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);
