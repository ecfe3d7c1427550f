import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtlsTransport } from '../../../src/transport/dtls/dtls-transport.ts';
import { UdpTransport } from '../../../src/transport/udp.ts';
import type { Peer } from '../../../src/transport/transport.ts';
import { LossyTransport, firstCopyOfEachFlight } from './_support.ts';

const KEY = Buffer.from('secret-key-16byt');

async function roundTrip(address: string): Promise<void> {
  const server = DtlsTransport.server(await UdpTransport.bind({ address }), { psk: new Map([['node', KEY]]) });
  const client = DtlsTransport.client(await UdpTransport.bind({ address }), { psk: { identity: 'node', key: KEY }, connectionId: true });
  try {
    server.onDatagram((d, peer) => {
      server.send(Buffer.concat([Buffer.from('re:'), d]), peer);
    });
    const errors: Error[] = [];
    client.onError((e) => errors.push(e));
    server.onError((e) => errors.push(e));
    const got = new Promise<[string, Peer]>((resolve) => {
      client.onDatagram((d, peer) => {
        resolve([Buffer.from(d).toString(), peer]);
      });
    });
    const target = { address, port: server.local.port };
    client.send(Buffer.from('over real UDP'), target);
    const [text, from] = await got;
    assert.equal(text, 're:over real UDP');
    assert.equal(from.port, server.local.port);
    assert.deepEqual(errors, []);
    assert.equal(client.session(target)?.cipherSuite, 'TLS_PSK_WITH_AES_128_CCM_8');
  } finally {
    await client.close();
    await server.close();
  }
}

test('DTLS over real UDP sockets, IPv4 loopback', () => roundTrip('127.0.0.1'));
test('DTLS over real UDP sockets, IPv6 loopback', () => roundTrip('::1'));

test('a lossy wrapper that drops every flight once still lets the handshake complete over UDP', async () => {
  const serverLoss = new LossyTransport(await UdpTransport.bind({ address: '127.0.0.1' }), firstCopyOfEachFlight());
  const clientLoss = new LossyTransport(await UdpTransport.bind({ address: '127.0.0.1' }), firstCopyOfEachFlight());
  const timing = { retransmitInitialMs: 50, handshakeTimeoutMs: 10_000 };
  const server = DtlsTransport.server(serverLoss, { psk: new Map([['node', KEY]]), ...timing });
  const client = DtlsTransport.client(clientLoss, { psk: { identity: 'node', key: KEY }, ...timing });
  try {
    server.onDatagram((d, peer) => {
      server.send(d, peer);
    });
    const got = new Promise<string>((resolve) => {
      client.onDatagram((d) => {
        resolve(Buffer.from(d).toString());
      });
    });
    client.send(Buffer.from('despite loss'), { address: '127.0.0.1', port: server.local.port });
    assert.equal(await got, 'despite loss');
    // Client: ClientHello, ClientHello+cookie, key exchange flight; server: HelloVerifyRequest, server flight, Finished flight.
    assert.ok(clientLoss.dropped >= 3, `client flights dropped: ${clientLoss.dropped}`);
    assert.ok(serverLoss.dropped >= 3, `server flights dropped: ${serverLoss.dropped}`);
  } finally {
    await client.close();
    await server.close();
  }
});
