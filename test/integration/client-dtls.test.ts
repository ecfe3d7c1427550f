/**
 * Our client over coaps:// to our server and bootstrap server, with the security mode and keys taken
 * from the Security object (LwM2M Core E.1: /0/x/2 mode, /0/x/3 identity or certificate, /0/x/4
 * server key or trust anchor, /0/x/5 secret key): PSK, X.509 certificates and raw public keys, and
 * wrong keys failing cleanly (REGISTRATION_FAILURE / BOOTSTRAP_REG_FAILURE, never plaintext).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { testPki } from '../transport/dtls/_support.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const certDer = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw);
const keyDer = (key: string | KeyObject): Uint8Array =>
  new Uint8Array((typeof key === 'string' ? createPrivateKey(key) : key).export({ format: 'der', type: 'pkcs8' }));
const spkiDer = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ format: 'der', type: 'spki' }));

const PSK = text('0123456789abcdef');
const RPK_CLIENT = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RPK_SERVER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const FAST = { timing: { retryBaseMs: 50, maxRetries: 1, recoveryDelayMs: 60_000 }, coap: { params: { ackTimeout: 300, ackRandomFactor: 1, maxRetransmit: 2 } } };

async function secureServer(t: TestContext) {
  const pki = testPki();
  const security = new SecurityRegistry([
    ['psk-dev', { psk: { identity: 'psk-dev-id', key: PSK } }],
    ['device-1', { x509: true }],
    ['rpk-dev', { rpk: RPK_CLIENT.publicKey }],
  ]);
  const server = await LwM2mServer.start({
    address: '127.0.0.1',
    security,
    dtls: {
      address: '127.0.0.1',
      certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey },
      trustedCAs: [pki.caCert],
      rawPublicKey: { privateKey: RPK_SERVER.privateKey },
    },
  });
  t.after(() => server.close());
  return { server, pki, uri: `coaps://127.0.0.1:${server.secureLocal!.port}` };
}

function newClient(t: TestContext, endpoint: string): { client: LwM2mClient; events: RdEvent[] } {
  const client = new LwM2mClient({ endpoint, ...FAST });
  client.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
  client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U' });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(() => client.close());
  return { client, events };
}

describe('client over DTLS with the Security object modes', () => {
  test('LightweightM2M-1.1-int-401 UDP Channel Security - Pre-shared Key Mode', async (t) => {
    const { server, uri } = await secureServer(t);
    const { client } = newClient(t, 'psk-dev');
    client.create('/0/0', { 0: uri, 1: false, 2: 0, 3: text('psk-dev-id'), 5: PSK, 10: 1 });
    const registered = server.next('registered');
    await client.start();
    const { registration } = await registered;
    assert.equal(registration.listener, 'dtls');
    assert.deepEqual(registration.identity, { pskIdentity: 'psk-dev-id' });
    const read = await server.read('psk-dev', '/3/0/0');
    assert.equal(read.records[0]?.value, 'lwm2m-ts');
    const sent = server.next('send');
    await client.send(['/3/0/0']);
    assert.equal((await sent).records[0]?.value, 'lwm2m-ts');
    const gone = server.next('deregistered');
    await client.stop();
    await gone;
  });

  test('certificate mode: client certificate, server chain verified against the trust anchor in /0/x/4', async (t) => {
    const { server, pki, uri } = await secureServer(t);
    const { client } = newClient(t, 'device-1');
    client.create('/0/0', {
      0: uri,
      1: false,
      2: 2,
      3: certDer(pki.clientCert),
      4: certDer(pki.caCert),
      5: keyDer(pki.clientKey),
      10: 1,
      15: 2,
    });
    const registered = server.next('registered');
    await client.start();
    const { registration } = await registered;
    assert.equal(registration.listener, 'dtls');
    assert.equal((await server.read('device-1', '/3/0/0')).records[0]?.value, 'lwm2m-ts');
  });

  test('raw public key mode', async (t) => {
    const { server, uri } = await secureServer(t);
    const { client } = newClient(t, 'rpk-dev');
    client.create('/0/0', {
      0: uri,
      1: false,
      2: 1,
      3: spkiDer(RPK_CLIENT.publicKey),
      4: spkiDer(RPK_SERVER.publicKey),
      5: keyDer(RPK_CLIENT.privateKey),
      10: 1,
    });
    const registered = server.next('registered');
    await client.start();
    assert.equal((await registered).registration.listener, 'dtls');
  });

  test('a wrong PSK gives REGISTRATION_FAILURE with a DTLS reason; nothing reaches the server in plaintext', async (t) => {
    const { server, uri } = await secureServer(t);
    const { client, events } = newClient(t, 'psk-dev');
    client.create('/0/0', { 0: uri, 1: false, 2: 0, 3: text('psk-dev-id'), 5: text('wrong-key-000000'), 10: 1 });
    let registrations = 0;
    server.on('registered', () => registrations++);
    await client.start({ wait: false });
    for (let i = 0; i < 400 && !events.some((e) => e.type === 'REGISTRATION_FAILURE'); i++) await new Promise((r) => setTimeout(r, 10));
    const failure = events.find((e) => e.type === 'REGISTRATION_FAILURE');
    assert.ok(failure, `events: ${events.map((e) => e.type).join(',')}`);
    assert.match(failure.reason ?? '', /alert|DTLS|decrypt|mac/i);
    assert.equal(registrations, 0);
    assert.equal(server.registrations().length, 0);
  });

  test('a server certificate from an untrusted CA is refused', async (t) => {
    const { pki, uri } = await secureServer(t);
    const { client, events } = newClient(t, 'device-1');
    client.create('/0/0', { 0: uri, 1: false, 2: 2, 3: certDer(pki.clientCert), 4: certDer(pki.otherCaCert), 5: keyDer(pki.clientKey), 10: 1, 15: 2 });
    await client.start({ wait: false });
    for (let i = 0; i < 400 && !events.some((e) => e.type === 'REGISTRATION_FAILURE'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(events.find((e) => e.type === 'REGISTRATION_FAILURE')?.reason ?? '', /certificate|CA|verif|trust/i);
  });
});

describe('bootstrap over DTLS', () => {
  async function secureBootstrap(t: TestContext, serverUri: string) {
    const bootstrap = await BootstrapServer.start({
      address: '127.0.0.1',
      security: [['psk-dev', { psk: { identity: 'psk-dev-bs', key: PSK } }]],
      dtls: { address: '127.0.0.1' },
      config: parseBootstrapConfig({
        endpoints: {
          'psk-dev': {
            delete: ['/'],
            security: { '1': { uri: serverUri, securityMode: 'psk', publicKeyOrIdentity: 'psk-dev-id', secretKey: { hex: Buffer.from(PSK).toString('hex') }, shortServerId: 1 } },
            servers: { '0': { shortServerId: 1, lifetime: 300, binding: 'U' } },
          },
        },
      }),
    });
    t.after(() => bootstrap.close());
    return { bootstrap, uri: `coaps://127.0.0.1:${bootstrap.secureLocal!.port}` };
  }

  test('PSK bootstrap writes a PSK server account, which then registers over DTLS', async (t) => {
    const { server, uri: serverUri } = await secureServer(t);
    const { uri } = await secureBootstrap(t, serverUri);
    const { client, events } = newClient(t, 'psk-dev');
    client.create('/0/0', { 0: uri, 1: true, 2: 0, 3: text('psk-dev-bs'), 5: PSK });
    const registered = server.next('registered');
    await client.start({ bootstrap: true });
    assert.equal((await registered).registration.listener, 'dtls');
    assert.deepEqual(events.map((e) => e.type).slice(0, 3), ['BOOTSTRAP_REG_COMPLETE', 'BOOTSTRAP_TRANSFER_COMPLETE', 'REGISTRATION_COMPLETE']);
  });

  test('a wrong bootstrap key gives BOOTSTRAP_REG_FAILURE', async (t) => {
    const { uri: serverUri } = await secureServer(t);
    const { uri } = await secureBootstrap(t, serverUri);
    const { client } = newClient(t, 'psk-dev');
    client.create('/0/0', { 0: uri, 1: true, 2: 0, 3: text('psk-dev-bs'), 5: text('not-the-right-k') });
    await assert.rejects(client.start({ bootstrap: true }), /BOOTSTRAP_REG_FAILURE/);
  });
});
