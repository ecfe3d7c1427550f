import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DtlsTransport } from '../../../src/transport/dtls/dtls-transport.ts';
import { parseRecords } from '../../../src/transport/dtls/record.ts';
import { makePair, runUntil, testPki } from './_support.ts';

const KEY = Buffer.alloc(16, 0x17);
const psk = { client: { psk: { identity: 'dev', key: KEY } }, server: { psk: new Map([['dev', KEY]]) } };

test('a client whose source port changes keeps its session through the connection ID (RFC 9146)', async () => {
  const p = makePair({ ...psk.client, connectionId: true }, psk.server);
  const moves: string[] = [];
  p.server.onPeerMoved((from, to) => moves.push(`${from.port}->${to.port}`));
  p.client.send(Buffer.from('before'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  const info = p.client.session(p.serverPeer);
  assert.equal(info?.connectionId.peer?.length, 6, 'the server issued a 6-byte CID');
  assert.equal(info.connectionId.own, undefined, 'the client asked for none');
  const handshakes = p.net.log.length;

  p.clientInner.rebind(50001); // NAT rebinding
  p.client.send(Buffer.from('after'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 2);
  assert.deepEqual(p.serverGot.map((r) => `${r.text}@${r.peer.port}`), ['before@50000', 'after@50001']);
  assert.deepEqual(moves, ['50000->50001']);
  assert.equal(p.clientGot[1]?.text, 'echo:after', 'the answer reached the new port');
  const newRecords = p.net.log.slice(handshakes).flatMap((d) => parseRecords(d.data, d.to.port === p.serverPeer.port ? 6 : 0));
  assert.ok(newRecords.every((r) => r.type === 25 || r.type === 23), 'no new handshake');
  assert.ok(newRecords.some((r) => r.type === 25), 'client records carry the CID (tls12_cid)');
  assert.equal(p.server.connectionCount, 1);
});

test('a connection-ID record replayed from another address neither delivers nor moves the session', async () => {
  const p = makePair({ ...psk.client, connectionId: true }, psk.server);
  p.client.send(Buffer.from('x'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  const cidRecord = p.net.log.find((d) => d.from.port === 50000 && parseRecords(d.data, 6)[0]?.type === 25)!;
  // The same authenticated record replayed from elsewhere must not move the connection.
  const attacker = p.net.endpoint('10.6.6.6', 666);
  attacker.send(cidRecord.data, p.serverPeer);
  await runUntil(p.clock, () => false, 500);
  assert.equal(p.serverGot.length, 1);
  assert.equal(p.server.session({ address: '10.0.0.2', port: 50000 })?.peer.port, 50000);
});

test('without connection IDs a port change means a new handshake', async () => {
  const p = makePair(psk.client, psk.server);
  p.client.send(Buffer.from('before'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  p.clientInner.rebind(50001);
  p.client.send(Buffer.from('lost'), p.serverPeer);
  await runUntil(p.clock, () => false, 1000);
  assert.deepEqual(p.serverGot.map((r) => r.text), ['before'], 'the server does not know the new address');
});

test('sessions resume with the abbreviated handshake after close_notify', async () => {
  const p = makePair(psk.client, psk.server);
  const first = await p.client.connect(p.serverPeer);
  assert.equal(first.resumed, false);
  p.client.closePeer(p.serverPeer);
  await runUntil(p.clock, () => p.server.connectionCount === 0);
  const before = p.net.log.length;
  const second = await p.client.connect(p.serverPeer);
  assert.equal(second.resumed, true);
  assert.equal(second.channel.pskIdentity, 'dev');
  // CH, HVR, CH+cookie, SH+CCS+Finished, CCS+Finished: 5 datagrams instead of 6.
  assert.equal(p.net.log.length - before, 5);
  p.client.send(Buffer.from('resumed'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  assert.deepEqual(p.serverGot[0]?.channel, { secure: true, pskIdentity: 'dev' });
});

test('certificate sessions resume with the peer identity of the full handshake', async () => {
  const pki = testPki();
  const p = makePair(
    { trustedCAs: [pki.caCert], certificate: { chain: pki.clientCert, privateKey: pki.clientKey } },
    { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert] },
  );
  const first = await p.client.connect(p.serverPeer);
  p.client.closePeer(p.serverPeer);
  await runUntil(p.clock, () => p.server.connectionCount === 0);
  const second = await p.client.connect(p.serverPeer);
  assert.equal(second.resumed, true);
  assert.deepEqual(second.channel.peerCertificate, first.channel.peerCertificate);
  p.client.send(Buffer.from('r'), p.serverPeer);
  await runUntil(p.clock, () => p.serverGot.length === 1);
  assert.ok(p.serverGot[0]?.channel.peerCertificate !== undefined);
});

test('resumption can be disabled on either side', async () => {
  for (const [c, s] of [[{ resumeSessions: false }, {}], [{}, { sessionCacheSize: 0 }]] as const) {
    const p = makePair({ ...psk.client, ...c }, { ...psk.server, ...s });
    await p.client.connect(p.serverPeer);
    p.client.closePeer(p.serverPeer);
    await runUntil(p.clock, () => p.server.connectionCount === 0);
    assert.equal((await p.client.connect(p.serverPeer)).resumed, false);
  }
});

test('a session expires after sessionLifetimeMs', async () => {
  const p = makePair(psk.client, { ...psk.server, sessionLifetimeMs: 60_000 });
  await p.client.connect(p.serverPeer);
  p.client.closePeer(p.serverPeer);
  await runUntil(p.clock, () => false, 61_000, 1000);
  assert.equal((await p.client.connect(p.serverPeer)).resumed, false);
});

test('a client that lost its state handshakes again from the same address; the old session is replaced', async () => {
  const p = makePair(psk.client, psk.server);
  p.client.send(Buffer.from('first life'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  // "Reboot": a new client transport on the same address and port, without the old state.
  await p.clientInner.close();
  const inner = p.net.endpoint('10.0.0.2', 50000);
  const reborn = DtlsTransport.client(inner, { ...psk.client, clock: p.clock });
  const got: string[] = [];
  reborn.onDatagram((d) => got.push(Buffer.from(d).toString()));
  reborn.send(Buffer.from('second life'), p.serverPeer);
  await runUntil(p.clock, () => got.length === 1);
  assert.deepEqual(got, ['echo:second life']);
  assert.equal(p.server.connectionCount, 1);
});

test('close() sends close_notify; the server forgets the peer', async () => {
  const p = makePair(psk.client, psk.server);
  await p.client.connect(p.serverPeer);
  assert.equal(p.server.connectionCount, 1);
  await p.client.close();
  await runUntil(p.clock, () => p.server.connectionCount === 0);
  assert.equal(p.server.connectionCount, 0);
  assert.deepEqual(p.serverErrors, []);
  assert.equal(p.clock.pending, 0);
});

test('the server drops its least recently active session beyond maxConnections', async () => {
  const p = makePair(psk.client, { ...psk.server, maxConnections: 2 });
  const clients = [0, 1, 2].map((i) => DtlsTransport.client(p.net.endpoint('10.0.1.1', 6000 + i), { ...psk.client, clock: p.clock }));
  for (const c of clients) {
    await c.connect(p.serverPeer);
    await p.clock.tick(1000);
  }
  assert.equal(p.server.connectionCount, 2);
  assert.equal(p.server.session({ address: '10.0.1.1', port: 6000 }), undefined, 'the oldest was evicted');
  assert.ok(p.server.session({ address: '10.0.1.1', port: 6002 }) !== undefined);
});

test('abort signals end a pending connect()', async () => {
  const p = makePair(psk.client, psk.server);
  p.net.filter = () => false;
  const ac = new AbortController();
  const pending = p.client.connect(p.serverPeer, { signal: ac.signal });
  ac.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
});

test('a raw-public-key client resumes too', async () => {
  const s = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const c = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p = makePair(
    { rawPublicKey: { privateKey: c.privateKey, trustedPeerKeys: [s.publicKey] } },
    { rawPublicKey: { privateKey: s.privateKey, trustedPeerKeys: [c.publicKey] } },
  );
  await p.client.connect(p.serverPeer);
  p.client.closePeer(p.serverPeer);
  await runUntil(p.clock, () => p.server.connectionCount === 0);
  const again = await p.client.connect(p.serverPeer);
  assert.equal(again.resumed, true);
  assert.ok(again.channel.rawPublicKey !== undefined);
});

test('connection IDs in both directions: a client that asks for its own CID gets tls12_cid records too', async () => {
  const p = makePair({ ...psk.client, connectionIdLength: 4 }, { ...psk.server, connectionIdLength: 5 });
  p.client.send(Buffer.from('cid both ways'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  const info = p.client.session(p.serverPeer)!;
  assert.deepEqual([info.connectionId.own?.length, info.connectionId.peer?.length], [4, 5]);
  const toClient = p.net.log.filter((d) => d.to.port === 50000).flatMap((d) => parseRecords(d.data, 4));
  const toServer = p.net.log.filter((d) => d.to.port === p.serverPeer.port).flatMap((d) => parseRecords(d.data, 5));
  assert.ok(toClient.some((r) => r.type === 25 && r.cid?.equals(Buffer.from(info.connectionId.own!))), 'server -> client records carry the client CID');
  assert.ok(toServer.some((r) => r.type === 25 && r.cid?.equals(Buffer.from(info.connectionId.peer!))), 'client -> server records carry the server CID');
  assert.ok(!toClient.some((r) => r.epoch > 0 && r.type !== 25), 'no protected record without the CID');
  assert.equal(p.clientGot[0]?.text, 'echo:cid both ways');
});

test('a server that does not issue CIDs still sends with the client CID', async () => {
  const p = makePair({ ...psk.client, connectionIdLength: 4 }, { ...psk.server, connectionIdLength: 0 });
  p.client.send(Buffer.from('half'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 1);
  const info = p.client.session(p.serverPeer)!;
  assert.deepEqual([info.connectionId.own?.length, info.connectionId.peer], [4, undefined]);
  const toClient = p.net.log.filter((d) => d.to.port === 50000).flatMap((d) => parseRecords(d.data, 4));
  assert.ok(toClient.some((r) => r.type === 25));
});
