import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtlsError } from '../../../src/errors.ts';
import { parseRecords } from '../../../src/transport/dtls/record.ts';
import { firstCopyOfEachFlight, makePair, MemoryNetwork, runUntil, testPki, type Delivery } from './_support.ts';

const KEY = Buffer.alloc(16, 0x42);
const psk = { client: { psk: { identity: 'dev', key: KEY } }, server: { psk: new Map([['dev', KEY]]) } };

test('flight retransmission doubles its timer and the handshake gives up at handshakeTimeoutMs (RFC 6347 4.2.4)', async () => {
  const net = new MemoryNetwork();
  const sentAt: number[] = [];
  const p = makePair({ ...psk.client, handshakeTimeoutMs: 40_000 }, psk.server, net);
  net.filter = (d) => {
    if (d.from.port === p.clientInner.local.port) sentAt.push(p.clock.now());
    return false; // a black hole
  };
  p.client.send(Buffer.from('never'), p.serverPeer);
  const failed = assert.rejects(p.client.connect(p.serverPeer), DtlsError);
  await runUntil(p.clock, () => p.clientErrors.length > 0, 60_000, 250);
  assert.deepEqual(sentAt, [0, 1000, 3000, 7000, 15000, 31000]);
  assert.equal(p.clock.now(), 40_000);
  assert.ok(p.clientErrors[0] instanceof DtlsError);
  assert.match(p.clientErrors[0].message, /timed out after 40000 ms/);
  await failed;
  assert.equal(p.clock.pending, 0, 'no timer is left behind');
  assert.equal(p.client.connectionCount, 0);
});

test('the retransmission timer is capped at retransmitMaxMs', async () => {
  const net = new MemoryNetwork();
  const sentAt: number[] = [];
  const p = makePair({ ...psk.client, retransmitInitialMs: 500, retransmitMaxMs: 3000, handshakeTimeoutMs: 12_000 }, psk.server, net);
  net.filter = (d) => {
    if (d.from.port === p.clientInner.local.port) sentAt.push(p.clock.now());
    return false;
  };
  p.client.send(Buffer.from('x'), p.serverPeer);
  await runUntil(p.clock, () => p.clientErrors.length > 0, 20_000, 250);
  assert.deepEqual(sentAt, [0, 500, 1500, 3500, 6500, 9500]);
});

/** Drops the first copy of every distinct handshake datagram of each sender: each flight is lost once. */
function dropEachFlightOnce(): { filter: (d: Delivery) => boolean; dropped: string[] } {
  const perSender = new Map<number, (data: Uint8Array) => boolean>();
  const dropped: string[] = [];
  return {
    dropped,
    filter: (d) => {
      let drop = perSender.get(d.from.port);
      if (drop === undefined) {
        drop = firstCopyOfEachFlight();
        perSender.set(d.from.port, drop);
      }
      if (!drop(d.data)) return true;
      dropped.push(`${d.from.port}>${d.to.port}`);
      return false;
    },
  };
}

test('a handshake completes when every flight is lost once (PSK)', async () => {
  const loss = dropEachFlightOnce();
  const p = makePair(psk.client, psk.server, new MemoryNetwork(loss.filter));
  p.client.send(Buffer.from('through loss'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
  assert.deepEqual([p.clientErrors, p.serverErrors], [[], []]);
  assert.equal(p.clientGot[0]?.text, 'echo:through loss');
  // Flights 1..6 were each dropped once (2 and 1 again after the first ClientHello retry).
  assert.ok(loss.dropped.length >= 6, loss.dropped.join(' '));
  assert.ok(p.clock.now() < 30_000, `completed at ${p.clock.now()} ms`);
});

test('a fragmented certificate handshake completes when every flight is lost once', async () => {
  const pki = testPki();
  const loss = dropEachFlightOnce();
  const sizes: number[] = [];
  const net = new MemoryNetwork((d) => {
    sizes.push(d.data.length);
    return loss.filter(d);
  });
  const p = makePair(
    { trustedCAs: [pki.caCert], serverName: 'localhost', certificate: { chain: pki.clientCert, privateKey: pki.clientKey }, mtu: 300 },
    { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert], mtu: 300 },
    net,
  );
  p.client.send(Buffer.from('cert'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
  assert.deepEqual([p.clientErrors, p.serverErrors], [[], []]);
  assert.equal(p.clientGot[0]?.text, 'echo:cert');
  assert.ok(Math.max(...sizes) <= 300, `largest datagram ${Math.max(...sizes)}`);
  assert.ok(sizes.length > 12, 'the certificate flights were fragmented');
});

test('a resumed handshake completes when every flight is lost once', async () => {
  const p = makePair(psk.client, psk.server);
  await p.client.connect(p.serverPeer);
  p.client.closePeer(p.serverPeer);
  await runUntil(p.clock, () => p.server.connectionCount === 0);
  const loss = dropEachFlightOnce();
  p.net.filter = loss.filter;
  p.client.send(Buffer.from('again'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
  assert.equal(p.clientGot[0]?.text, 'echo:again');
  assert.equal(p.client.session(p.serverPeer)?.resumed, true);
});

test('reordered and duplicated datagrams do not disturb the handshake', async () => {
  const net = new MemoryNetwork();
  const p = makePair(psk.client, psk.server, net);
  // Deliver every datagram twice, the copy after the next datagram.
  let held: Delivery | undefined;
  net.filter = (d) => {
    const prev = held;
    held = d;
    if (prev !== undefined) {
      const target = prev.to.port === p.serverPeer.port ? p.serverInner : p.clientInner;
      queueMicrotask(() => {
        target.deliver(prev.data, prev.from);
      });
    }
    return true;
  };
  p.client.send(Buffer.from('dup'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
  assert.deepEqual([p.clientErrors, p.serverErrors], [[], []]);
  assert.deepEqual(p.serverGot.map((r) => r.text), ['dup'], 'a replayed application record is delivered once');
});

test('application data is never accepted in the clear, and a replayed record is dropped', async () => {
  const p = makePair(psk.client, psk.server);
  p.client.send(Buffer.from('one'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0);
  const appRecord = p.net.log.find((d) => d.from.port === p.clientInner.local.port && parseRecords(d.data, 0)[0]?.type === 23)!;
  p.clientInner.send(appRecord.data, p.serverPeer); // replay
  // A plaintext (epoch 0) application record with the same content.
  const plain = Buffer.concat([Buffer.from('17fefd0000000000000099', 'hex'), Buffer.from([0, 5]), Buffer.from('forge')]);
  p.clientInner.send(plain, p.serverPeer);
  await runUntil(p.clock, () => false, 2000);
  assert.deepEqual(p.serverGot.map((r) => r.text), ['one']);
});
