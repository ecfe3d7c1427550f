import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { DtlsError } from '../../../src/errors.ts';
import { CipherSuite, type CipherSuiteName } from '../../../src/transport/dtls/cipher-suites.ts';
import { spkiOf } from '../../../src/transport/dtls/credentials.ts';
import { DtlsTransport } from '../../../src/transport/dtls/dtls-transport.ts';
import { parseRecords } from '../../../src/transport/dtls/record.ts';
import { parseHandshakeFragments } from '../../../src/transport/dtls/handshake-fragment.ts';
import { makePair, runUntil, testPki, type Pair } from './_support.ts';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const psk = { client: { psk: { identity: 'device-1', key: KEY } }, server: { psk: new Map([['device-1', KEY]]) } };

async function exchange(p: Pair, text = 'hello'): Promise<void> {
  p.client.send(Buffer.from(text), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0 || p.serverErrors.length > 0);
}

/** Handshake message types the first record of each datagram a side sent, in order (epoch 0 only). */
function handshakeTypes(p: Pair, fromPort: number): number[] {
  const out: number[] = [];
  for (const d of p.net.log) {
    if (d.from.port !== fromPort) continue;
    for (const r of parseRecords(d.data, 0)) if (r.type === 22 && r.epoch === 0) for (const f of parseHandshakeFragments(r.fragment)) out.push(f.msgType);
  }
  return out;
}

for (const suite of ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_PSK_WITH_AES_128_CBC_SHA256'] as const) {
  test(`PSK handshake and data both ways with ${suite}`, async () => {
    const p = makePair(psk.client, { ...psk.server, cipherSuites: [suite] });
    await exchange(p);
    assert.deepEqual(p.clientErrors, []);
    assert.deepEqual(p.serverErrors, []);
    assert.equal(p.serverGot[0]?.text, 'hello');
    assert.deepEqual(p.serverGot[0].channel, { secure: true, pskIdentity: 'device-1' });
    assert.equal(p.clientGot[0]?.text, 'echo:hello');
    const info = p.client.session(p.serverPeer);
    assert.equal(info?.cipherSuite, suite);
    assert.equal(info.extendedMasterSecret, true);
    // Flights: ClientHello, ClientHello+cookie, then the key exchange (RFC 6347 4.2.1 / 4.2.4).
    assert.deepEqual(handshakeTypes(p, p.clientInner.local.port), [1, 1, 16]);
    assert.deepEqual(handshakeTypes(p, p.serverPeer.port), [3, 2, 14]);
    // No application byte ever crosses the wire in the clear.
    assert.ok(p.net.log.every((d) => !Buffer.from(d.data).includes('hello')));
  });
}

const certSuites: CipherSuiteName[] = ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'];
for (const suite of certSuites) {
  test(`X.509 handshake with client authentication, ${suite}`, async () => {
    const pki = testPki();
    const p = makePair(
      { trustedCAs: [pki.caCert], serverName: 'localhost', certificate: { chain: pki.clientCert, privateKey: pki.clientKey }, cipherSuites: [suite] },
      { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert] },
    );
    await exchange(p);
    assert.deepEqual([p.clientErrors, p.serverErrors], [[], []]);
    const serverSeen = p.serverGot[0]?.channel.peerCertificate;
    assert.ok(serverSeen !== undefined && new X509Certificate(serverSeen).subject.includes('device-1'));
    const clientSeen = p.clientGot[0]?.channel.peerCertificate;
    assert.ok(clientSeen !== undefined && new X509Certificate(clientSeen).subject.includes('CN=localhost'));
    assert.equal(p.client.session(p.serverPeer)?.cipherSuite, suite);
  });
}

test('raw public keys (RFC 7250) authenticate both sides', async () => {
  const s = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const c = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p = makePair(
    { rawPublicKey: { privateKey: c.privateKey, trustedPeerKeys: [s.publicKey] } },
    { rawPublicKey: { privateKey: s.privateKey, trustedPeerKeys: [spkiOf(c.publicKey)] } },
  );
  await exchange(p);
  assert.deepEqual([p.clientErrors, p.serverErrors], [[], []]);
  assert.deepEqual(p.serverGot[0]?.channel.rawPublicKey, spkiOf(c.publicKey));
  assert.deepEqual(p.clientGot[0]?.channel.rawPublicKey, spkiOf(s.publicKey));
  assert.equal(p.client.session(p.serverPeer)?.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
});

test('an untrusted raw public key is refused with bad_certificate', async () => {
  const s = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const c = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p = makePair(
    { rawPublicKey: { privateKey: c.privateKey, trustedPeerKeys: [stranger.publicKey] } },
    { rawPublicKey: { privateKey: s.privateKey, trustedPeerKeys: [c.publicKey] } },
  );
  await exchange(p);
  assert.equal((p.clientErrors[0] as DtlsError | undefined)?.alert, 42);
  assert.equal((p.serverErrors[0] as DtlsError | undefined)?.alert, 42, 'the server learns it from the fatal alert');
  assert.equal(p.serverGot.length, 0);
});

test('the suite list (LwM2M /0/x/16 IANA numbers) restricts negotiation', async () => {
  const p = makePair(
    { ...psk.client, cipherSuites: [CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256] },
    { ...psk.server, cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_PSK_WITH_AES_128_CBC_SHA256'] },
  );
  await exchange(p);
  assert.equal(p.client.session(p.serverPeer)?.cipherSuite, 'TLS_PSK_WITH_AES_128_CBC_SHA256');
});

test('no suite in common fails both sides with handshake_failure', async () => {
  const p = makePair({ ...psk.client, cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] }, { ...psk.server, cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'] });
  const connected = p.client.connect(p.serverPeer);
  await assert.rejects(connected, (e: unknown) => e instanceof DtlsError && e.alert === 40);
  assert.equal((p.serverErrors[0] as DtlsError | undefined)?.alert, 40);
});

test('a wrong PSK fails fast with bad_record_mac on both sides; no data is delivered', async () => {
  const p = makePair({ psk: { identity: 'device-1', key: Buffer.alloc(16, 9) } }, psk.server);
  await exchange(p);
  const se = p.serverErrors[0] as DtlsError | undefined;
  const ce = p.clientErrors[0] as DtlsError | undefined;
  assert.equal(se?.alert, 20);
  assert.match(se.message, /wrong key for PSK identity "device-1"/);
  assert.equal(ce?.alert, 20);
  assert.equal(p.clock.now() < 1000, true, 'before any retransmission');
  assert.deepEqual([p.serverGot, p.clientGot], [[], []]);
  assert.equal(p.server.connectionCount, 0);
  assert.equal(p.client.connectionCount, 0);
});

test('an unknown PSK identity looks like a wrong key to the client (RFC 4279 2), but is named locally', async () => {
  const p = makePair({ psk: { identity: 'nobody', key: KEY } }, psk.server);
  await exchange(p);
  assert.match(p.serverErrors[0]?.message ?? '', /unknown PSK identity "nobody"/);
  assert.equal((p.clientErrors[0] as DtlsError | undefined)?.alert, 20);
});

test('a PSK lookup function sees identity and peer; a client PSK callback sees the identity hint', async () => {
  const seen: string[] = [];
  const p = makePair(
    { psk: (hint) => ({ identity: `for-${hint?.toString() ?? 'none'}`, key: KEY }) },
    { pskIdentityHint: 'hint-1', psk: (identity, peer) => { seen.push(`${identity}@${peer.address}`); return KEY; } },
  );
  await exchange(p);
  assert.deepEqual(seen, ['for-hint-1@10.0.0.2']);
  assert.equal(p.serverGot[0]?.channel.pskIdentity, 'for-hint-1');
});

test('certificate failures: wrong CA, expired, host name, pinning, missing client certificate, authorize()', async (t) => {
  const pki = testPki();
  const server = { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey } };
  const cases: { name: string; client: Parameters<typeof makePair>[0]; server: Parameters<typeof makePair>[1]; clientAlert: number; serverAlert: number }[] = [
    { name: 'server chain from another CA', client: { trustedCAs: [pki.otherCaCert] }, server, clientAlert: 48, serverAlert: 48 },
    {
      name: 'expired server certificate',
      client: { trustedCAs: [pki.caCert] },
      server: { certificate: { chain: pki.expiredServerCert, privateKey: pki.expiredServerKey } },
      clientAlert: 45,
      serverAlert: 45,
    },
    { name: 'host name mismatch', client: { trustedCAs: [pki.caCert], serverName: 'other.example' }, server, clientAlert: 42, serverAlert: 42 },
    { name: 'pinned certificate differs', client: { pinnedServerCertificate: pki.selfSignedCert }, server, clientAlert: 42, serverAlert: 42 },
    {
      name: 'client certificate required but none sent',
      client: { trustedCAs: [pki.caCert] },
      server: { ...server, trustedCAs: [pki.caCert] },
      clientAlert: 40,
      serverAlert: 40,
    },
    {
      name: 'client certificate from an untrusted CA',
      client: { trustedCAs: [pki.caCert], certificate: { chain: pki.otherServerCert, privateKey: pki.otherServerKey } },
      server: { ...server, trustedCAs: [pki.caCert] },
      clientAlert: 48,
      serverAlert: 48,
    },
    {
      name: 'authorize() refuses the client',
      client: { trustedCAs: [pki.caCert], certificate: { chain: pki.clientCert, privateKey: pki.clientKey } },
      server: { ...server, trustedCAs: [pki.caCert], authorize: (peer) => peer.peerCertificate === undefined },
      clientAlert: 49,
      serverAlert: 49,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const p = makePair(c.client, c.server);
      await exchange(p);
      assert.equal((p.clientErrors[0] as DtlsError | undefined)?.alert, c.clientAlert, p.clientErrors[0]?.message);
      assert.equal((p.serverErrors[0] as DtlsError | undefined)?.alert, c.serverAlert, p.serverErrors[0]?.message);
      assert.deepEqual([p.serverGot, p.clientGot], [[], []]);
    });
  }
});

test('a pinned self-signed server certificate is accepted without a CA', async () => {
  const pki = testPki();
  const p = makePair({ pinnedServerCertificate: pki.selfSignedCert }, { certificate: { chain: pki.selfSignedCert, privateKey: pki.selfSignedKey } });
  await exchange(p);
  assert.equal(p.clientGot[0]?.text, 'echo:hello');
});

test('the server keeps no state before the cookie returns (RFC 6347 4.2.1)', async () => {
  const p = makePair(psk.client, psk.server);
  let answers = 0;
  p.net.filter = (d) => {
    if (d.to.port !== p.clientInner.local.port) return true;
    answers++;
    return false; // the client never hears back
  };
  p.client.send(Buffer.from('x'), p.serverPeer);
  await runUntil(p.clock, () => false, 10_000);
  assert.equal(p.server.connectionCount, 0);
  const hellos = p.net.log.filter((d) => d.from.port === p.clientInner.local.port).length;
  assert.equal(hellos, 4, 'ClientHello at 0, 1, 3 and 7 s');
  assert.equal(answers, hellos, 'each ClientHello got a HelloVerifyRequest');
});

test('the server without cookie exchange answers the first ClientHello directly', async () => {
  const p = makePair(psk.client, { ...psk.server, cookieExchange: false });
  await exchange(p);
  assert.deepEqual(handshakeTypes(p, p.serverPeer.port), [2, 14]);
  assert.equal(p.clientGot[0]?.text, 'echo:hello');
});

test('datagrams sent during the handshake are queued and delivered in order', async () => {
  const p = makePair(psk.client, psk.server);
  for (const t of ['a', 'b', 'c']) p.client.send(Buffer.from(t), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length === 3);
  assert.deepEqual(p.serverGot.map((r) => r.text), ['a', 'b', 'c']);
});

test('too many queued datagrams are refused with a DtlsError', async () => {
  const p = makePair({ ...psk.client, maxQueuedDatagrams: 2 }, psk.server);
  for (const t of ['a', 'b', 'c']) p.client.send(Buffer.from(t), p.serverPeer);
  assert.match(p.clientErrors[0]?.message ?? '', /too many datagrams queued/);
  await runUntil(p.clock, () => p.clientGot.length === 2);
  assert.deepEqual(p.serverGot.map((r) => r.text), ['a', 'b']);
});

test('a server cannot send to a peer without a session', () => {
  const p = makePair(psk.client, psk.server);
  p.server.send(Buffer.from('x'), { address: '10.9.9.9', port: 1 });
  assert.ok(p.serverErrors[0] instanceof DtlsError);
  assert.match(p.serverErrors[0].message, /no DTLS session/);
});

test('invalid options are a TypeError at construction', () => {
  const pki = testPki();
  const inner = makePair(psk.client, psk.server).clientInner;
  assert.throws(() => DtlsTransport.client(inner, {}), TypeError);
  assert.throws(() => DtlsTransport.server(inner, {}), TypeError);
  assert.throws(() => DtlsTransport.server(inner, { certificate: { chain: pki.serverCert, privateKey: pki.clientKey } }), /does not match/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.throws(() => DtlsTransport.client(inner, { rawPublicKey: { privateKey: rsa.privateKey, trustedPeerKeys: [] }, authorize: () => true }), /P-256/);
  assert.throws(() => DtlsTransport.client(inner, { ...psk.client, mtu: 10 }), /mtu/);
  assert.throws(() => DtlsTransport.client(inner, { ...psk.client, cipherSuites: [0x1234] }), /no usable cipher suite/);
});
