/**
 * Encrypt-then-MAC (RFC 7366): the record protection against known answers computed here from the
 * RFC's definition with node:crypto primitives, tampering, and the negotiation in both roles
 * (offer, echo, AEAD suites, the disable switch, resumption keeping the session's setting).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DtlsError } from '../../../src/errors.ts';
import { CbcEtmProtection, CbcHmacProtection } from '../../../src/transport/dtls/record-protection.ts';
import { cidAad, encodeInnerPlaintext, parseRecords, plainAad, sequenceBytes } from '../../../src/transport/dtls/record.ts';
import type { CipherSuiteName } from '../../../src/transport/dtls/cipher-suites.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../../src/transport/dtls/options.ts';
import { helloExtensions, makePair, rewriteHello, runUntil, type Pair } from './_support.ts';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const MAC_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x20 + i));
const IV = Buffer.from(Array.from({ length: 16 }, (_, i) => 0xa0 + i));
const PLAIN = Buffer.from('GET /3/0/0 over DTLS');

/** RFC 7366 3 spelled out: IV || ENC(content || padding || padding_length) || MAC(header(len(IV||C)) || IV || C). */
function etmByHand(key: Buffer, macKey: Buffer, iv: Buffer, header: (length: number) => Buffer, plain: Buffer): Buffer {
  const padLength = 15 - (plain.length % 16);
  const c = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const ciphertext = Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(padLength + 1, padLength)])), c.final()]);
  const mac = createHmac('sha256', macKey).update(header(iv.length + ciphertext.length)).update(iv).update(ciphertext).digest();
  return Buffer.concat([iv, ciphertext, mac]);
}

/** seq_num || type || version || length (RFC 5246 6.2.3.1 with the DTLS epoch + sequence number). */
function plainHeader(epoch: number, seq: number, type: number): (length: number) => Buffer {
  return (length) => {
    const h = Buffer.alloc(13);
    h.writeUInt16BE(epoch, 0);
    h.writeUIntBE(seq, 2, 6);
    h[8] = type;
    h.writeUInt16BE(0xfefd, 9);
    h.writeUInt16BE(length, 11);
    return h;
  };
}

test('EtM record protection: known answer for a plain record (RFC 7366 3)', () => {
  const p = new CbcEtmProtection(KEY, MAC_KEY, () => IV);
  const sealed = p.seal(sequenceBytes(1, 5), plainAad(1, 5, 23, 0xfefd), PLAIN);
  const expected = etmByHand(KEY, MAC_KEY, IV, plainHeader(1, 5, 23), PLAIN);
  assert.equal(sealed.toString('hex'), expected.toString('hex'));
  // The same vector, pinned: 20 bytes + 12 of padding = 2 blocks; the MAC covers length 0x0030 (IV + 32).
  assert.equal(
    sealed.toString('hex'),
    'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' +
      'a1fd8ada1e9757af6c39dd459d8b90f992255831a951c8381177327f08a9fe9d' +
      '3b1da27ea771f1fd2bac7f37073d058bde817355d572a0e0e3b6c06ba8fc76aa',
  );
  assert.deepEqual(p.open(plainAad(1, 5, 23, 0xfefd), sealed), PLAIN);
});

test('EtM record protection: known answer for a connection ID record (RFC 9146 5 additional data)', () => {
  const cid = Buffer.from('c1d2c3d4', 'hex');
  const inner = encodeInnerPlaintext(23, PLAIN);
  const header = (length: number): Buffer =>
    Buffer.concat([
      Buffer.alloc(8, 0xff),
      Buffer.from([25, cid.length, 25, 0xfe, 0xfd, 0x00, 0x01, 0, 0, 0, 0, 0, 7]),
      cid,
      Buffer.from([length >> 8, length & 0xff]),
    ]);
  const p = new CbcEtmProtection(KEY, MAC_KEY, () => IV);
  const sealed = p.seal(sequenceBytes(1, 7), cidAad(1, 7, 0xfefd, cid), inner);
  assert.deepEqual(sealed, etmByHand(KEY, MAC_KEY, IV, header, inner));
  assert.deepEqual(p.open(cidAad(1, 7, 0xfefd, cid), sealed), inner);
  assert.equal(p.open(cidAad(1, 7, 0xfefd, Buffer.from('c1d2c3d5', 'hex')), sealed), undefined, 'another CID does not authenticate');
});

test('EtM record protection: any plaintext round-trips in the RFC 7366 layout, within the stated overhead', () => {
  const key = randomBytes(16);
  const macKey = randomBytes(32);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(2 ** 32), (bytes, ivBytes, seq) => {
      const plain = Buffer.from(bytes);
      const iv = Buffer.from(ivBytes);
      const p = new CbcEtmProtection(key, macKey, () => iv);
      const aad = plainAad(1, seq, 23, 0xfefd);
      const sealed = p.seal(sequenceBytes(1, seq), aad, plain);
      assert.deepEqual(sealed, etmByHand(key, macKey, iv, plainHeader(1, seq, 23), plain));
      assert.ok(sealed.length - plain.length <= p.overhead(plain.length));
      assert.ok(p.overhead(plain.length) <= p.overhead(0), 'the record layer budgets overhead(0) per record');
      assert.deepEqual(p.open(aad, sealed), plain);
    }),
    { numRuns: 80 },
  );
});

test('EtM record protection: every altered byte, a wrong header, truncation and bad padding are rejected', () => {
  const p = new CbcEtmProtection(KEY, MAC_KEY, () => IV);
  const aad = plainAad(1, 5, 23, 0xfefd);
  const sealed = p.seal(sequenceBytes(1, 5), aad, PLAIN);
  for (let i = 0; i < sealed.length; i++) {
    const bad = Buffer.from(sealed);
    bad[i]! ^= 0x01;
    assert.equal(p.open(aad, bad), undefined, `byte ${i} altered`);
  }
  assert.equal(p.open(plainAad(1, 6, 23, 0xfefd), sealed), undefined, 'another sequence number');
  assert.equal(p.open(plainAad(1, 5, 22, 0xfefd), sealed), undefined, 'another content type');
  assert.equal(p.open(aad, sealed.subarray(0, sealed.length - 1)), undefined, 'truncated MAC');
  assert.equal(p.open(aad, sealed.subarray(16)), undefined, 'IV removed');
  assert.equal(p.open(aad, Buffer.alloc(0)), undefined);
  assert.equal(p.open(aad, Buffer.alloc(48)), undefined, 'too short for IV, a block and a MAC');

  // A correctly MACed record whose padding is inconsistent is still dropped.
  const c = createCipheriv('aes-128-cbc', KEY, IV).setAutoPadding(false);
  const block = Buffer.from('0123456789abcd\x05\x03', 'latin1'); // padding_length 3, but the padding bytes are not all 3
  const ciphertext = Buffer.concat([c.update(block), c.final()]);
  const forged = Buffer.concat([IV, ciphertext, createHmac('sha256', MAC_KEY).update(aad(32)).update(IV).update(ciphertext).digest()]);
  assert.equal(p.open(aad, forged), undefined);

  // MAC-then-encrypt and encrypt-then-MAC records are not interchangeable.
  const mte = new CbcHmacProtection(KEY, MAC_KEY);
  assert.equal(mte.open(aad, sealed), undefined);
  assert.equal(p.open(aad, mte.seal(sequenceBytes(1, 5), aad, PLAIN)), undefined);
});

// ---- negotiation -------------------------------------------------------------------------------

const PSK = Buffer.alloc(16, 0x42);
const CBC: CipherSuiteName = 'TLS_PSK_WITH_AES_128_CBC_SHA256';
const CCM8: CipherSuiteName = 'TLS_PSK_WITH_AES_128_CCM_8';
const client = (extra: Omit<DtlsClientOptions, 'psk'> = {}): Omit<DtlsClientOptions, 'clock'> => ({ psk: { identity: 'dev', key: PSK }, cipherSuites: [CBC], ...extra });
const server = (extra: Omit<DtlsServerOptions, 'psk'> = {}): Omit<DtlsServerOptions, 'clock'> => ({ psk: new Map([['dev', PSK]]), ...extra });

const ETM = 22;
const has = (extensions: { type: number; data: Buffer }[] | undefined, type: number): boolean | undefined => extensions?.some((e) => e.type === type && e.data.length === 0);
const clientHellos = (p: Pair): ReturnType<typeof helloExtensions>[] => p.net.log.map((d) => helloExtensions(d.data, 1)).filter((h) => h !== undefined);
const serverHellos = (p: Pair): ReturnType<typeof helloExtensions>[] => p.net.log.map((d) => helloExtensions(d.data, 2)).filter((h) => h !== undefined);

async function exchange(p: Pair, text: string): Promise<void> {
  const before = p.clientGot.length;
  p.client.send(Buffer.from(text), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > before || p.clientErrors.length > 0);
  assert.deepEqual(p.clientErrors, []);
  assert.equal(p.clientGot.at(-1)?.text, `echo:${text}`);
}

const cases: { name: string; client: Omit<DtlsClientOptions, 'clock'>; server: Omit<DtlsServerOptions, 'clock'>; offered: boolean; echoed: boolean; suite: CipherSuiteName }[] = [
  { name: 'CBC suite, both willing: negotiated', client: client(), server: server(), offered: true, echoed: true, suite: CBC },
  { name: 'client with encryptThenMac: false: not offered, MAC-then-encrypt', client: client({ encryptThenMac: false }), server: server(), offered: false, echoed: false, suite: CBC },
  { name: 'server with encryptThenMac: false: offered, not echoed', client: client(), server: server({ encryptThenMac: false }), offered: true, echoed: false, suite: CBC },
  { name: 'only AEAD suites offered: not offered', client: client({ cipherSuites: [CCM8] }), server: server(), offered: false, echoed: false, suite: CCM8 },
  { name: 'offered with CBC, server picks AEAD: no echo', client: client({ cipherSuites: [CBC, CCM8] }), server: server({ cipherSuites: [CCM8, CBC] }), offered: true, echoed: false, suite: CCM8 },
];

for (const c of cases) {
  test(`EtM negotiation: ${c.name}`, async () => {
    const p = makePair(c.client, c.server);
    await exchange(p, 'ping');
    assert.equal(has(clientHellos(p)[0], ETM), c.offered);
    assert.equal(has(serverHellos(p)[0], ETM), c.echoed);
    const clientInfo = p.client.session(p.serverPeer)!;
    const serverInfo = p.server.session(p.serverGot[0]!.peer)!;
    assert.equal(clientInfo.cipherSuite, c.suite);
    assert.equal(clientInfo.encryptThenMac, c.echoed);
    assert.equal(serverInfo.encryptThenMac, c.echoed);
    await exchange(p, 'x'.repeat(500)); // multi-block records both ways
    assert.deepEqual(p.serverErrors, []);
  });
}

for (const etm of [true, false]) {
  test(`EtM resumption keeps the session's setting (${etm ? 'encrypt-then-MAC' : 'MAC-then-encrypt'})`, async () => {
    const p = makePair(client(), server({ encryptThenMac: etm }));
    await exchange(p, 'first');
    p.client.closePeer(p.serverPeer);
    const logged = p.net.log.length;
    const info = await p.client.connect(p.serverPeer);
    assert.equal(info.resumed, true);
    assert.equal(info.encryptThenMac, etm);
    const resumedHello = p.net.log.slice(logged).map((d) => helloExtensions(d.data, 2)).find((h) => h !== undefined);
    assert.equal(has(resumedHello, ETM), etm);
    await exchange(p, 'after resumption');
    assert.equal(p.server.session(p.serverGot[0]!.peer)?.encryptThenMac, etm);
  });
}

test('EtM resumption mismatch: a resuming ServerHello without the extension is a fatal handshake_failure at the client', async () => {
  const p = makePair(client(), server());
  await exchange(p, 'first');
  p.client.closePeer(p.serverPeer);
  p.net.filter = (d) => rewriteHello(d.data, 2, (exts) => exts.filter((e) => e.type !== ETM));
  await assert.rejects(p.client.connect(p.serverPeer), (e: unknown) => e instanceof DtlsError && e.alert === 40 && /encrypt-then-MAC differs/.test(e.message));
  assert.equal(p.serverGot.length, 1);
});

test('EtM resumption mismatch: a client resuming an EtM session without offering EtM is refused by the server', async () => {
  const p = makePair(client(), server());
  await exchange(p, 'first');
  p.client.closePeer(p.serverPeer);
  p.net.filter = (d) => rewriteHello(d.data, 1, (exts) => exts.filter((e) => e.type !== ETM));
  await assert.rejects(p.client.connect(p.serverPeer), (e: unknown) => e instanceof DtlsError && e.alert === 40);
  assert.ok(p.serverErrors.some((e) => e instanceof DtlsError && e.alert === 40 && /without offering encrypt-then-MAC/.test(e.message)));
});

test('EtM echoed for an AEAD suite is illegal_parameter; a non-empty EtM extension is a decode_error', async () => {
  // Offered (a CBC suite is on the list), the server picks CCM_8, an attacker adds the echo.
  const p = makePair(client({ cipherSuites: [CBC, CCM8] }), server({ cipherSuites: [CCM8] }));
  p.net.filter = (d) => rewriteHello(d.data, 2, (exts) => [...exts, { type: ETM, data: Buffer.alloc(0) }]);
  await assert.rejects(p.client.connect(p.serverPeer), (e: unknown) => e instanceof DtlsError && e.alert === 47 && /AEAD/.test(e.message));

  const q = makePair(client(), server());
  q.net.filter = (d) => rewriteHello(d.data, 1, (exts) => exts.map((e) => (e.type === ETM ? { type: ETM, data: Buffer.from([0]) } : e)));
  await assert.rejects(q.client.connect(q.serverPeer), (e: unknown) => e instanceof DtlsError && e.alert === 50);
  assert.ok(q.serverErrors.some((e) => e instanceof DtlsError && e.alert === 50));
});

test('EtM on the wire: a tampered application record is dropped silently and the connection goes on', async () => {
  const p = makePair(client(), server());
  await exchange(p, 'first');
  assert.equal(p.client.session(p.serverPeer)?.encryptThenMac, true);
  let tampered = 0;
  p.net.filter = (d) => {
    const r = parseRecords(d.data, 0)[0];
    if (r?.type !== 23 || d.to.port !== p.serverPeer.port || tampered >= 3) return true;
    const bad = Buffer.from(d.data);
    // Flip one bit in the IV, the ciphertext, then the MAC, one record each.
    bad[13 + [0, 20, r.fragment.length - 1][tampered]!]! ^= 0x10;
    tampered++;
    return bad;
  };
  for (const text of ['t1', 't2', 't3']) p.client.send(Buffer.from(text), p.serverPeer);
  await runUntil(p.clock, () => false, 500);
  assert.equal(tampered, 3);
  assert.deepEqual(p.serverGot.map((g) => g.text), ['first'], 'nothing tampered was delivered');
  assert.deepEqual([p.serverErrors, p.clientErrors], [[], []], 'and nothing failed');
  await exchange(p, 'intact');
  assert.deepEqual(p.serverGot.map((g) => g.text), ['first', 'intact']);
});
