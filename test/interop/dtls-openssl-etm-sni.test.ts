/**
 * Encrypt-then-MAC (RFC 7366) and Server Name Indication (RFC 6066) against OpenSSL 3
 * (`openssl s_server -dtls1_2` / `s_client -dtls1_2`) in both roles. OpenSSL negotiates EtM for CBC
 * suites by default and `-no_etm` turns it off; its `-trace` output shows which hello carried the
 * extension. For SNI, s_server's `-servername/-cert2` switches certificates by name and logs the
 * name it got, and s_client's `-servername` makes our server choose between two certificates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtlsError } from '../../src/errors.ts';
import { Peer3p, commandExists, testPki } from '../transport/dtls/_support.ts';
import { ourClient, ourServer, sServer, until } from './_openssl.ts';

assert.ok(commandExists('openssl'), 'the DTLS interop tests need `openssl` on PATH');

const PSK_HEX = '00112233445566778899aabbccddeeff';
const PSK = Buffer.from(PSK_HEX, 'hex');
const CBC = 'PSK-AES128-CBC-SHA256';





/** Extension names of each hello of a kind in OpenSSL's `-trace` output, in order. */
function tracedHellos(trace: string, kind: 'ClientHello' | 'ServerHello'): string[][] {
  const out: string[][] = [];
  for (const section of trace.split(/\n(?=(?:Sent|Received) Record)/)) {
    if (!section.includes(`    ${kind}, Length=`)) continue;
    out.push([...section.matchAll(/extension_type=([a-z_]+)\(\d+\)/g)].map((m) => m[1]!));
  }
  return out;
}

// ---- Encrypt-then-MAC ---------------------------------------------------------------------------

for (const mode of [
  { name: 'both willing: EtM', ours: {}, theirs: [], etm: true },
  { name: 's_server -no_etm: MAC-then-encrypt', ours: {}, theirs: ['-no_etm'], etm: false },
  { name: 'our encryptThenMac: false: MAC-then-encrypt', ours: { encryptThenMac: false }, theirs: [], etm: false },
]) {
  test(`EtM ${CBC}: our client with openssl s_server, ${mode.name}`, async () => {
    const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX, '-cipher', CBC, '-trace', ...mode.theirs]);
    const c = await ourClient({ psk: { identity: 'dev', key: PSK }, cipherSuites: ['TLS_PSK_WITH_AES_128_CBC_SHA256'], ...mode.ours });
    try {
      const info = await c.client.connect(peer);
      assert.equal(info.cipherSuite, 'TLS_PSK_WITH_AES_128_CBC_SHA256');
      assert.equal(info.encryptThenMac, mode.etm);
      c.client.send(Buffer.from('hello from node\n'), peer);
      await proc.waitFor('hello from node', 5000, 'stdout');
      proc.write('hello from openssl\n');
      await until(() => c.got.join('').includes('hello from openssl'));
      const offered = mode.ours.encryptThenMac !== false;
      assert.equal(tracedHellos(proc.stdout, 'ClientHello').at(-1)?.includes('encrypt_then_mac'), offered, 'our ClientHello offers EtM unless disabled');
      assert.equal(tracedHellos(proc.stdout, 'ServerHello')[0]?.includes('encrypt_then_mac'), mode.etm, 'OpenSSL echoed EtM');
      assert.deepEqual(c.errors, []);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
}

for (const mode of [
  { name: 'both willing: EtM', ours: {}, theirs: [], etm: true },
  { name: 's_client -no_etm: MAC-then-encrypt', ours: {}, theirs: ['-no_etm'], etm: false },
  { name: 'our encryptThenMac: false: MAC-then-encrypt', ours: { encryptThenMac: false }, theirs: [], etm: false },
]) {
  test(`EtM ${CBC}: openssl s_client with our server, ${mode.name}`, async () => {
    const s = await ourServer({ psk: new Map([['dev', PSK]]), ...mode.ours });
    const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', PSK_HEX, '-psk_identity', 'dev', '-cipher', CBC, '-trace', ...mode.theirs]);
    try {
      await cli.waitFor(/Verify return code/, 5000, 'stdout');
      assert.equal(s.sessions[0]?.encryptThenMac, mode.etm);
      assert.equal(tracedHellos(cli.stdout, 'ServerHello')[0]?.includes('encrypt_then_mac'), mode.etm, 'our ServerHello echoes EtM exactly when negotiated');
      cli.write('hello from openssl\n');
      await cli.waitFor('node saw hello from openssl', 5000, 'stdout');
      assert.deepEqual(s.got, ['hello from openssl\n']);
      assert.deepEqual(s.errors, []);
    } finally {
      await cli.stop();
      await s.server.close();
    }
  });
}

test('EtM sessions resume with openssl in both roles, keeping EtM', async () => {
  const { proc, peer } = await sServer(['-nocert', '-psk', PSK_HEX, '-cipher', CBC]);
  const c = await ourClient({ psk: { identity: 'dev', key: PSK }, cipherSuites: ['TLS_PSK_WITH_AES_128_CBC_SHA256'] });
  try {
    const first = await c.client.connect(peer);
    assert.deepEqual([first.resumed, first.encryptThenMac], [false, true]);
    c.client.closePeer(peer);
    await new Promise((r) => setTimeout(r, 100));
    const again = await c.client.connect(peer);
    assert.deepEqual([again.resumed, again.encryptThenMac], [true, true]);
    c.client.send(Buffer.from('after resumption\n'), peer);
    await proc.waitFor('after resumption', 5000, 'stdout');
    assert.match(proc.stdout, /Reused session-id/);
  } finally {
    await c.client.close();
    await proc.stop();
  }
  const s = await ourServer({ psk: new Map([['Client_identity', PSK]]) });
  const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-psk', PSK_HEX, '-cipher', CBC, '-reconnect']);
  try {
    await until(() => s.sessions.length >= 6, 8000);
    assert.deepEqual(s.sessions.slice(0, 6).map((i) => [i.resumed, i.encryptThenMac]), [[false, true], ...Array.from({ length: 5 }, () => [true, true])]);
    await cli.waitFor(/Reused, TLSv1\.\d, Cipher is PSK-AES128-CBC-SHA256/, 3000, 'stdout'); // OpenSSL names the suite's first version here
  } finally {
    await cli.stop();
    await s.server.close();
  }
});

// ---- SNI ------------------------------------------------------------------------------------------

test('SNI: s_client -servername makes our server choose between two certificates', async (t) => {
  const pki = testPki();
  const f = pki.files;
  const s = await ourServer({
    certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey },
    certificates: [{ names: ['alt.example'], chain: pki.otherServerCert, privateKey: pki.otherServerKey }],
  });
  const connect = async (args: string[], ca: string): Promise<Peer3p> => {
    const cli = new Peer3p('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${s.server.local.port}`, '-CAfile', ca, '-verify_return_error', ...args]);
    await cli.waitFor(/Verify return code|alert|error/i, 5000, 'any');
    return cli;
  };
  try {
    await t.test('-servername alt.example gets the certificate of the other CA, and data flows', async () => {
      const cli = await connect(['-servername', 'alt.example'], f['other-ca.pem']!);
      try {
        await cli.waitFor('Verify return code: 0 (ok)', 2000, 'stdout');
        assert.match(cli.stdout, /issuer=CN = Other CA/);
        assert.equal(s.sessions.at(-1)?.serverName, 'alt.example');
        cli.write('named\n');
        await cli.waitFor('node saw named', 5000, 'stdout');
      } finally {
        await cli.stop();
      }
    });
    await t.test('-servername localhost gets the default chain', async () => {
      const cli = await connect(['-servername', 'localhost'], f['ca.pem']!);
      try {
        await cli.waitFor('Verify return code: 0 (ok)', 2000, 'stdout');
        assert.match(cli.stdout, /issuer=CN = Test Intermediate CA/);
        assert.equal(s.sessions.at(-1)?.serverName, 'localhost');
      } finally {
        await cli.stop();
      }
    });
    await t.test('-noservername gets the default chain', async () => {
      const cli = await connect(['-noservername'], f['ca.pem']!);
      try {
        await cli.waitFor('Verify return code: 0 (ok)', 2000, 'stdout');
        assert.match(cli.stdout, /issuer=CN = Test Intermediate CA/);
        assert.equal(s.sessions.at(-1)?.serverName, undefined);
      } finally {
        await cli.stop();
      }
    });
    await t.test('-servername alt.example verified against the default CA fails: the choice is real', async () => {
      const errorsBefore = s.errors.length;
      const cli = await connect(['-servername', 'alt.example'], f['ca.pem']!);
      try {
        await until(() => s.errors.length > errorsBefore);
        assert.equal(s.errors.at(-1)?.alert, 48, 's_client refused the other CA with unknown_ca');
      } finally {
        await cli.stop();
      }
    });
  } finally {
    await s.server.close();
  }
});

test('SNI: s_server sees our client server_name and switches its certificate by it', async (t) => {
  const pki = testPki();
  const f = pki.files;
  const base = ['-cert', f['server.pem']!, '-cert_chain', f['intermediate.pem']!, '-key', f['server.key']!, '-cert2', f['other-server.pem']!, '-key2', f['other-server.key']!, '-servername', 'alt.example'];
  await t.test('the configured name: s_server logs it and answers with its second certificate', async () => {
    const { proc, peer } = await sServer(base);
    const c = await ourClient({ trustedCAs: [pki.otherCaCert], serverName: 'alt.example', checkServerName: false });
    try {
      const info = await c.client.connect(peer);
      assert.equal(info.serverName, 'alt.example');
      await proc.waitFor('Hostname in TLS extension: "alt.example"', 2000, 'any');
      await proc.waitFor('Switching server context', 2000, 'any');
      c.client.send(Buffer.from('via sni\n'), peer);
      await proc.waitFor('via sni', 5000, 'stdout');
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
  await t.test('another name: s_server logs it and keeps its first certificate', async () => {
    const { proc, peer } = await sServer(base);
    const c = await ourClient({ trustedCAs: [pki.caCert], serverName: 'localhost' });
    try {
      await c.client.connect(peer);
      await proc.waitFor('Hostname in TLS extension: "localhost"', 2000, 'any');
      assert.doesNotMatch(proc.stdout + proc.stderr, /Switching server context/);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
  await t.test('an IP address is not sent as a name', async () => {
    const { proc, peer } = await sServer(base);
    const c = await ourClient({ trustedCAs: [pki.caCert], serverName: '127.0.0.1' });
    try {
      await c.client.connect(peer);
      c.client.send(Buffer.from('no name\n'), peer);
      await proc.waitFor('no name', 5000, 'stdout');
      assert.doesNotMatch(proc.stdout + proc.stderr, /Hostname in TLS extension/);
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
  await t.test('-servername_fatal: a wrong name ends our handshake with unrecognized_name', async () => {
    const { proc, peer } = await sServer([...base, '-servername_fatal']);
    const c = await ourClient({ trustedCAs: [pki.caCert], serverName: 'wrong.example', checkServerName: false });
    try {
      await assert.rejects(c.client.connect(peer), (e: unknown) => e instanceof DtlsError && e.alert === 112 && /unrecognized_name/.test(e.message));
    } finally {
      await c.client.close();
      await proc.stop();
    }
  });
});
