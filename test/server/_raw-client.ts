/**
 * A scripted raw-CoAP peer for lockstep tests against the server: the test builds every datagram,
 * sends it from a real UDP socket on loopback and awaits the server's next datagram.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';
import { buildOptions, type CoapOptionsInit } from '../../src/coap/options.ts';
import { CoapType, type CoapMessage } from '../../src/coap/message.ts';
import type { Peer } from '../../src/transport/transport.ts';

export interface Received {
  readonly data: Uint8Array;
  readonly msg: CoapMessage;
  readonly from: Peer;
}

export class RawClient {
  #socket: Socket;
  #port: number;
  #inbox: Received[] = [];
  #waiters: ((r: Received) => void)[] = [];
  #mid = 0x1000;
  readonly server: Peer;

  private constructor(socket: Socket, server: Peer) {
    this.#socket = socket;
    this.#port = socket.address().port;
    this.server = server;
    this.#listen(socket);
  }

  static async open(server: Peer): Promise<RawClient> {
    return new RawClient(await bindSocket(), server);
  }

  #listen(socket: Socket): void {
    socket.on('message', (buf, rinfo) => {
      const data = new Uint8Array(buf);
      const r: Received = { data, msg: parse(data), from: { address: rinfo.address, port: rinfo.port } };
      const w = this.#waiters.shift();
      if (w !== undefined) w(r);
      else this.#inbox.push(r);
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Changes the source port, as a NAT rebinding does: later datagrams leave from a new socket. */
  async rebind(): Promise<void> {
    const old = this.#socket;
    this.#socket = await bindSocket();
    this.#port = this.#socket.address().port;
    this.#listen(this.#socket);
    await new Promise<void>((r) => old.close(() => r()));
  }

  nextMid(): number {
    this.#mid = (this.#mid + 1) & 0xffff;
    return this.#mid;
  }

  sendRaw(data: Uint8Array, to: Peer = this.server): void {
    this.#socket.send(data, to.port, to.address);
  }

  send(msg: Partial<CoapMessage> & { code: number }, to: Peer = this.server): CoapMessage {
    const full: CoapMessage = {
      type: msg.type ?? CoapType.CON,
      code: msg.code,
      messageId: msg.messageId ?? this.nextMid(),
      token: msg.token ?? Uint8Array.of(0xa0, this.#mid & 0xff),
      options: msg.options ?? [],
      payload: msg.payload ?? new Uint8Array(0),
    };
    this.sendRaw(serialize(full), to);
    return full;
  }

  /** A CON request built from typed options. */
  request(code: number, options: CoapOptionsInit, payload?: Uint8Array | string, extra: Partial<CoapMessage> = {}): CoapMessage {
    return this.send({ code, options: buildOptions(options), payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, ...extra });
  }

  /** The next datagram from the server (rejects after `ms`). */
  recv(ms = 2000): Promise<Received> {
    const r = this.#inbox.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(done);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no datagram from the server within ${ms} ms`));
      }, ms);
      const done = (x: Received): void => {
        clearTimeout(timer);
        resolve(x);
      };
      this.#waiters.push(done);
    });
  }

  /** Asserts that nothing arrives for `ms`. Resolves with what arrived otherwise. */
  async quiet(ms = 100): Promise<Received | undefined> {
    try {
      return await this.recv(ms);
    } catch {
      return undefined;
    }
  }

  /** Sends a request and returns the server's reply (the piggy-backed ACK). */
  async exchange(code: number, options: CoapOptionsInit, payload?: Uint8Array | string, extra: Partial<CoapMessage> = {}): Promise<{ sent: CoapMessage; reply: Received }> {
    const sent = this.request(code, options, payload, extra);
    const reply = await this.recv();
    return { sent, reply };
  }

  /** Answers a request from the server with a piggy-backed ACK. */
  reply(to: CoapMessage, code: number, options: CoapOptionsInit = {}, payload?: Uint8Array | string): void {
    this.send({
      type: CoapType.ACK,
      code,
      messageId: to.messageId,
      token: to.token,
      options: buildOptions(options),
      payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.#socket.close(() => r()));
  }
}

function bindSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

export const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
