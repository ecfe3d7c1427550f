/**
 * LwM2mServer and BootstrapServer over DTLS (LwM2M Core 1.1.1 7.1, the server part of issue 6):
 * registration with PSK and with an X.509 client certificate (our DtlsTransport.client on the
 * device side), the endpoint bound to its credentials (4.03 otherwise), no NoSec fallback for a
 * configured endpoint, and a wrong key failing the handshake.
 */
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../src/server/server.ts';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { DtlsTransport, type DtlsClientOptions } from '../../src/transport/dtls/index.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { DtlsError } from '../../src/errors.ts';
import { FakeDevice } from '../server/_fake-device.ts';
import { testPki } from '../transport/dtls/_support.ts';

const KEY = new TextEncoder().encode('secret-psk-0001');
const RPK_CLIENT = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RPK_SERVER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RPK_OTHER = generateKeyPairSync('ec', { namedCurve: 'P-256' });
type T = { after: (fn: () => Promise<unknown>) => void };

async function dtlsDevice(t: T, server: { address: string; port: number }, endpoint: string, options: DtlsClientOptions): Promise<FakeDevice> {
  const transport = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), options);
  const device = await FakeDevice.start({ server, endpoint, transport });
  t.after(() => device.close());
  return device;
}

async function startServer(t: T) {
  const pki = testPki();
  const security = new SecurityRegistry([
    ['dev-psk', { psk: { identity: 'dev-psk-id', key: KEY } }],
    ['other-psk', { psk: { identity: 'other-id', key: KEY } }],
    ['device-1', { x509: true }],
    ['mapped', { x509: { commonName: 'device-1' } }],
    ['cert-mismatch', { x509: true }],
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
  return { server, pki, secure: server.secureLocal! };
}

test('PSK: a device registers over DTLS with its identity; DM requests flow over the same session', async (t) => {
  const { server, secure } = await startServer(t);
  const device = await dtlsDevice(t, secure, 'dev-psk', { psk: { identity: 'dev-psk-id', key: KEY } });
  const registered = server.next('registered');
  assert.equal(await device.register(), CoapCode.CREATED);
  const { registration } = await registered;
  assert.equal(registration.listener, 'dtls');
  assert.deepEqual(registration.identity, { pskIdentity: 'dev-psk-id' });
  const r = await server.read('dev-psk', '/3/0/0');
  assert.equal(r.records[0]?.value, 'ACME');
  assert.equal(device.requests.at(-1)!.channel.secure, true);
  assert.equal(await device.update(['lt=100']), CoapCode.CHANGED);
  assert.equal(server.registration('dev-psk')?.lifetime, 100);
  assert.equal(await device.send(['/3/0/0']), CoapCode.CHANGED);
});

test('PSK: the identity of another endpoint is 4.03; a configured endpoint on the NoSec port is 4.03; a wrong key fails the handshake', async (t) => {
  const { server, secure } = await startServer(t);
  const impostor = await dtlsDevice(t, secure, 'dev-psk', { psk: { identity: 'other-id', key: KEY } });
  assert.equal(await impostor.register(), CoapCode.FORBIDDEN);
  const unknown = await dtlsDevice(t, secure, 'not-configured', { psk: { identity: 'other-id', key: KEY } });
  assert.equal(await unknown.register(), CoapCode.FORBIDDEN);
  const plain = await FakeDevice.start({ server: server.local, endpoint: 'dev-psk' });
  t.after(() => plain.close());
  assert.equal(await plain.register(), CoapCode.FORBIDDEN);
  // An endpoint without credentials may use NoSec.
  const open = await FakeDevice.start({ server: server.local, endpoint: 'open-dev' });
  t.after(() => open.close());
  assert.equal(await open.register(), CoapCode.CREATED);
  // A wrong key: the handshake fails (no plaintext fallback), nothing is registered.
  const udp = await UdpTransport.bind({ address: '127.0.0.1' });
  const wrong = DtlsTransport.client(udp, { psk: { identity: 'dev-psk-id', key: new TextEncoder().encode('wrong') }, handshakeTimeoutMs: 3000 });
  t.after(() => wrong.close());
  await assert.rejects(wrong.connect(secure), DtlsError);
  assert.deepEqual(server.registrations().map((r) => r.endpoint), ['open-dev']);
});

test('PSK: Update and De-register must come with the credentials of the registration', async (t) => {
  const { server, secure } = await startServer(t);
  const device = await dtlsDevice(t, secure, 'dev-psk', { psk: { identity: 'dev-psk-id', key: KEY } });
  await device.register();
  const id = server.registration('dev-psk')!.id;
  // Another endpoint's session cannot update or delete it.
  const other = new CoapEndpoint(DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: { identity: 'other-id', key: KEY } }));
  t.after(() => other.close());
  const upd = await other.request(secure, { code: CoapCode.POST, options: buildOptions({ uriPath: ['rd', id] }) });
  assert.equal(upd.code, CoapCode.FORBIDDEN);
  const del = await other.request(secure, { code: CoapCode.DELETE, options: buildOptions({ uriPath: ['rd', id] }) });
  assert.equal(del.code, CoapCode.FORBIDDEN);
  // Nor can a NoSec client.
  const nosec = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  t.after(() => nosec.close());
  assert.equal((await nosec.request(server.local, { code: CoapCode.DELETE, options: buildOptions({ uriPath: ['rd', id] }) })).code, CoapCode.FORBIDDEN);
  assert.equal(await device.deregister(), CoapCode.DELETED);
});

test('X.509: the client certificate CN names the endpoint (or a configured CN); a mismatch is 4.03', async (t) => {
  const { server, secure, pki } = await startServer(t);
  const options: DtlsClientOptions = { certificate: { chain: pki.clientCert, privateKey: pki.clientKey }, trustedCAs: [pki.caCert], serverName: 'localhost' };
  const device = await dtlsDevice(t, secure, 'device-1', options);
  assert.equal(await device.register(), CoapCode.CREATED);
  assert.deepEqual(server.registration('device-1')?.identity.certificateCommonName, 'device-1');
  assert.equal((await server.read('device-1', '/3/0/1')).records[0]?.value, 'Model 1');
  const mapped = await dtlsDevice(t, secure, 'mapped', options);
  assert.equal(await mapped.register(), CoapCode.CREATED);
  const mismatch = await dtlsDevice(t, secure, 'cert-mismatch', options);
  assert.equal(await mismatch.register(), CoapCode.FORBIDDEN);
  // A certificate from a CA the server does not trust never gets a session.
  const rogue = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), {
    certificate: { chain: pki.otherServerCert, privateKey: pki.otherServerKey },
    trustedCAs: [pki.caCert],
    serverName: 'localhost',
    handshakeTimeoutMs: 3000,
  });
  t.after(() => rogue.close());
  await assert.rejects(rogue.connect(secure), DtlsError);
});

test('raw public key: the configured key registers its endpoint; an unknown key gets no session', async (t) => {
  const { server, secure } = await startServer(t);
  const device = await dtlsDevice(t, secure, 'rpk-dev', { rawPublicKey: { privateKey: RPK_CLIENT.privateKey, trustedPeerKeys: [RPK_SERVER.publicKey] } });
  assert.equal(await device.register(), CoapCode.CREATED);
  assert.ok(server.registration('rpk-dev')?.identity.rawPublicKey !== undefined);
  assert.equal((await server.read('rpk-dev', '/3/0/0')).records[0]?.value, 'ACME');
  const stranger = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), {
    rawPublicKey: { privateKey: RPK_OTHER.privateKey, trustedPeerKeys: [RPK_SERVER.publicKey] },
    handshakeTimeoutMs: 3000,
  });
  t.after(() => stranger.close());
  await assert.rejects(stranger.connect(secure), DtlsError);
});

test('bootstrap server over DTLS: PSK Bootstrap-Request bound to the endpoint', async (t) => {
  const security = new SecurityRegistry([['bs-dev', { psk: { identity: 'bs-id', key: KEY } }]]);
  const bs = await BootstrapServer.start({
    address: '127.0.0.1',
    security,
    dtls: { address: '127.0.0.1' },
    config: parseBootstrapConfig({ endpoints: { 'bs-dev': { delete: [] }, other: { delete: [] } } }),
  });
  t.after(() => bs.close());
  const client = new CoapEndpoint(DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: { identity: 'bs-id', key: KEY } }));
  t.after(() => client.close());
  let finishSeen = false;
  client.onRequest((req) => {
    finishSeen = req.path.join('/') === 'bs';
    return { code: CoapCode.CHANGED };
  });
  const finished = bs.next('finished');
  const res = await client.request(bs.secureLocal!, { code: CoapCode.POST, options: buildOptions({ uriPath: '/bs', uriQuery: ['ep=bs-dev'] }) });
  assert.equal(res.code, CoapCode.CHANGED);
  const { result } = await finished;
  assert.equal(result.listener, 'dtls');
  assert.ok(finishSeen);
  const wrongEp = await client.request(bs.secureLocal!, { code: CoapCode.POST, options: buildOptions({ uriPath: '/bs', uriQuery: ['ep=other'] }) });
  assert.equal(wrongEp.code, CoapCode.FORBIDDEN);
  const plain = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  t.after(() => plain.close());
  assert.equal((await plain.request(bs.local, { code: CoapCode.POST, options: buildOptions({ uriPath: '/bs', uriQuery: ['ep=bs-dev'] }) })).code, CoapCode.FORBIDDEN);
});
