/**
 * The DTLS options of `lwm2m client` fill the Security object (mode and keys), and the client
 * registers over coaps:// with each: PSK (--psk-identity/--psk-key), raw public keys
 * (--rpk-key/--server-rpk, PEM and DER files) and X.509 certificates (--cert/--key/--ca), against an
 * LwM2mServer with a DTLS listener and that endpoint's credentials; SIGTERM de-registers over DTLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LwM2mServer } from '../../src/server/server.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { testPki } from '../transport/dtls/_support.ts';
import { Child } from './_child.ts';

const PSK_HEX = '000102030405060708090a0b0c0d0e0f';
const RPK_CLIENT = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RPK_SERVER = generateKeyPairSync('ec', { namedCurve: 'P-256' });

test('lwm2m client over coaps:// with PSK, raw public keys and certificates', async (t) => {
  const pki = testPki();
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-dtls-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const clientKeyPem = join(dir, 'client-key.pem');
  const serverPubDer = join(dir, 'server-pub.der');
  writeFileSync(clientKeyPem, RPK_CLIENT.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(serverPubDer, RPK_SERVER.publicKey.export({ format: 'der', type: 'spki' }));

  const security = new SecurityRegistry([
    ['psk-dev', { psk: { identity: 'psk-dev-id', key: new Uint8Array(Buffer.from(PSK_HEX, 'hex')) } }],
    ['rpk-dev', { rpk: RPK_CLIENT.publicKey }],
    ['device-1', { x509: true }],
  ]);
  const server = await LwM2mServer.start({
    address: '127.0.0.1',
    port: 0,
    security,
    dtls: {
      address: '127.0.0.1',
      port: 0,
      certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey },
      trustedCAs: [pki.caCert],
      rawPublicKey: { privateKey: RPK_SERVER.privateKey },
    },
  });
  t.after(() => server.close());
  const uri = `coaps://127.0.0.1:${server.secureLocal!.port}`;

  const cases: { endpoint: string; args: string[]; identity: (id: object) => boolean }[] = [
    { endpoint: 'psk-dev', args: ['--psk-identity', 'psk-dev-id', '--psk-key', PSK_HEX], identity: (id) => 'pskIdentity' in id && id.pskIdentity === 'psk-dev-id' },
    { endpoint: 'rpk-dev', args: ['--rpk-key', clientKeyPem, '--server-rpk', serverPubDer], identity: (id) => 'rawPublicKey' in id },
    { endpoint: 'device-1', args: ['--cert', pki.files['client.pem']!, '--key', pki.files['client.key']!, '--ca', pki.files['ca.pem']!], identity: (id) => JSON.stringify(id).includes('device-1') },
  ];
  // The three clients run side by side.
  await Promise.all(
    cases.map(async (c) => {
      const registered = server.next('registered', (e) => e.registration.endpoint === c.endpoint);
      const child = new Child(['client', '--server', uri, '--endpoint', c.endpoint, ...c.args]);
      t.after(() => child.kill());
      const { registration } = await child.until(registered, `${c.endpoint} registered`, 30_000);
      assert.equal(registration.listener, 'dtls', c.endpoint);
      assert.ok(c.identity(registration.identity), `${c.endpoint}: ${JSON.stringify(registration.identity)}`);
      await child.wait('err', /^event REGISTRATION_COMPLETE ssid=1$/m);
      assert.equal((await server.read(c.endpoint, '/3/0/0')).records[0]?.value, 'lwm2m-ts');
      const gone = server.next('deregistered', (e) => e.registration.endpoint === c.endpoint);
      child.proc.kill('SIGTERM');
      await child.until(gone, `${c.endpoint} de-registered`);
      assert.equal(await child.exited, 0);
    }),
  );
});
