import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { TransportError } from '../errors.ts';
import type { ChannelInfo, DatagramHandler, Peer, Transport, TransportErrorHandler } from './transport.ts';

export interface UdpTransportOptions {
  /** Local address to bind; default '0.0.0.0' for udp4, '::' for udp6. */
  address?: string;
  /** Local port; 0 (default) picks an ephemeral port. */
  port?: number;
  /** 'udp4' (default unless `address` is IPv6) or 'udp6'. A udp6 socket bound to '::' also reaches IPv4 peers. */
  type?: 'udp4' | 'udp6';
  /** Receive/send buffer sizes in bytes (the OS may cap them). */
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

const PLAIN: ChannelInfo = Object.freeze({ secure: false });

/** Handler placeholder until the owner sets one (shared: no per-socket closure). */
function ignore(): void {
  // nothing to do
}

/** A Transport on one node:dgram socket (IPv4 or IPv6). Create it with `UdpTransport.bind()`. */
export class UdpTransport implements Transport {
  #socket: Socket;
  #local: Peer;
  #onDatagram: DatagramHandler = ignore;
  #onError: TransportErrorHandler = ignore;
  #closed = false;
  #ipv6: boolean;

  private constructor(socket: Socket, local: Peer, ipv6: boolean) {
    this.#socket = socket;
    this.#local = local;
    this.#ipv6 = ipv6;
    socket.on('message', (msg, rinfo) => {
      this.#onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port }, PLAIN);
    });
    socket.on('error', (err) => {
      this.#onError(new TransportError(`UDP socket error: ${err.message}`, { cause: err }));
    });
  }

  /** Binds a UDP socket and resolves once it is listening. */
  static bind(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const type = options.type ?? (options.address !== undefined && isIPv6(options.address) ? 'udp6' : 'udp4');
    const address = options.address ?? (type === 'udp6' ? '::' : '0.0.0.0');
    const socket = createSocket({
      type,
      ...(options.receiveBufferSize !== undefined ? { recvBufferSize: options.receiveBufferSize } : {}),
      ...(options.sendBufferSize !== undefined ? { sendBufferSize: options.sendBufferSize } : {}),
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(new TransportError(`cannot bind UDP ${address}:${options.port ?? 0}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind({ address, port: options.port ?? 0 }, () => {
        socket.off('error', onError);
        const info = socket.address();
        resolve(new UdpTransport(socket, { address: info.address, port: info.port }, type === 'udp6'));
      });
    });
  }

  get local(): Peer {
    return this.#local;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Uint8Array, peer: Peer): void {
    if (this.#closed) {
      this.#onError(new TransportError('send on a closed UDP transport'), peer);
      return;
    }
    // An IPv4 peer reached from a udp6 socket needs the IPv4-mapped form.
    const address = this.#ipv6 && !peer.address.includes(':') ? `::ffff:${peer.address}` : peer.address;
    this.#socket.send(data, peer.port, address, (err) => {
      if (err) this.#onError(new TransportError(`UDP send to ${address}:${peer.port} failed: ${err.message}`, { cause: err }), peer);
    });
  }

  onDatagram(handler: DatagramHandler): void {
    this.#onDatagram = handler;
  }

  onError(handler: TransportErrorHandler): void {
    this.#onError = handler;
  }

  /** Lets the process exit while this socket is open (for long-running clients driven by other handles). */
  unref(): void {
    this.#socket.unref();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      this.#socket.close(() => {
        resolve();
      });
    });
  }
}
