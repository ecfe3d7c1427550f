/**
 * Interop of our DTLS 1.2 against OpenSSL 3 (`openssl s_server -dtls1_2` / `s_client -dtls1_2`), in
 * both roles, for every cipher suite we implement, with PSK and with a CA-signed P-256 chain, and
 * the failures that must abort the handshake. openssl must be on PATH (CI installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtlsError } from '../../src/errors.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../src/transport/dtls/options.ts';
import type { CipherSuiteName } from '../../src/transport/dtls/cipher-suites.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Peer3p, commandExists, testPki } from '../transport/dtls/_support.ts';
import { ourClient, ourServer, sServer, until } from './_openssl.ts';

assert.ok(commandExists('openssl'), 'the DTLS interop tests need `openssl` on PATH');

const PSK_HEX = '00112233445566778899aabbccddeeff';
const PSK = Buffer.from(PSK_HEX, 'hex');
const OPENSSL_NAME: Record<CipherSuiteName, string> = {
  TLS_PSK_WITH_AES_128_CCM_8: 'PSK-AES128-CCM8',
  TLS_PSK_WITH_AES_128_GCM_SHA256: 'PSK-AES128-GCM-SHA256',
  TLS_PSK_WITH_AES_128_CBC_SHA256: 'PSK-AES128-CBC-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 'ECDHE-ECDSA-AES128-CCM8',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
};
const PSK_SUITES: CipherSuiteName[] = ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_PSK_WITH_AES_128_CBC_SHA256'];
const CERT_SUITES: CipherSuiteName[] = ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'];





/** Our client against s_server: handshake, then a line each way. */
async function clientExchange(serverArgs: string[], options: DtlsClientOptions, expectSuite: CipherSuiteName): Promise<void> {
  const { proc, peer } = await sServer(serverArgs);
  const c = await ourClient(options);
  try {
    const info = await c.client.connect(peer);
    assert.equal(info.cipherSuite, expectSuite);
    assert.equal(info.extendedMasterSecret, true);
    c.client.send(Buffer.from('hello from node\n'), peer);
    await proc.waitFor('hello from node', 5000, 'stdout');
    proc.write('hello from openssl\n');
    await until(() => c.got.join('').includes('hello from openssl'));
    assert.deepEqual(c.errors, []);
  } finally {
    await c.client.close();
    await proc.stop();
  }
}

/** s_client against our server: handshake, then a line each way. */
async function serverExchange(serverOptions: DtlsServerOptions, clientArgs: string[], expectSuite: CipherSuiteName): Promise<void> {
  const s = await ourServer(serverOptions);
  let suite: string | undefined;
  s.server.onHandshake((peer) => {
    suite = s.server.session(peer)?.cipherSuite;
  });
  const proc = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, ...clientArgs]);
  try {
    await proc.waitFor(/Verify return code/, 5000, 'stdout');
    assert.equal(suite, expectSuite);
    proc.write('hello from openssl\n');
    await proc.waitFor('node saw hello from openssl', 5000, 'stdout');
    assert.deepEqual(s.got, ['hello from openssl\n']);
    assert.deepEqual(s.errors, []);
  } finally {
    await proc.stop();
    await s.server.close();
  }
}

for (const suite of PSK_SUITES) {
  test(`PSK ${suite}: our client with openssl s_server`, () =>
    clientExchange(['-nocert', '-psk', PSK_HEX, '-psk_identity', 'lwm2m-dev', '-cipher', OPENSSL_NAME[suite]], { psk: { identity: 'lwm2m-dev', key: PSK } }, suite));

  test(`PSK ${suite}: openssl s_client with our server`, () =>
    serverExchange({ psk: new Map([['lwm2m-dev', PSK]]) }, ['-psk', PSK_HEX, '-psk_identity', 'lwm2m-dev', '-cipher', OPENSSL_NAME[suite]], suite));
}

for (const suite of CERT_SUITES) {
  test(`X.509 ${suite}: our client (with client certificate) with openssl s_server, fragmented by a small MTU`, () => {
    const pki = testPki();
    const f = pki.files;
    return clientExchange(
      ['-cert', f['server.pem']!, '-cert_chain', f['intermediate.pem']!, '-key', f['server.key']!, '-CAfile', f['ca.pem']!, '-Verify', '1', '-verify_return_error', '-cipher', OPENSSL_NAME[suite], '-mtu', '400'],
      { trustedCAs: [pki.caCert], serverName: 'localhost', certificate: { chain: pki.clientCert, privateKey: pki.clientKey }, mtu: 400 },
      suite,
    );
  });

  test(`X.509 ${suite}: openssl s_client (with client certificate) with our server`, () => {
    const pki = testPki();
    const f = pki.files;
    return serverExchange(
      { certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert], mtu: 400 },
      ['-cert', f['client.pem']!, '-key', f['client.key']!, '-CAfile', f['ca.pem']!, '-verify_return_error', '-verify_hostname', 'localhost', '-cipher', OPENSSL_NAME[suite], '-mtu', '400'],
      suite,
    );
  });
}

test('sessions resume with openssl in both roles', async () => {
  // Our client resumes with s_server.
  const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX]);
  const c = await ourClient({ psk: { identity: 'x', key: PSK } });
  try {
    assert.equal((await c.client.connect(peer)).resumed, false);
    c.client.closePeer(peer);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await c.client.connect(peer)).resumed, true);
    c.client.send(Buffer.from('after resumption\n'), peer);
    await proc.waitFor('after resumption', 5000, 'stdout');
    assert.match(proc.stdout, /Reused session-id/);
  } finally {
    await c.client.close();
    await proc.stop();
  }
  // s_client -reconnect resumes with our server five times.
  const s = await ourServer({ psk: new Map([['Client_identity', PSK]]) });
  const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', PSK_HEX, '-reconnect']);
  try {
    await until(() => s.sessions.length >= 6, 8000);
    assert.deepEqual(s.sessions.slice(0, 6).map((x) => x.resumed), [false, true, true, true, true, true]);
    await cli.waitFor(/Reused, TLSv1.2/, 3000, 'stdout');
  } finally {
    await cli.stop();
    await s.server.close();
  }
});

test('renegotiation is refused in both roles (no_renegotiation), without a second handshake', async () => {
  const s = await ourServer({ psk: new Map([['Client_identity', PSK]]) });
  const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', PSK_HEX]);
  try {
    await cli.waitFor(/Verify return code/, 5000, 'stdout');
    cli.write('R\n'); // s_client: renegotiate
    await cli.waitFor('no renegotiation', 5000, 'stderr');
    assert.deepEqual(s.sessions.map((x) => x.resumed), [false]);
  } finally {
    await cli.stop();
    await s.server.close();
  }
  const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX]);
  const c = await ourClient({ psk: { identity: 'x', key: PSK } });
  try {
    await c.client.connect(peer);
    proc.write('R\n'); // s_server: send HelloRequest
    await proc.waitFor(/no renegotiation|NO_RENEGOTIATION|alert/i, 5000);
    // Our client is still connected and answers.
    c.client.send(Buffer.from('still here\n'), peer);
    await proc.waitFor('still here', 5000, 'stdout');
  } finally {
    await c.client.close();
    await proc.stop();
  }
});

test('a wrong PSK never completes: s_client against our server gets bad_record_mac, our server a DtlsError', async () => {
  const s = await ourServer({ psk: new Map([['lwm2m-dev', PSK]]) });
  const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', 'ffeeddccbbaa99887766554433221100', '-psk_identity', 'lwm2m-dev']);
  try {
    await until(() => s.errors.length > 0);
    assert.equal(s.errors[0]?.alert, 20);
    assert.match(s.errors[0].message, /wrong key for PSK identity "lwm2m-dev"/);
    await cli.waitFor(/bad record mac/i, 5000, 'stderr');
    assert.deepEqual(s.got, []);
    assert.deepEqual(s.sessions.map((x) => x.resumed), []);
  } finally {
    await cli.stop();
    await s.server.close();
  }
});

test('a wrong PSK never completes: our client against s_server fails within its handshake time limit', async () => {
  // OpenSSL drops the undecryptable Finished silently (RFC 6347 4.1.2.7), so the client can only time out.
  const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX]);
  const c = await ourClient({ psk: { identity: 'x', key: Buffer.alloc(16, 7) }, handshakeTimeoutMs: 2500, retransmitInitialMs: 500 });
  try {
    const started = Date.now();
    await assert.rejects(c.client.connect(peer), (e: unknown) => e instanceof DtlsError && /timed out/.test(e.message));
    assert.ok(Date.now() - started < 4000);
    c.client.send(Buffer.from('must not pass\n'), peer); // a new attempt, failing the same way
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!proc.stdout.includes('must not pass'));
  } finally {
    await c.client.close();
    await proc.stop();
  }
});

test('certificate failures against openssl: wrong CA, expired, missing client certificate', async (t) => {
  const pki = testPki();
  const f = pki.files;
  await t.test('our client does not trust the s_server chain: unknown_ca', async () => {
    const { proc, peer } = await sServer(['-cert', f['server.pem']!, '-cert_chain', f['intermediate.pem']!, '-key', f['server.key']!]);
    const c = await ourClient({ trustedCAs: [pki.otherCaCert] });
    try {
      await assert.rejects(c.client.connect(peer), (e: unknown) => e instanceof DtlsError && e.alert === 48);
      await proc.waitFor(/unknown ca/i, 5000);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
  await t.test('our client gets an expired certificate from s_server: certificate_expired', async () => {
    const { proc, peer } = await sServer(['-cert', f['expired.pem']!, '-key', f['expired.key']!]);
    const c = await ourClient({ trustedCAs: [pki.caCert], serverName: 'localhost' });
    try {
      await assert.rejects(c.client.connect(peer), (e: unknown) => e instanceof DtlsError && e.alert === 45);
      await proc.waitFor(/certificate expired/i, 5000);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
  await t.test('s_client does not trust our server: it aborts with unknown_ca, our server reports it', async () => {
    const s = await ourServer({ certificate: { chain: pki.otherServerCert, privateKey: pki.otherServerKey } });
    const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-CAfile', f['ca.pem']!, '-verify_return_error']);
    try {
      await until(() => s.errors.length > 0);
      assert.equal(s.errors[0]?.alert, 48);
      assert.deepEqual(s.sessions.map((x) => x.resumed), []);
    } finally {
      await cli.stop();
      await s.server.close();
    }
  });
  await t.test('s_client presents an expired client certificate: our server aborts with certificate_expired', async () => {
    const s = await ourServer({ certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert] });
    const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-cert', f['expired.pem']!, '-key', f['expired.key']!]);
    try {
      await until(() => s.errors.length > 0);
      assert.equal(s.errors[0]?.alert, 45);
      await cli.waitFor(/certificate expired/i, 5000, 'stderr');
      assert.deepEqual(s.got, []);
    } finally {
      await cli.stop();
      await s.server.close();
    }
  });
  await t.test('s_server requires a client certificate our client does not have', async () => {
    const { proc, peer } = await sServer(['-cert', f['server.pem']!, '-cert_chain', f['intermediate.pem']!, '-key', f['server.key']!, '-Verify', '1', '-verify_return_error']);
    const c = await ourClient({ trustedCAs: [pki.caCert] });
    try {
      await assert.rejects(c.client.connect(peer), (e: unknown) => e instanceof DtlsError && e.alert === 40);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
});

test('without the extended master secret (OpenSSL configured without it): the RFC 5246 master secret, both roles', async () => {
  // OpenSSL 3.0 has no command-line switch for this, but its SSL_CONF "Options" setting has.
  const conf = join(testPki().dir, 'no-ems.cnf');
  writeFileSync(conf, 'openssl_conf=c\n[c]\nssl_conf=s\n[s]\nsystem_default=d\n[d]\nOptions=-ExtendedMasterSecret\n');
  const env = { OPENSSL_CONF: conf };
  const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX], env);
  const c = await ourClient({ psk: { identity: 'x', key: PSK } });
  try {
    const info = await c.client.connect(peer);
    assert.equal(info.extendedMasterSecret, false);
    c.client.send(Buffer.from('legacy master secret\n'), peer);
    await proc.waitFor('legacy master secret', 5000, 'stdout');
  } finally {
    await c.client.close();
    await proc.stop();
  }
  const strict = await sServer(['-nocert', '-psk', PSK_HEX], env);
  const c2 = await ourClient({ psk: { identity: 'x', key: PSK }, requireExtendedMasterSecret: true });
  try {
    await assert.rejects(c2.client.connect(strict.peer), (e: unknown) => e instanceof DtlsError && e.alert === 40);
  } finally {
    await c2.client.close();
    await strict.proc.stop();
  }
  const s = await ourServer({ psk: new Map([['Client_identity', PSK]]) });
  let ems: boolean | undefined;
  s.server.onHandshake((p) => {
    ems = s.server.session(p)?.extendedMasterSecret;
  });
  const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', PSK_HEX], env);
  try {
    await cli.waitFor(/Verify return code/, 5000, 'stdout');
    cli.write('hi\n');
    await cli.waitFor('node saw hi', 5000, 'stdout');
    assert.equal(ems, false);
  } finally {
    await cli.stop();
    await s.server.close();
  }
});
