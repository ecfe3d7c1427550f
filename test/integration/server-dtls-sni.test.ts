/**
 * The companion servers' DTLS certificate choice by server_name (SNI, RFC 6066 3) through
 * `LwM2mServer.start({ dtls: { certificates, selectCertificate } })` and the BootstrapServer alike.
 * The default certificate comes from a CA the clients do not trust, so a handshake only succeeds
 * when the server picked the certificate named for the host the client asked for.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { DtlsError } from '../../src/errors.ts';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import type { CertificateCredentials } from '../../src/transport/dtls/index.ts';
import { DtlsTransport } from '../../src/transport/dtls/index.ts';
import type { Peer } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { testPki } from '../transport/dtls/_support.ts';

const certDer = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw);
const keyDer = (pem: string): Uint8Array => new Uint8Array(createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' }));
const FAST = { timing: { retryBaseMs: 50, maxRetries: 1, recoveryDelayMs: 60_000 }, coap: { params: { ackTimeout: 300, ackRandomFactor: 1, maxRetransmit: 2 } } };

/** Where `localhost` resolves, as the client will resolve it (so the server listens there). */
async function localhostAddress(): Promise<string> {
  return (await lookup('localhost')).address;
}

function credentials() {
  const pki = testPki();
  const named: CertificateCredentials = { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey };
  // Also names localhost, but issued by a CA the clients do not trust.
  const fallback: CertificateCredentials = { chain: pki.otherServerCert, privateKey: pki.otherServerKey };
  return { pki, named, fallback };
}

function certificateClient(t: TestContext, uri: string): { client: LwM2mClient; events: RdEvent[] } {
  const { pki } = credentials();
  const client = new LwM2mClient({ endpoint: 'device-1', ...FAST });
  client.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
  client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U' });
  client.create('/0/0', { 0: uri, 1: false, 2: 2, 3: certDer(pki.clientCert), 4: certDer(pki.caCert), 5: keyDer(pki.clientKey), 10: 1, 15: 2 });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(() => client.close());
  return { client, events };
}

async function failure(events: readonly RdEvent[]): Promise<RdEvent | undefined> {
  for (let i = 0; i < 500 && !events.some((e) => e.type === 'REGISTRATION_FAILURE'); i++) await new Promise((r) => setTimeout(r, 10));
  return events.find((e) => e.type === 'REGISTRATION_FAILURE');
}

test('LwM2mServer: a client connecting to coaps://localhost gets the certificate named localhost', async (t) => {
  const address = await localhostAddress();
  const { pki, named, fallback } = credentials();
  const server = await LwM2mServer.start({
    address,
    security: new SecurityRegistry([['device-1', { x509: true }]]),
    dtls: { address, certificate: fallback, certificates: [{ names: ['localhost'], ...named }], trustedCAs: [pki.caCert] },
  });
  t.after(() => server.close());
  const port = server.secureLocal!.port;

  const { client } = certificateClient(t, `coaps://localhost:${port}`);
  const registered = server.next('registered');
  await client.start();
  const { registration } = await registered;
  assert.equal(registration.listener, 'dtls');
  assert.equal(registration.identity.certificateCommonName, 'device-1');
  assert.equal((await server.read('device-1', '/3/0/0')).records[0]?.value, 'lwm2m-ts');

  // The same server by address: no server_name goes out, the default certificate comes, the client refuses it.
  const literal = address.includes(':') ? `[${address}]` : address;
  const other = certificateClient(t, `coaps://${literal}:${port}`);
  await other.client.start({ wait: false });
  const failed = await failure(other.events);
  assert.ok(failed, `events: ${other.events.map((e) => e.type).join(',')}`);
  assert.match(failed.reason ?? '', /certificate|CA|verif|trust/i);
});

test('LwM2mServer: selectCertificate sees the server_name and chooses', async (t) => {
  const address = await localhostAddress();
  const { pki, named, fallback } = credentials();
  const asked: (string | undefined)[] = [];
  const server = await LwM2mServer.start({
    address,
    security: new SecurityRegistry([['device-1', { x509: true }]]),
    dtls: {
      address,
      certificate: fallback,
      selectCertificate: (serverName: string | undefined, peer: Peer) => {
        asked.push(serverName);
        assert.equal(peer.address, address);
        return serverName === 'localhost' ? named : undefined;
      },
      trustedCAs: [pki.caCert],
    },
  });
  t.after(() => server.close());
  const { client } = certificateClient(t, `coaps://localhost:${server.secureLocal!.port}`);
  const registered = server.next('registered');
  await client.start();
  assert.equal((await registered).registration.endpoint, 'device-1');
  assert.deepEqual([...new Set(asked)], ['localhost']);
});

test('BootstrapServer: the DTLS listener chooses by server_name too', async (t) => {
  const address = await localhostAddress();
  const { pki, named, fallback } = credentials();
  const bootstrap = await BootstrapServer.start({
    address,
    security: new SecurityRegistry([['device-1', { x509: true }]]),
    dtls: { address, certificate: fallback, certificates: [{ names: ['LOCALHOST', '*.example'], ...named }], trustedCAs: [pki.caCert] },
  });
  t.after(() => bootstrap.close());
  const target = bootstrap.secureLocal!;

  const request = async (serverName: string): Promise<string> => {
    const transport = DtlsTransport.client(await UdpTransport.bind({ address }), {
      certificate: { chain: pki.clientCert, privateKey: pki.clientKey },
      trustedCAs: [pki.caCert],
      serverName,
      checkServerName: false,
      handshakeTimeoutMs: 3000,
      retransmitInitialMs: 200,
    });
    const coap = new CoapEndpoint(transport, { params: { ackTimeout: 500, ackRandomFactor: 1, maxRetransmit: 1 } });
    try {
      // The handshake alone first, so that its failure is the DtlsError itself.
      await transport.connect(target);
      const res = await coap.request(target, { code: CoapCode.POST, options: buildOptions({ uriPath: '/bs', uriQuery: ['ep=device-1'] }) });
      return `${res.code >> 5}.${String(res.code & 31).padStart(2, '0')} ${Buffer.from(res.payload).toString()}`;
    } finally {
      await coap.close();
    }
  };
  // The handshake completes and the certificate authenticates device-1; it has no plan here (4.00 naming it).
  assert.equal(await request('localhost'), "4.00 unknown endpoint 'device-1'");
  assert.equal(await request('any.example'), "4.00 unknown endpoint 'device-1'", 'wildcard entry');
  await assert.rejects(request('unknown.test'), (e: unknown) => e instanceof DtlsError && /certificate|CA|verif|trust/i.test(e.message), 'no entry names it: the untrusted default');
});
