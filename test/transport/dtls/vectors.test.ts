import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { extendedMasterSecret, finishedVerifyData, masterSecret, prf, pskPreMasterSecret } from '../../../src/transport/dtls/prf.ts';
import { AeadProtection, CbcHmacProtection } from '../../../src/transport/dtls/record-protection.ts';
import { cidAad, encodeInnerPlaintext, plainAad, sequenceBytes } from '../../../src/transport/dtls/record.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('TLS 1.2 PRF (SHA-256) matches the published test vector', () => {
  // The widely used P_SHA256 vector (IETF TLS WG, also in several TLS test suites).
  const out = prf(hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
  assert.equal(
    out.toString('hex'),
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af' +
      '0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
  );
});

test('PRF agrees with OpenSSL TLS1-PRF on random inputs, and derived secrets use the RFC labels', () => {
  for (let i = 0; i < 4; i++) {
    const secret = randomBytes(1 + i * 20);
    const seed = randomBytes(13 + i * 7);
    const length = 12 + i * 33;
    const label = ['master secret', 'key expansion', 'client finished', 'extended master secret'][i]!;
    const expected = execFileSync('openssl', [
      'kdf', '-keylen', String(length), '-kdfopt', 'digest:SHA256', '-kdfopt', `hexsecret:${secret.toString('hex')}`,
      '-kdfopt', `hexseed:${Buffer.concat([Buffer.from(label), seed]).toString('hex')}`, 'TLS1-PRF',
    ]).toString().trim().replace(/:/g, '').toLowerCase();
    assert.equal(prf(secret, label, seed, length).toString('hex'), expected);
  }
  const pms = randomBytes(48);
  const cr = randomBytes(32);
  const sr = randomBytes(32);
  assert.deepEqual(masterSecret(pms, cr, sr), prf(pms, 'master secret', Buffer.concat([cr, sr]), 48));
  assert.deepEqual(extendedMasterSecret(pms, sr), prf(pms, 'extended master secret', sr, 48));
  assert.deepEqual(finishedVerifyData(pms, 'server', sr), prf(pms, 'server finished', sr, 12));
});

test('PSK pre-master secret has the RFC 4279 2 layout', () => {
  const psk = hex('0102030405');
  assert.equal(pskPreMasterSecret(psk).toString('hex'), '0005' + '0000000000' + '0005' + '0102030405');
});

// Vectors computed from the RFC 5246 6.2.3.3 / RFC 6655 definitions with an independent AEAD
// implementation (Python `cryptography`): key 00..0f, salt a0a1a2a3, epoch 1, sequence 5.
const KEY = hex('000102030405060708090a0b0c0d0e0f');
const SALT = hex('a0a1a2a3');
const PLAIN = Buffer.from('LwM2M over DTLS');

test('AES-128-CCM_8 record protection matches the vector, and rejects any altered byte', () => {
  const p = new AeadProtection('ccm8', KEY, SALT);
  const aad = plainAad(1, 5, 23, 0xfefd);
  const sealed = p.seal(sequenceBytes(1, 5), aad, PLAIN);
  assert.equal(sealed.toString('hex'), '0001000000000005608a4305e286ab45794577a1c7660e8dfc7c756dfd5211');
  assert.deepEqual(p.open(aad, sealed), PLAIN);
  assert.equal(p.overhead(), 16);
  for (let i = 0; i < sealed.length; i++) {
    const bad = Buffer.from(sealed);
    bad[i]! ^= 0x01;
    assert.equal(p.open(aad, bad), undefined, `flipped byte ${i}`);
  }
  assert.equal(p.open(plainAad(1, 6, 23, 0xfefd), sealed), undefined, 'other sequence number');
  assert.equal(p.open(plainAad(1, 5, 22, 0xfefd), sealed), undefined, 'other content type');
  assert.equal(p.open(aad, sealed.subarray(0, 10)), undefined, 'truncated');
});

test('AES-128-GCM record protection matches the vector', () => {
  const p = new AeadProtection('gcm', KEY, SALT);
  const aad = plainAad(1, 5, 23, 0xfefd);
  const sealed = p.seal(sequenceBytes(1, 5), aad, PLAIN);
  assert.equal(sealed.toString('hex'), '0001000000000005807d1cb469b785e2913793bb20515c15a06f5c01b98a312ab880e7a9202f64');
  assert.deepEqual(p.open(aad, sealed), PLAIN);
});

test('connection ID records authenticate the RFC 9146 additional data over the inner plaintext', () => {
  const p = new AeadProtection('ccm8', KEY, SALT);
  const cid = hex('c1d2c3d4');
  const aad = cidAad(1, 5, 0xfefd, cid);
  const sealed = p.seal(sequenceBytes(1, 5), aad, encodeInnerPlaintext(23, PLAIN));
  assert.equal(sealed.toString('hex'), '0001000000000005608a4305e286ab45794577a1c7660ef8a0a7e678143c98ba');
  assert.equal(p.open(cidAad(1, 5, 0xfefd, hex('c1d2c3d5')), sealed), undefined, 'another CID does not authenticate');
});

test('AES-128-CBC + HMAC-SHA256 is MAC-then-encrypt with TLS padding (RFC 5246 6.2.3.2)', () => {
  const key = randomBytes(16);
  const macKey = randomBytes(32);
  const p = new CbcHmacProtection(key, macKey);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const plain = Buffer.from(bytes);
      const aad = plainAad(1, 9, 23, 0xfefd);
      const sealed = p.seal(sequenceBytes(1, 9), aad, plain);
      assert.equal((sealed.length - 16) % 16, 0);
      assert.ok(sealed.length - plain.length <= p.overhead(plain.length));
      // Decrypt independently and check the layout: plaintext || HMAC || padding (each byte = pad length).
      const d = createDecipheriv('aes-128-cbc', key, sealed.subarray(0, 16)).setAutoPadding(false);
      const inner = Buffer.concat([d.update(sealed.subarray(16)), d.final()]);
      const pad = inner[inner.length - 1]!;
      assert.ok(inner.subarray(inner.length - pad - 1).every((b) => b === pad));
      const mac = inner.subarray(plain.length, plain.length + 32);
      assert.deepEqual(mac, createHmac('sha256', macKey).update(aad(plain.length)).update(plain).digest());
      assert.deepEqual(p.open(aad, sealed), plain);
      const bad = Buffer.from(sealed);
      bad[bad.length - 1]! ^= 0x80;
      assert.equal(p.open(aad, bad), undefined);
    }),
    { numRuns: 60 },
  );
});
