import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { DtlsError } from '../../../src/errors.ts';
import { checkHostName, isP256, loadCertificates, loadPrivateKey, loadPublicKey, spkiOf, verifyCertificateChain } from '../../../src/transport/dtls/credentials.ts';
import { testPki } from './_support.ts';

// The test PKI is made when first used, so 'now' is read after it exists.
const DAY = 86_400_000;
const alertOf = (alert: number) => (e: unknown) => e instanceof DtlsError && e.alert === alert;

test('certificates load from PEM bundles and DER', () => {
  const pki = testPki();
  const chain = loadCertificates(pki.serverCert + pki.intermediateCert);
  assert.equal(chain.length, 2);
  assert.match(chain[1]!.subject, /Intermediate/);
  const der = chain[0]!.raw;
  assert.ok(loadCertificates(der)[0]!.raw.equals(der));
  assert.ok(loadCertificates(new Uint8Array(der))[0]!.raw.equals(der));
  assert.throws(() => loadCertificates('not a certificate'), TypeError);
  assert.throws(() => loadCertificates(Buffer.from('garbage')), TypeError);
});

test('keys load from PEM, PKCS#8 DER, SEC1 DER, raw P-256 scalars and points', () => {
  const pki = testPki();
  const key = loadPrivateKey(pki.serverKey);
  assert.ok(isP256(key));
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const sec1 = key.export({ format: 'der', type: 'sec1' });
  assert.ok(spkiOf(loadPrivateKey(pkcs8)).equals(spkiOf(key)));
  assert.ok(spkiOf(loadPrivateKey(sec1)).equals(spkiOf(key)));
  const jwk = key.export({ format: 'jwk' });
  const scalar = Buffer.from(jwk.d!, 'base64url');
  assert.ok(spkiOf(loadPrivateKey(scalar)).equals(spkiOf(key)), 'a 32-byte scalar is a P-256 private key');
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  assert.ok(spkiOf(loadPublicKey(point)).equals(spkiOf(key)), '04||X||Y');
  assert.ok(spkiOf(loadPublicKey(point.subarray(1))).equals(spkiOf(key)), 'X||Y');
  assert.ok(spkiOf(loadPublicKey(spkiOf(key))).equals(spkiOf(key)), 'SPKI DER');
  assert.throws(() => loadPrivateKey(Buffer.from('nonsense key')), TypeError);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.equal(isP256(rsa.privateKey), false);
  assert.equal(isP256(createPrivateKey(pki.serverKey)), true);
});

test('a chain through an intermediate verifies against the root; the host must match SAN', () => {
  const pki = testPki();
  const chain = loadCertificates(pki.serverCert + pki.intermediateCert);
  const trusted = loadCertificates(pki.caCert);
  verifyCertificateChain(chain, { trusted, now: Date.now(), host: 'localhost' });
  verifyCertificateChain(chain, { trusted, now: Date.now(), host: '127.0.0.1' });
  assert.throws(() => verifyCertificateChain(chain, { trusted, now: Date.now(), host: 'evil.example' }), alertOf(42));
  assert.throws(() => verifyCertificateChain(chain, { trusted, now: Date.now(), host: '10.1.2.3' }), alertOf(42));
});

test('a missing intermediate or a foreign CA is unknown_ca', () => {
  const pki = testPki();
  const leafOnly = loadCertificates(pki.serverCert);
  assert.throws(() => verifyCertificateChain(leafOnly, { trusted: loadCertificates(pki.caCert), now: Date.now() }), alertOf(48));
  const chain = loadCertificates(pki.serverCert + pki.intermediateCert);
  assert.throws(() => verifyCertificateChain(chain, { trusted: loadCertificates(pki.otherCaCert), now: Date.now() }), alertOf(48));
  assert.throws(() => verifyCertificateChain([], { trusted: loadCertificates(pki.caCert), now: Date.now() }), alertOf(42));
});

test('validity dates are enforced on the leaf and on the CA (certificate_expired)', () => {
  const pki = testPki();
  const trusted = loadCertificates(pki.caCert);
  assert.throws(() => verifyCertificateChain(loadCertificates(pki.expiredServerCert), { trusted, now: Date.now() }), alertOf(45));
  // In January 2020 the leaf was valid but the root (made today) was not: the anchor's dates count too.
  assert.throws(() => verifyCertificateChain(loadCertificates(pki.expiredServerCert), { trusted, now: Date.UTC(2020, 0, 15) }), /Root CA" is not valid now/);
  const chain = loadCertificates(pki.serverCert + pki.intermediateCert);
  assert.throws(() => verifyCertificateChain(chain, { trusted, now: Date.now() + 400 * DAY }), alertOf(45));
  assert.throws(() => verifyCertificateChain(chain, { trusted, now: Date.now() - DAY }), alertOf(45));
});

test('a trusted self-signed certificate is its own anchor', () => {
  const pki = testPki();
  const self = loadCertificates(pki.selfSignedCert);
  verifyCertificateChain(self, { trusted: self, now: Date.now(), host: 'localhost' });
  assert.throws(() => verifyCertificateChain(self, { trusted: loadCertificates(pki.caCert), now: Date.now() }), alertOf(48));
});

test('an end-entity certificate cannot act as a CA for another', () => {
  const pki = testPki();
  // client.pem is not a CA; a chain that claims it issued something must not verify.
  const client = loadCertificates(pki.clientCert)[0]!;
  assert.equal(client.ca, false);
  assert.throws(
    () => verifyCertificateChain([loadCertificates(pki.selfSignedCert)[0]!, client], { trusted: loadCertificates(pki.caCert), now: Date.now() }),
    alertOf(48),
  );
});

test('host names: an IP-only CN without SAN is accepted for that IP, names use SAN', () => {
  const pki = testPki();
  const server = new X509Certificate(pki.serverCert);
  checkHostName(server, 'localhost');
  checkHostName(server, '[127.0.0.1]');
  assert.throws(() => checkHostName(server, 'localhost.evil'), alertOf(42));
});
