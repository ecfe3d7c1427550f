/**
 * Interop of our DTLS 1.2 with libcoap on GnuTLS (`coap-client-gnutls`, `coap-server-gnutls` from
 * libcoap3-bin): a CoAP GET over DTLS in both directions with PSK, X.509 certificates and raw public
 * keys. The CoAP messages here are hand-written; the CoAP stack proper is tested elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DtlsTransport } from '../../src/transport/dtls/dtls-transport.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../src/transport/dtls/options.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { Peer3p, commandExists, freeUdpPort, testPki } from '../transport/dtls/_support.ts';

assert.ok(commandExists('coap-client-gnutls') && commandExists('coap-server-gnutls'), 'the libcoap interop tests need libcoap3-bin on PATH');

interface Coap {
  type: number;
  code: number;
  mid: number;
  token: Buffer;
  uriPath: string[];
  payload: Buffer;
}

/** Just enough of RFC 7252 3 to read a request or response in this test. */
function parseCoap(b: Buffer): Coap {
  const tkl = b[0]! & 0x0f;
  const token = b.subarray(4, 4 + tkl);
  let pos = 4 + tkl;
  let number = 0;
  const uriPath: string[] = [];
  while (pos < b.length && b[pos] !== 0xff) {
    let delta = b[pos]! >> 4;
    let length = b[pos]! & 0x0f;
    pos++;
    if (delta === 13) delta = 13 + b[pos++]!;
    else if (delta === 14) {
      delta = 269 + b.readUInt16BE(pos);
      pos += 2;
    }
    if (length === 13) length = 13 + b[pos++]!;
    else if (length === 14) {
      length = 269 + b.readUInt16BE(pos);
      pos += 2;
    }
    number += delta;
    if (number === 11) uriPath.push(b.subarray(pos, pos + length).toString());
    pos += length;
  }
  return { type: (b[0]! >> 4) & 0x03, code: b[1]!, mid: b.readUInt16BE(2), token, uriPath, payload: b.subarray(pos + 1) };
}

/** Our DTLS server answering every CON GET with a piggybacked 2.05 "hello from lwm2m-ts". */
async function coapResponder(options: DtlsServerOptions): Promise<{ server: DtlsTransport; requests: Coap[]; suites: string[] }> {
  const server = DtlsTransport.server(await UdpTransport.bind({ address: '127.0.0.1' }), options);
  const requests: Coap[] = [];
  const suites: string[] = [];
  server.onHandshake((_peer, info) => suites.push(info.cipherSuite));
  server.onDatagram((data, peer) => {
    const req = parseCoap(Buffer.from(data));
    requests.push(req);
    const header = Buffer.from([0x60 | req.token.length, 0x45, req.mid >> 8, req.mid & 0xff]);
    server.send(Buffer.concat([header, req.token, Buffer.from([0xff]), Buffer.from('hello from lwm2m-ts')]), peer);
  });
  return { server, requests, suites };
}

async function libcoapClientGets(serverOptions: DtlsServerOptions, clientArgs: string[], expectSuite: string): Promise<void> {
  const r = await coapResponder(serverOptions);
  const cli = new Peer3p('coap-client-gnutls', ['-m', 'get', '-B', '5', ...clientArgs, `coaps://127.0.0.1:${r.server.local.port}/test`]);
  try {
    assert.equal(await cli.exited, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), 'hello from lwm2m-ts');
    assert.equal(r.requests[0]?.code, 0x01, 'GET');
    assert.deepEqual(r.requests[0].uriPath, ['test']);
    assert.deepEqual(r.suites, [expectSuite]);
  } finally {
    await cli.stop();
    await r.server.close();
  }
}

async function ourClientGets(serverArgs: string[], clientOptions: DtlsClientOptions, expectSuite: string): Promise<void> {
  const port = await freeUdpPort('127.0.0.1', 2); // coap-server listens for DTLS on port + 1
  const srv = new Peer3p('coap-server-gnutls', ['-A', '127.0.0.1', '-p', String(port), '-v', '7', ...serverArgs]);
  const client = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { handshakeTimeoutMs: 5000, ...clientOptions });
  try {
    await srv.waitFor('created DTLS endpoint', 5000);
    const peer = { address: '127.0.0.1', port: port + 1 };
    const errors: Error[] = [];
    client.onError((e) => errors.push(e));
    const response = new Promise<Buffer>((resolve) => {
      client.onDatagram((d) => {
        resolve(Buffer.from(d));
      });
    });
    // CON GET / with token 0xaa, message id 0x1234.
    client.send(Buffer.from([0x41, 0x01, 0x12, 0x34, 0xaa]), peer);
    const res = parseCoap(await response);
    assert.deepEqual([res.type, res.code, res.mid, res.token.toString('hex')], [2, 0x45, 0x1234, 'aa'], 'ACK 2.05 with our token');
    assert.match(res.payload.toString(), /libcoap/);
    assert.equal(client.session(peer)?.cipherSuite, expectSuite);
    assert.deepEqual(errors, []);
  } finally {
    await client.close();
    await srv.stop();
  }
}

test('coap-client-gnutls GETs from our DTLS server with PSK', () =>
  libcoapClientGets({ psk: new Map([['libcoap-client', Buffer.from('secretPSK')]]) }, ['-u', 'libcoap-client', '-k', 'secretPSK'], 'TLS_PSK_WITH_AES_128_CCM_8'));

test('our DTLS client GETs from coap-server-gnutls with PSK (identity hint "CoAP")', async () => {
  let hint: string | undefined;
  await ourClientGets(
    ['-k', 'secretPSK'],
    {
      psk: (h) => {
        hint = h?.toString();
        return { identity: 'lwm2m-ts', key: Buffer.from('secretPSK') };
      },
    },
    'TLS_PSK_WITH_AES_128_CCM_8',
  );
  assert.equal(hint, 'CoAP');
});

test('coap-client-gnutls GETs from our DTLS server with X.509 certificates both ways', () => {
  const pki = testPki();
  const f = pki.files;
  return libcoapClientGets(
    { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert] },
    ['-c', f['client.pem']!, '-j', f['client.key']!, '-C', f['ca.pem']!],
    'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  );
});

test('our DTLS client GETs from coap-server-gnutls with X.509 certificates both ways', () => {
  const pki = testPki();
  const f = pki.files;
  return ourClientGets(
    ['-c', f['server-chain.pem']!, '-j', f['server.key']!, '-C', f['ca.pem']!],
    { trustedCAs: [pki.caCert], serverName: '127.0.0.1', certificate: { chain: pki.clientCert, privateKey: pki.clientKey } },
    'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  );
});

/** A P-256 key pair; the private key written as PEM for libcoap's -M option. */
function rpkFile(name: string): { file: string; publicKey: KeyObject } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(testPki().dir, `${name}-rpk.pem`);
  writeFileSync(file, keys.privateKey.export({ format: 'pem', type: 'sec1' }));
  return { file, publicKey: keys.publicKey };
}

test('raw public keys (RFC 7250) with libcoap in both directions', async () => {
  const libClient = rpkFile('libcoap-client');
  const ours = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await libcoapClientGets(
    { rawPublicKey: { privateKey: ours.privateKey, trustedPeerKeys: [libClient.publicKey] } },
    ['-M', libClient.file],
    'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  );
  const libServer = rpkFile('libcoap-server');
  await ourClientGets(['-M', libServer.file], { rawPublicKey: { privateKey: ours.privateKey, trustedPeerKeys: [libServer.publicKey] } }, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
});
