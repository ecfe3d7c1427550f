/**
 * DTLS 1.2 (RFC 6347) as a Transport wrapped around another Transport (normally UDP). The client
 * role handshakes on the first send() to a peer and queues data meanwhile; the server role answers
 * ClientHellos statelessly with a cookie (RFC 6347 4.2.1) and keeps one connection per client
 * address, or per connection ID (RFC 9146) so a client whose address changes keeps its session.
 */
import { randomBytes } from 'node:crypto';
import { DtlsError } from '../../errors.ts';
import { peerKey, type ChannelInfo, type DatagramHandler, type Peer, type Transport, type TransportErrorHandler } from '../transport.ts';
import type { CipherSuiteName } from './cipher-suites.ts';
import { ClientHandshake } from './client-handshake.ts';
import { clientConfig, serverConfig, type ClientConfig, type DtlsConfig, type ServerConfig } from './config.ts';
import { ContentType, DTLS_1_0, DTLS_1_2, HandshakeType } from './constants.ts';
import { CookieJar } from './cookie.ts';
import { DtlsConnection, type ConnectionEvents } from './connection.ts';
import { encodeHandshakeMessage, parseHandshakeFragments } from './handshake-fragment.ts';
import { decodeClientHello, encodeHelloVerifyRequest, type ClientHello } from './messages.ts';
import type { DtlsClientOptions, DtlsServerOptions } from './options.ts';
import { encodeRecord, parseRecords, type DtlsRecord } from './record.ts';
import { ServerHandshake } from './server-handshake.ts';
import { SessionCache } from './session-cache.ts';

/** What an established DTLS association with a peer uses. */
export interface DtlsSessionInfo {
  readonly peer: Peer;
  readonly cipherSuite: CipherSuiteName;
  /** True when the abbreviated handshake resumed an earlier session. */
  readonly resumed: boolean;
  readonly extendedMasterSecret: boolean;
  /** CBC records use encrypt-then-MAC (RFC 7366); always false for AEAD suites. */
  readonly encryptThenMac: boolean;
  /**
   * The server_name of the handshake (RFC 6066 3): what a client sent, or what a server received
   * (lower case, no trailing dot). Undefined when none was sent.
   */
  readonly serverName: string | undefined;
  readonly channel: ChannelInfo;
  /** Connection IDs in use (RFC 9146): `own` is carried by records to us, `peer` by records we send. */
  readonly connectionId: { readonly own: Uint8Array | undefined; readonly peer: Uint8Array | undefined };
}

export type DtlsHandshakeHandler = (peer: Peer, info: DtlsSessionInfo) => void;
export type DtlsPeerMovedHandler = (from: Peer, to: Peer) => void;

interface Waiter {
  resolve(info: DtlsSessionInfo): void;
  reject(error: Error): void;
}

function infoOf(conn: DtlsConnection): DtlsSessionInfo | undefined {
  const r = conn.result;
  if (r === undefined || conn.state !== 'established') return undefined;
  return {
    peer: conn.peer,
    cipherSuite: r.suite.name,
    resumed: r.resumed,
    extendedMasterSecret: r.extendedMasterSecret,
    encryptThenMac: r.encryptThenMac,
    serverName: r.serverName,
    channel: r.channel,
    connectionId: { own: conn.ownConnectionId, peer: conn.peerConnectionId },
  };
}

export class DtlsTransport implements Transport {
  readonly #inner: Transport;
  readonly #config: DtlsConfig;
  readonly #connections = new Map<string, DtlsConnection>();
  readonly #byCid = new Map<string, DtlsConnection>();
  readonly #cidOf = new WeakMap<DtlsConnection, string>();
  readonly #sessions: SessionCache<string>;
  readonly #cookies: CookieJar | undefined;
  readonly #waiters = new Map<DtlsConnection, Waiter[]>();
  readonly #events: ConnectionEvents;
  #onDatagram: DatagramHandler = () => undefined;
  #onError: TransportErrorHandler = () => undefined;
  #onHandshake: DtlsHandshakeHandler = () => undefined;
  #onPeerMoved: DtlsPeerMovedHandler = () => undefined;
  #closed = false;

  private constructor(inner: Transport, config: DtlsConfig) {
    this.#inner = inner;
    this.#config = config;
    const clock = config.clock;
    this.#sessions =
      config.role === 'server'
        ? new SessionCache(config.sessionCacheSize, config.sessionLifetimeMs, clock)
        : new SessionCache(256, 24 * 3600 * 1000, clock);
    this.#cookies = config.role === 'server' && config.cookieExchange ? new CookieJar(clock) : undefined;
    this.#events = {
      send: (datagram, peer) => {
        if (!this.#closed) this.#inner.send(datagram, peer);
      },
      data: (conn, data) => {
        this.#onDatagram(data, conn.peer, conn.channel);
      },
      established: (conn) => {
        this.#established(conn);
      },
      failed: (conn, error) => {
        this.#remove(conn);
        if (conn.role === 'client') this.#sessions.delete(peerKey(conn.peer));
        this.#settle(conn, error);
        this.#onError(error, conn.peer);
      },
      closed: (conn) => {
        this.#remove(conn);
        this.#settle(conn, new DtlsError('DTLS connection closed by the peer'));
      },
      moved: (conn, from) => {
        this.#moved(conn, from);
      },
    };
    inner.onDatagram((data, peer) => {
      this.#receive(data, peer);
    });
    inner.onError((error, peer) => {
      this.#onError(error, peer);
    });
  }

  /**
   * A DTLS client on `inner` (which it owns: close() closes it). Throws TypeError for unusable
   * options (no credentials, keys that do not parse, non-P-256 certificates).
   */
  static client(inner: Transport, options: DtlsClientOptions): DtlsTransport {
    return new DtlsTransport(inner, clientConfig(options));
  }

  /** A DTLS server on `inner` (which it owns). */
  static server(inner: Transport, options: DtlsServerOptions): DtlsTransport {
    return new DtlsTransport(inner, serverConfig(options));
  }

  get local(): Peer {
    return this.#inner.local;
  }

  get role(): 'client' | 'server' {
    return this.#config.role;
  }

  /** Number of peers with a connection (handshaking or established). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#onDatagram = handler;
  }

  onError(handler: TransportErrorHandler): void {
    this.#onError = handler;
  }

  /** Called after each completed handshake. */
  onHandshake(handler: DtlsHandshakeHandler): void {
    this.#onHandshake = handler;
  }

  /** Called when a client's connection ID shows up from a new address (server role, RFC 9146 6). */
  onPeerMoved(handler: DtlsPeerMovedHandler): void {
    this.#onPeerMoved = handler;
  }

  /**
   * Sends application data. A client handshakes first when it has no connection with the peer
   * (the data is queued meanwhile); a server can only answer peers that connected to it.
   * Failures (handshake, no session) are reported through onError.
   */
  send(data: Uint8Array, peer: Peer): void {
    if (this.#closed) {
      this.#onError(new DtlsError('send on a closed DTLS transport'), peer);
      return;
    }
    let conn = this.#connections.get(peerKey(peer));
    if (conn === undefined) {
      if (this.#config.role === 'server') {
        this.#onError(new DtlsError(`no DTLS session with ${peerKey(peer)}`), peer);
        return;
      }
      conn = this.#startClient(peer, this.#config);
      if (conn.state === 'closed') return; // failed at once and was reported
    }
    try {
      conn.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      this.#onError(error instanceof Error ? error : new DtlsError(String(error)), peer);
    }
  }

  /**
   * Resolves once a DTLS session with `peer` is established (a client starts the handshake if
   * needed); rejects with the DtlsError of a failed handshake, or on abort.
   */
  connect(peer: Peer, options?: { signal?: AbortSignal }): Promise<DtlsSessionInfo> {
    if (this.#closed) return Promise.reject(new DtlsError('DTLS transport is closed'));
    let conn = this.#connections.get(peerKey(peer));
    if (conn === undefined) {
      if (this.#config.role === 'server') return Promise.reject(new DtlsError(`no DTLS session with ${peerKey(peer)}`));
      conn = this.#startClient(peer, this.#config);
    }
    const info = infoOf(conn);
    if (info !== undefined) return Promise.resolve(info);
    if (conn.state === 'closed') return Promise.reject(new DtlsError(`DTLS handshake with ${peerKey(peer)} failed`));
    const c = conn;
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      const waiter: Waiter = {
        resolve: (i) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(i);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = (): void => {
        const list = this.#waiters.get(c);
        if (list !== undefined) this.#waiters.set(c, list.filter((w) => w !== waiter));
        reject(signal?.reason instanceof Error ? signal.reason : new DtlsError('connect aborted'));
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.#waiters.get(c) ?? [];
      list.push(waiter);
      this.#waiters.set(c, list);
    });
  }

  /** The established session with a peer, if any. */
  session(peer: Peer): DtlsSessionInfo | undefined {
    const conn = this.#connections.get(peerKey(peer));
    return conn === undefined ? undefined : infoOf(conn);
  }

  /**
   * Ends the association with a peer (close_notify). A client keeps the session and offers it
   * again on the next handshake with that peer (abbreviated handshake) unless `forgetSession`.
   */
  closePeer(peer: Peer, options?: { forgetSession?: boolean }): void {
    const key = peerKey(peer);
    if (options?.forgetSession === true) this.#sessions.delete(key);
    const conn = this.#connections.get(key);
    if (conn === undefined) return;
    conn.close(true);
    this.#remove(conn);
    this.#settle(conn, new DtlsError('DTLS connection closed'));
  }

  /** Sends close_notify to every peer, stops all timers and closes the inner transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const conn of [...this.#connections.values()]) {
      conn.close(true);
      this.#settle(conn, new DtlsError('DTLS transport closed'));
    }
    this.#closed = true;
    this.#connections.clear();
    this.#byCid.clear();
    await this.#inner.close();
  }

  // ---- internals -------------------------------------------------------------------------------

  #startClient(peer: Peer, config: DtlsConfig): DtlsConnection {
    const cfg = config as ClientConfig;
    const key = peerKey(peer);
    const conn = new DtlsConnection('client', cfg, peer, this.#events);
    const resume = cfg.resumeSessions ? this.#sessions.get(key) : undefined;
    const ownCid = cfg.connectionId && cfg.connectionIdLength > 0 ? this.#allocateCid(conn, cfg.connectionIdLength) : undefined;
    const hs = new ClientHandshake(conn, cfg, resume, ownCid);
    this.#connections.set(key, conn);
    conn.begin(hs, () => {
      hs.start();
    });
    return conn;
  }

  #receive(data: Uint8Array, from: Peer): void {
    if (this.#closed) return;
    const cidLength = this.#config.connectionIdLength;
    const records = parseRecords(data, cidLength);
    if (records.length === 0) return;
    const plain: DtlsRecord[] = [];
    for (const r of records) {
      if (r.cid !== undefined) this.#byCid.get(r.cid.toString('hex'))?.receive([r], from);
      else plain.push(r);
    }
    const first = plain[0];
    if (first === undefined) return;
    const conn = this.#connections.get(peerKey(from));
    if (this.#config.role === 'server' && first.epoch === 0 && first.type === ContentType.handshake) {
      const hello = this.#clientHelloOf(first);
      if (hello !== undefined && (conn === undefined || !conn.handshake.helloRandom.equals(hello.hello.random))) {
        this.#onClientHello(first, hello, from, conn, this.#config);
        return;
      }
    }
    conn?.receive(plain, from);
  }

  /** The ClientHello a record carries as one complete fragment, if it does. */
  #clientHelloOf(record: DtlsRecord): { hello: ClientHello; body: Buffer; messageSeq: number } | undefined {
    try {
      const f = parseHandshakeFragments(record.fragment)[0];
      if (f?.msgType !== HandshakeType.clientHello || f.fragmentOffset !== 0 || f.body.length !== f.length) return undefined;
      return { hello: decodeClientHello(f.body), body: f.body, messageSeq: f.messageSeq };
    } catch {
      return undefined;
    }
  }

  #onClientHello(
    record: DtlsRecord,
    ch: { hello: ClientHello; body: Buffer; messageSeq: number },
    from: Peer,
    existing: DtlsConnection | undefined,
    cfg: ServerConfig,
  ): void {
    if (this.#cookies !== undefined && !this.#cookies.verify(from, ch.hello)) {
      // RFC 6347 4.2.1: answer statelessly, echoing the record and message sequence numbers.
      const hvr = encodeHandshakeMessage(HandshakeType.helloVerifyRequest, ch.messageSeq, encodeHelloVerifyRequest(DTLS_1_0, this.#cookies.make(from, ch.hello)));
      this.#inner.send(encodeRecord(ContentType.handshake, DTLS_1_2, 0, record.seq, undefined, hvr), from);
      return;
    }
    if (existing !== undefined) {
      // The client lost its state (rebooted) and proved its address again: start over.
      existing.close(false);
      this.#remove(existing);
      this.#settle(existing, new DtlsError('DTLS connection replaced by a new handshake'));
    }
    if (this.#connections.size >= cfg.maxConnections && !this.#evictOne()) return;
    const conn = new DtlsConnection('server', cfg, from, this.#events, record.seq);
    const hs = new ServerHandshake(conn, cfg, ch.hello, Buffer.from(ch.body), ch.messageSeq, {
      sessions: this.#sessions,
      allocateConnectionId: () => this.#allocateCid(conn, cfg.connectionIdLength),
    });
    this.#connections.set(peerKey(from), conn);
    conn.begin(hs, () => {
      hs.start();
    });
  }

  #allocateCid(conn: DtlsConnection, length: number): Buffer {
    for (;;) {
      const cid = randomBytes(length);
      const key = cid.toString('hex');
      if (!this.#byCid.has(key)) {
        this.#byCid.set(key, conn);
        this.#cidOf.set(conn, key);
        return cid;
      }
    }
  }

  /** Drops the least recently active established connection to make room. */
  #evictOne(): boolean {
    let victim: DtlsConnection | undefined;
    for (const c of this.#connections.values()) {
      if (c.state === 'established' && (victim === undefined || c.lastActivity < victim.lastActivity)) victim = c;
    }
    if (victim === undefined) return false;
    victim.close(true);
    this.#remove(victim);
    return true;
  }

  #established(conn: DtlsConnection): void {
    const info = infoOf(conn);
    if (info === undefined) return;
    const session = conn.result?.session;
    if (conn.role === 'client' && session !== undefined) this.#sessions.set(peerKey(conn.peer), session);
    const waiters = this.#waiters.get(conn) ?? [];
    this.#waiters.delete(conn);
    for (const w of waiters) w.resolve(info);
    this.#onHandshake(conn.peer, info);
  }

  #moved(conn: DtlsConnection, from: Peer): void {
    const oldKey = peerKey(from);
    if (this.#connections.get(oldKey) === conn) this.#connections.delete(oldKey);
    const newKey = peerKey(conn.peer);
    const displaced = this.#connections.get(newKey);
    if (displaced !== undefined && displaced !== conn) {
      displaced.close(false);
      this.#remove(displaced);
    }
    this.#connections.set(newKey, conn);
    this.#onPeerMoved(from, conn.peer);
  }

  #remove(conn: DtlsConnection): void {
    const key = peerKey(conn.peer);
    if (this.#connections.get(key) === conn) this.#connections.delete(key);
    const cid = this.#cidOf.get(conn);
    if (cid !== undefined && this.#byCid.get(cid) === conn) this.#byCid.delete(cid);
  }

  #settle(conn: DtlsConnection, error: Error): void {
    const waiters = this.#waiters.get(conn);
    if (waiters === undefined) return;
    this.#waiters.delete(conn);
    for (const w of waiters) w.reject(error);
  }
}
