/**
 * OpenSSL interop scaffolding: `openssl s_server -dtls1_2` on a free loopback port, and our DTLS
 * client and server collecting what they receive (the server echoes "node saw ..." back).
 */
import { DtlsError } from '../../src/errors.ts';
import { DtlsTransport, type DtlsSessionInfo } from '../../src/transport/dtls/dtls-transport.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../src/transport/dtls/options.ts';
import type { Peer } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { Peer3p, freeUdpPort } from '../transport/dtls/_support.ts';

/** Starts `openssl s_server -dtls1_2` on a free loopback port and waits until it listens. */
export async function sServer(args: string[], env?: Record<string, string>): Promise<{ proc: Peer3p; peer: Peer }> {
  const port = await freeUdpPort();
  const proc = new Peer3p('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...args], env);
  await proc.waitFor('ACCEPT', 5000, 'stdout');
  return { proc, peer: { address: '127.0.0.1', port } };
}

export async function ourClient(options: DtlsClientOptions): Promise<{ client: DtlsTransport; got: string[]; errors: DtlsError[] }> {
  const client = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { handshakeTimeoutMs: 5000, ...options });
  const got: string[] = [];
  const errors: DtlsError[] = [];
  client.onDatagram((d) => got.push(Buffer.from(d).toString()));
  client.onError((e) => errors.push(e instanceof DtlsError ? e : new DtlsError(e.message, { cause: e })));
  return { client, got, errors };
}

/** Our DTLS server on loopback: what it received, its errors, and each handshake's session info. */
export async function ourServer(options: DtlsServerOptions): Promise<{ server: DtlsTransport; got: string[]; errors: DtlsError[]; sessions: DtlsSessionInfo[] }> {
  const server = DtlsTransport.server(await UdpTransport.bind({ address: '127.0.0.1' }), { handshakeTimeoutMs: 5000, ...options });
  const got: string[] = [];
  const errors: DtlsError[] = [];
  const sessions: DtlsSessionInfo[] = [];
  server.onDatagram((d, peer) => {
    const text = Buffer.from(d).toString();
    got.push(text);
    server.send(Buffer.from(`node saw ${text.trim()}\n`), peer);
  });
  server.onError((e) => errors.push(e instanceof DtlsError ? e : new DtlsError(e.message, { cause: e })));
  server.onHandshake((_peer, info) => sessions.push(info));
  return { server, got, errors, sessions };
}

/** Polls `cond` every 10 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
