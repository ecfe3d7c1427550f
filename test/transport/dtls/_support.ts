/**
 * Test support for the DTLS tests: an in-memory datagram network (with loss/tamper hooks), a test
 * PKI generated with the `openssl` command at test time, and handles on third-party processes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerKey, type ChannelInfo, type DatagramHandler, type Peer, type Transport, type TransportErrorHandler } from '../../../src/transport/transport.ts';
import { UdpTransport } from '../../../src/transport/udp.ts';
import { DtlsTransport } from '../../../src/transport/dtls/dtls-transport.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../../src/transport/dtls/options.ts';
import { FakeClock, settle } from '../../../src/util/clock.ts';
import { encodeRecord, parseRecords } from '../../../src/transport/dtls/record.ts';
import { encodeHandshakeHeader, encodeHandshakeMessage, parseHandshakeFragments } from '../../../src/transport/dtls/handshake-fragment.ts';
import { decodeClientHello, decodeServerHello, encodeClientHello, encodeServerHello } from '../../../src/transport/dtls/messages.ts';
import type { Extension } from '../../../src/transport/dtls/extensions.ts';

export interface Delivery {
  readonly data: Uint8Array;
  readonly from: Peer;
  readonly to: Peer;
}

/** Returns false to drop a datagram, or replacement bytes. */
export type NetworkFilter = (d: Delivery) => boolean | Uint8Array;

/** Datagrams between MemoryTransports, delivered as microtasks (so FakeClock.tick() sees them). */
export class MemoryNetwork {
  readonly #endpoints = new Map<string, MemoryTransport>();
  readonly log: Delivery[] = [];
  filter: NetworkFilter | undefined;
  /** When set, exceptions thrown by a receiver are collected here instead of propagating. */
  crashes: unknown[] | undefined;
  #nextPort = 40000;

  constructor(filter?: NetworkFilter) {
    this.filter = filter;
  }

  endpoint(address = '10.0.0.1', port = this.#nextPort++): MemoryTransport {
    const t = new MemoryTransport(this, { address, port });
    this.#endpoints.set(peerKey(t.local), t);
    return t;
  }

  /** @internal */
  move(t: MemoryTransport, from: Peer): void {
    this.#endpoints.delete(peerKey(from));
    this.#endpoints.set(peerKey(t.local), t);
  }

  /** @internal */
  remove(t: MemoryTransport): void {
    if (this.#endpoints.get(peerKey(t.local)) === t) this.#endpoints.delete(peerKey(t.local));
  }

  /** @internal */
  transmit(data: Uint8Array, from: Peer, to: Peer): void {
    let d: Delivery = { data: Uint8Array.from(data), from, to };
    const verdict = this.filter?.(d) ?? true;
    if (verdict === false) return;
    if (verdict !== true) d = { ...d, data: verdict };
    this.log.push(d);
    queueMicrotask(() => {
      try {
        this.#endpoints.get(peerKey(to))?.deliver(d.data, from);
      } catch (error) {
        // A receive path must never throw; the fuzz test collects instead of crashing.
        if (this.crashes === undefined) throw error;
        this.crashes.push(error);
      }
    });
  }
}

export class MemoryTransport implements Transport {
  readonly #net: MemoryNetwork;
  #local: Peer;
  #onDatagram: DatagramHandler = () => undefined;
  #closed = false;
  sent = 0;

  constructor(net: MemoryNetwork, local: Peer) {
    this.#net = net;
    this.#local = local;
  }

  get local(): Peer {
    return this.#local;
  }

  /** Changes the source port, as a NAT rebinding would. */
  rebind(port: number): void {
    const old = this.#local;
    this.#local = { address: old.address, port };
    this.#net.move(this, old);
  }

  send(data: Uint8Array, peer: Peer): void {
    if (this.#closed) return;
    this.sent++;
    this.#net.transmit(data, this.#local, peer);
  }

  deliver(data: Uint8Array, from: Peer): void {
    if (!this.#closed) this.#onDatagram(data, from, { secure: false });
  }

  onDatagram(handler: DatagramHandler): void {
    this.#onDatagram = handler;
  }

  onError(_handler: TransportErrorHandler): void {
    // nothing fails in memory
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#net.remove(this);
    return Promise.resolve();
  }
}

// ---- test PKI ---------------------------------------------------------------------------------

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  /** A second, unrelated CA. */
  readonly otherCaCert: string;
  /** Root -> intermediate -> server ("localhost", SAN DNS:localhost, IP:127.0.0.1). */
  readonly intermediateCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate (CN=device-1) issued by the root CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Server certificate issued by the root CA whose validity ended in 2020. */
  readonly expiredServerCert: string;
  readonly expiredServerKey: string;
  /** Server certificate and key issued by the other CA. */
  readonly otherServerCert: string;
  readonly otherServerKey: string;
  /** A self-signed server certificate (for pinning). */
  readonly selfSignedCert: string;
  readonly selfSignedKey: string;
  /** File paths of the above, for command-line peers. */
  readonly files: Record<string, string>;
}

let pkiCache: Pki | undefined;

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Generates (once per process) a P-256 test PKI with the openssl command. */
export function testPki(): Pki {
  if (pkiCache !== undefined) return pkiCache;
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-dtls-pki-'));
  process.on('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  const key = (name: string): void => {
    openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  };
  const selfSigned = (name: string, cn: string, ca: boolean): void => {
    key(name);
    const ext = ca ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign,cRLSign'] : ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
    openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-days', '30', '-out', `${name}.pem`, ...ext]);
  };
  const issue = (name: string, cn: string, issuer: string, extensions: string): void => {
    key(name);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '10', '-out', `${name}.pem`, '-extfile', `${name}.ext`]);
  };
  selfSigned('ca', 'Test Root CA', true);
  selfSigned('other-ca', 'Other CA', true);
  selfSigned('self', 'localhost', false);
  issue('intermediate', 'Test Intermediate CA', 'ca', 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n');
  issue('server', 'localhost', 'intermediate', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  issue('client', 'device-1', 'ca', 'basicConstraints=CA:FALSE\n');
  issue('other-server', 'localhost', 'other-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  // An expired certificate needs explicit dates, which only `openssl ca` sets.
  key('expired');
  openssl(dir, ['req', '-new', '-key', 'expired.key', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-out', 'expired.csr']);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=t\n[t]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=copy\n[p]\ncommonName=supplied\n',
  );
  openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-in', 'expired.csr', '-out', 'expired.pem', '-notext']);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  writeFileSync(join(dir, 'server-chain.pem'), read('server.pem') + read('intermediate.pem'));
  const files: Record<string, string> = {};
  for (const n of ['ca.pem', 'other-ca.pem', 'server-chain.pem', 'server.pem', 'intermediate.pem', 'server.key', 'client.pem', 'client.key', 'expired.pem', 'expired.key', 'other-server.pem', 'other-server.key', 'self.pem', 'self.key']) {
    files[n] = join(dir, n);
  }
  pkiCache = {
    dir,
    caCert: read('ca.pem'),
    caKey: read('ca.key'),
    otherCaCert: read('other-ca.pem'),
    intermediateCert: read('intermediate.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    expiredServerCert: read('expired.pem'),
    expiredServerKey: read('expired.key'),
    otherServerCert: read('other-server.pem'),
    otherServerKey: read('other-server.key'),
    selfSignedCert: read('self.pem'),
    selfSignedKey: read('self.key'),
    files,
  };
  return pkiCache;
}

// ---- third-party processes ----------------------------------------------------------------------

/** A UDP port that was free a moment ago (bind port 0, read it, release it). */
export async function freeUdpPort(address = '127.0.0.1', consecutive = 1): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await UdpTransport.bind({ address });
    const held: UdpTransport[] = [first];
    let ok = true;
    for (let i = 1; i < consecutive && ok; i++) {
      try {
        held.push(await UdpTransport.bind({ address, port: first.local.port + i }));
      } catch {
        ok = false;
      }
    }
    const port = first.local.port;
    for (const h of held) await h.close();
    if (ok) return port;
  }
  throw new Error('no free UDP port range found');
}

/** A child process whose output is collected; always killed by stop() (and on process exit). */
export class Peer3p {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  #exited: Promise<number | null>;

  constructor(command: string, args: readonly string[], env?: Record<string, string>) {
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env !== undefined ? { env: { ...process.env, ...env } } : {}) });
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString('latin1');
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString('latin1');
    });
    this.#exited = new Promise((resolve) => {
      this.proc.on('exit', (code) => {
        resolve(code);
      });
      this.proc.on('error', () => {
        resolve(null);
      });
    });
    const kill = (): void => {
      this.proc.kill('SIGKILL');
    };
    process.once('exit', kill);
    void this.#exited.then(() => process.off('exit', kill));
  }

  get exited(): Promise<number | null> {
    return this.#exited;
  }

  write(text: string): void {
    this.proc.stdin?.write(text);
  }

  /** Resolves when stdout (or stderr) matches, rejects after `ms`. */
  async waitFor(pattern: RegExp | string, ms = 5000, stream: 'stdout' | 'stderr' | 'any' = 'any'): Promise<void> {
    const deadline = Date.now() + ms;
    const test = (): boolean => {
      const text = stream === 'stdout' ? this.stdout : stream === 'stderr' ? this.stderr : this.stdout + this.stderr;
      return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    };
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; stdout=${this.stdout.slice(-500)} stderr=${this.stderr.slice(-500)}`);
      if (this.proc.exitCode !== null) throw new Error(`process exited (${this.proc.exitCode}) before ${String(pattern)}; stdout=${this.stdout.slice(-500)} stderr=${this.stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.#exited;
  }
}

/** True when `command` is on PATH (the interop tests require openssl and libcoap; CI installs them). */
export function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ---- a client/server pair on the memory network ---------------------------------------------------


export interface Received {
  readonly text: string;
  readonly peer: Peer;
  readonly channel: ChannelInfo;
}

export interface Pair {
  readonly net: MemoryNetwork;
  readonly clock: FakeClock;
  readonly client: DtlsTransport;
  readonly server: DtlsTransport;
  readonly clientInner: MemoryTransport;
  readonly serverInner: MemoryTransport;
  readonly serverPeer: Peer;
  readonly clientErrors: Error[];
  readonly serverErrors: Error[];
  readonly clientGot: Received[];
  readonly serverGot: Received[];
}

/** A client and a server on a MemoryNetwork with a FakeClock; the server echoes "echo:<text>". */
export function makePair(clientOptions: Omit<DtlsClientOptions, 'clock'>, serverOptions: Omit<DtlsServerOptions, 'clock'>, net = new MemoryNetwork()): Pair {
  const clock = new FakeClock({ wallStart: Date.now() });
  const serverInner = net.endpoint('10.0.0.1', 5684);
  const clientInner = net.endpoint('10.0.0.2', 50000);
  const server = DtlsTransport.server(serverInner, { ...serverOptions, clock });
  const client = DtlsTransport.client(clientInner, { ...clientOptions, clock });
  const pair: Pair = {
    net,
    clock,
    client,
    server,
    clientInner,
    serverInner,
    serverPeer: serverInner.local,
    clientErrors: [],
    serverErrors: [],
    clientGot: [],
    serverGot: [],
  };
  client.onError((e) => pair.clientErrors.push(e));
  server.onError((e) => pair.serverErrors.push(e));
  client.onDatagram((d, peer, channel) => pair.clientGot.push({ text: Buffer.from(d).toString(), peer, channel }));
  server.onDatagram((d, peer, channel) => {
    const text = Buffer.from(d).toString();
    pair.serverGot.push({ text, peer, channel });
    server.send(Buffer.from(`echo:${text}`), peer);
  });
  return pair;
}

/** Runs fake time forward in steps until `done()` or `limitMs` elapsed. */
export async function runUntil(clock: FakeClock, done: () => boolean, limitMs = 120_000, stepMs = 100): Promise<void> {
  await settle();
  for (let t = 0; t < limitMs && !done(); t += stepMs) await clock.tick(stepMs);
}

/** A Transport decorator that drops outgoing datagrams for which `drop` says so (loss injection). */
export class LossyTransport implements Transport {
  readonly #inner: Transport;
  readonly #drop: (data: Uint8Array, peer: Peer) => boolean;
  dropped = 0;

  constructor(inner: Transport, drop: (data: Uint8Array, peer: Peer) => boolean) {
    this.#inner = inner;
    this.#drop = drop;
  }

  get local(): Peer {
    return this.#inner.local;
  }

  send(data: Uint8Array, peer: Peer): void {
    if (this.#drop(data, peer)) {
      this.dropped++;
      return;
    }
    this.#inner.send(data, peer);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#inner.onDatagram(handler);
  }

  onError(handler: TransportErrorHandler): void {
    this.#inner.onError(handler);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * A drop predicate that loses the first copy of every distinct handshake datagram a sender sends
 * (its signature: record types, epochs and handshake message types/seq/offsets), so each flight is
 * lost exactly once and only its retransmission gets through. Application data always passes.
 */
export function firstCopyOfEachFlight(): (data: Uint8Array) => boolean {
  const seen = new Set<string>();
  return (data) => {
    const records = parseRecords(data, 0);
    if (records.length === 0 || records.every((r) => r.type === 23 || r.type === 25)) return false;
    const signature = records
      .map((r) => {
        if (r.type !== 22 || r.epoch !== 0) return `t${r.type}e${r.epoch}`;
        try {
          return parseHandshakeFragments(r.fragment).map((f) => `hs${f.msgType}.${f.messageSeq}.${f.fragmentOffset}`).join('+');
        } catch {
          return 'bad';
        }
      })
      .join(',');
    if (seen.has(signature)) return false;
    seen.add(signature);
    return true;
  };
}

// ---- hello inspection and rewriting (for extension negotiation tests) ------------------------------

/** The extensions of the ClientHello (msgType 1) or ServerHello (2) a datagram carries whole, if any. */
export function helloExtensions(data: Uint8Array, msgType: 1 | 2): Extension[] | undefined {
  for (const r of parseRecords(data, 0)) {
    if (r.type !== 22 || r.epoch !== 0) continue;
    for (const f of parseHandshakeFragments(r.fragment)) {
      if (f.msgType !== msgType || f.fragmentOffset !== 0 || f.body.length !== f.length) continue;
      return [...(msgType === 1 ? decodeClientHello(f.body) : decodeServerHello(f.body)).extensions];
    }
  }
  return undefined;
}

/**
 * Rewrites the extensions of every whole ClientHello (1) or ServerHello (2) in a datagram, as an
 * on-path attacker would; other records pass unchanged. Returns the datagram to deliver.
 */
export function rewriteHello(data: Uint8Array, msgType: 1 | 2, edit: (extensions: Extension[]) => Extension[]): Uint8Array {
  const records = parseRecords(data, 0);
  if (helloExtensions(data, msgType) === undefined) return data;
  return Buffer.concat(
    records.map((r) => {
      if (r.type !== 22 || r.epoch !== 0) return encodeRecord(r.type, r.version, r.epoch, r.seq, r.cid, r.fragment);
      const parts = parseHandshakeFragments(r.fragment).map((f) => {
        if (f.msgType !== msgType || f.fragmentOffset !== 0 || f.body.length !== f.length) {
          return Buffer.concat([encodeHandshakeHeader(f.msgType, f.length, f.messageSeq, f.fragmentOffset, f.body.length), f.body]);
        }
        const body =
          msgType === 1
            ? encodeClientHello((({ extensions, ...h }) => ({ ...h, extensions: edit([...extensions]) }))(decodeClientHello(f.body)))
            : encodeServerHello((({ extensions, ...h }) => ({ ...h, extensions: edit([...extensions]) }))(decodeServerHello(f.body)));
        return encodeHandshakeMessage(msgType, f.messageSeq, body);
      });
      return encodeRecord(r.type, r.version, r.epoch, r.seq, r.cid, Buffer.concat(parts));
    }),
  );
}
