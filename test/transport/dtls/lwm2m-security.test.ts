import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { DtlsError } from '../../../src/errors.ts';
import { CertificateUsage, SecurityMode, dtlsOptionsFromSecurity, uriHost } from '../../../src/transport/dtls/lwm2m-security.ts';
import { makePair, runUntil, testPki } from './_support.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../../src/transport/dtls/options.ts';

async function handshake(client: DtlsClientOptions, server: DtlsServerOptions): Promise<{ ok: boolean; alert: number | undefined }> {
  const p = makePair(client, server);
  p.client.send(Buffer.from('register'), p.serverPeer);
  await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
  return { ok: p.clientGot.length > 0, alert: (p.clientErrors[0] as DtlsError | undefined)?.alert };
}

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

test('Security mode 3 (NoSec) needs no DTLS; URIs give the host', () => {
  assert.equal(dtlsOptionsFromSecurity({ serverUri: 'coap://h:5683', securityMode: SecurityMode.noSec }), undefined);
  assert.equal(uriHost('coaps://[2001:db8::1]:5684'), '2001:db8::1');
  assert.equal(uriHost('coaps://lwm2m.example'), 'lwm2m.example');
  assert.throws(() => dtlsOptionsFromSecurity({ serverUri: 'coaps://h', securityMode: SecurityMode.certificateWithEst }), TypeError);
  assert.throws(() => dtlsOptionsFromSecurity({ serverUri: 'coaps://h', securityMode: SecurityMode.psk, secretKey: new Uint8Array(16) }), /identity/);
});

test('Security mode 0 (PSK) with the /0/x/16 suite restriction', async () => {
  const key = Buffer.alloc(16, 3);
  const options = dtlsOptionsFromSecurity({
    serverUri: 'coaps://10.0.0.1:5684',
    securityMode: SecurityMode.psk,
    publicKeyOrIdentity: Buffer.from('urn:imei:1234'),
    secretKey: key,
    cipherSuites: [0xc0a8],
  })!;
  assert.deepEqual(options.cipherSuites, [0xc0a8]);
  assert.ok((await handshake(options, { psk: new Map([['urn:imei:1234', key]]) })).ok);
});

test('Security mode 1 (raw public key) with raw P-256 key bytes', async () => {
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const options = dtlsOptionsFromSecurity({
    serverUri: 'coaps://10.0.0.1:5684',
    securityMode: SecurityMode.rawPublicKey,
    secretKey: Buffer.from(client.privateKey.export({ format: 'jwk' }).d!, 'base64url'),
    serverPublicKey: server.publicKey.export({ format: 'der', type: 'spki' }),
  })!;
  assert.ok((await handshake(options, { rawPublicKey: { privateKey: server.privateKey, trustedPeerKeys: [client.publicKey] } })).ok);
});

test('Security mode 2 (certificate): usages 2/0 trust a CA and check the host, 3/1 pin the server certificate', async () => {
  const pki = testPki();
  const base = {
    securityMode: SecurityMode.certificate,
    publicKeyOrIdentity: der(pki.clientCert),
    secretKey: Buffer.from(pki.clientKey),
  };
  const server: DtlsServerOptions = { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert] };
  const anchor = { ...base, serverPublicKey: der(pki.caCert) };
  assert.ok((await handshake(dtlsOptionsFromSecurity({ ...anchor, serverUri: 'coaps://localhost:5684', certificateUsage: CertificateUsage.trustAnchorAssertion })!, server)).ok);
  assert.ok((await handshake(dtlsOptionsFromSecurity({ ...anchor, serverUri: 'coaps://localhost:5684', certificateUsage: CertificateUsage.caConstraint })!, server)).ok);
  const wrongHost = await handshake(dtlsOptionsFromSecurity({ ...anchor, serverUri: 'coaps://elsewhere.example:5684', certificateUsage: 2 })!, server);
  assert.deepEqual(wrongHost, { ok: false, alert: 42 });

  const pinned = { ...base, serverUri: 'coaps://10.0.0.1:5684', serverPublicKey: der(pki.serverCert) };
  assert.ok((await handshake(dtlsOptionsFromSecurity(pinned)!, server)).ok, 'usage 3 is the default');
  assert.ok((await handshake(dtlsOptionsFromSecurity({ ...pinned, certificateUsage: 1 })!, server)).ok);
  const otherPin = await handshake(dtlsOptionsFromSecurity({ ...pinned, serverPublicKey: der(pki.selfSignedCert) })!, server);
  assert.deepEqual(otherPin, { ok: false, alert: 42 });
});

test('application overrides win over Security object values (the load_credentials hook)', () => {
  const options = dtlsOptionsFromSecurity(
    { serverUri: 'coaps://h', securityMode: SecurityMode.psk, publicKeyOrIdentity: Buffer.from('a'), secretKey: Buffer.alloc(16) },
    { psk: { identity: 'from-app', key: Buffer.alloc(16, 1) }, mtu: 512 },
  )!;
  assert.deepEqual([typeof options.psk === 'object' ? options.psk.identity : undefined, options.mtu], ['from-app', 512]);
});
