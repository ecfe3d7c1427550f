/**
 * Server Name Indication (RFC 6066 3): what our client sends (host names, never IP literals), how
 * the server parses it strictly, and how it picks a certificate per name (exact, wildcard, callback,
 * default), acknowledges the name, and resumes sessions only for the same name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { DtlsError } from '../../../src/errors.ts';
import { sniHostName } from '../../../src/transport/dtls/client-handshake.ts';
import { parseServerName, serverNameExtension } from '../../../src/transport/dtls/extensions.ts';
import { decodeClientHello, decodeServerHello } from '../../../src/transport/dtls/messages.ts';
import { parseHandshakeFragments } from '../../../src/transport/dtls/handshake-fragment.ts';
import { parseRecords } from '../../../src/transport/dtls/record.ts';
import { findNamedCertificate, hostNameMatches, normalizeHostName, type NamedCertificate } from '../../../src/transport/dtls/sni.ts';
import { SecurityMode, dtlsOptionsFromSecurity } from '../../../src/transport/dtls/lwm2m-security.ts';
import type { OwnCertificate } from '../../../src/transport/dtls/config.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../../src/transport/dtls/options.ts';
import type { Peer } from '../../../src/transport/transport.ts';
import { DtlsTransport } from '../../../src/transport/dtls/dtls-transport.ts';
import { MemoryNetwork, helloExtensions, makePair, rewriteHello, runUntil, testPki, type Pair } from './_support.ts';

const SNI = 0;

test('sniHostName: host names go out without a trailing dot; IP literals and empty names do not go out', () => {
  assert.equal(sniHostName('lwm2m.example.com'), 'lwm2m.example.com');
  assert.equal(sniHostName('lwm2m.example.com.'), 'lwm2m.example.com');
  assert.equal(sniHostName('localhost'), 'localhost');
  for (const none of [undefined, '', '.', '10.0.0.1', '::1', '[2001:db8::1]', '2001:db8::1', 'bad name']) assert.equal(sniHostName(none), undefined, String(none));
});

test('host name matching: case, trailing dot, one-label wildcards, exact names before wildcards', () => {
  assert.equal(normalizeHostName('LwM2M.Example.'), 'lwm2m.example');
  assert.ok(hostNameMatches('a.example', 'a.example'));
  assert.ok(hostNameMatches('*.example', 'a.example'));
  assert.ok(!hostNameMatches('*.example', 'example'));
  assert.ok(!hostNameMatches('*.example', 'a.b.example'));
  assert.ok(!hostNameMatches('*.example', '.example'));
  assert.ok(!hostNameMatches('a.example', 'b.example'));
  const cert = (tag: string): OwnCertificate => ({ chain: [], ders: [Buffer.from(tag)], key: undefined as never });
  const entries: NamedCertificate[] = [
    { names: ['*.example'], certificate: cert('wild') },
    { names: ['other.test', 'a.example'], certificate: cert('exact') },
  ];
  const pick = (name: string | undefined): string | undefined => findNamedCertificate(entries, name)?.ders[0]?.toString();
  assert.equal(pick('A.Example'), 'exact', 'an exact name later in the list wins over an earlier wildcard');
  assert.equal(pick('b.example'), 'wild');
  assert.equal(pick('other.test.'), 'exact');
  assert.equal(pick('x.b.example'), undefined);
  assert.equal(pick(undefined), undefined);
});

test('parseServerName is strict about the ClientHello form (RFC 6066 3)', () => {
  assert.equal(parseServerName(serverNameExtension('lwm2m.example')), 'lwm2m.example');
  assert.equal(parseServerName(Buffer.alloc(0)), undefined, 'the empty ServerHello acknowledgement');
  const list = (...entries: [number, Buffer][]): Buffer => {
    const body = Buffer.concat(entries.map(([t, n]) => Buffer.concat([Buffer.from([t, n.length >> 8, n.length & 0xff]), n])));
    return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
  };
  assert.equal(parseServerName(list([7, Buffer.from('opaque')])), undefined, 'only an unknown name type');
  const alert = (data: Buffer): number | undefined => {
    try {
      parseServerName(data);
      return undefined;
    } catch (error) {
      return (error as DtlsError).alert;
    }
  };
  assert.equal(alert(list()), 50, 'empty list');
  assert.equal(alert(list([0, Buffer.alloc(0)])), 50, 'empty host_name');
  assert.equal(alert(list([0, Buffer.from('a.example')], [0, Buffer.from('b.example')])), 47, 'two host_names');
  assert.equal(alert(list([0, Buffer.from('a\0b')])), 47, 'NUL in the name');
  assert.equal(alert(list([0, Buffer.from('été')])), 47, 'not ASCII');
  assert.equal(alert(Buffer.from([0, 5, 0, 0, 3, 0x61])), 50, 'truncated');
});

// ---- client side: what goes on the wire -------------------------------------------------------

const KEY = Buffer.alloc(16, 0x33);
const pskServer = { psk: new Map([['dev', KEY]]) };

function sentName(p: Pair): string | undefined {
  const exts = p.net.log.map((d) => helloExtensions(d.data, 1)).find((h) => h !== undefined);
  const data = exts?.find((e) => e.type === SNI)?.data;
  return data === undefined ? undefined : parseServerName(data);
}

test('our client sends the host name of a PSK coaps:// URI, not an IP literal; the server reports it', async () => {
  for (const [uri, expected, atServer] of [
    ['coaps://LwM2M.example.com:5684', 'LwM2M.example.com', 'lwm2m.example.com'],
    ['coaps://10.0.0.1:5684', undefined, undefined],
    ['coaps://[2001:db8::1]:5684', undefined, undefined],
  ] as const) {
    const options = dtlsOptionsFromSecurity({ serverUri: uri, securityMode: SecurityMode.psk, publicKeyOrIdentity: Buffer.from('dev'), secretKey: KEY })!;
    const p = makePair(options, pskServer);
    p.client.send(Buffer.from('hi'), p.serverPeer);
    await runUntil(p.clock, () => p.clientGot.length > 0 || p.clientErrors.length > 0);
    assert.equal(p.clientGot[0]?.text, 'echo:hi', uri);
    // Sent as written (a coaps: URI keeps the case of its host); the server compares it normalized.
    assert.equal(sentName(p), expected, uri);
    assert.equal(p.client.session(p.serverPeer)?.serverName, expected);
    assert.equal(p.server.session(p.serverGot[0]!.peer)?.serverName, atServer);
  }
  const sniOverride = dtlsOptionsFromSecurity({ serverUri: 'coaps://10.0.0.1', securityMode: SecurityMode.psk, publicKeyOrIdentity: Buffer.from('dev'), secretKey: KEY, sni: 'named.example' })!;
  const p = makePair(sniOverride, pskServer);
  await p.client.connect(p.serverPeer);
  assert.equal(sentName(p), 'named.example', '/0/x/14 SNI wins over the URI host');
});

// ---- server side: certificate choice ----------------------------------------------------------

function certServer(extra: Omit<DtlsServerOptions, 'clock'> = {}): Omit<DtlsServerOptions, 'clock'> {
  const pki = testPki();
  return {
    certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey },
    certificates: [{ names: ['alt.example', '*.wild.example'], chain: pki.otherServerCert, privateKey: pki.otherServerKey }],
    ...extra,
  };
}

interface Outcome {
  readonly certificate: 'default' | 'other' | 'none';
  readonly acknowledged: boolean;
  readonly serverName: string | undefined;
  readonly alert: number | undefined;
}

async function handshakeWith(clientOptions: Omit<DtlsClientOptions, 'clock'>, serverOptions: Omit<DtlsServerOptions, 'clock'>): Promise<Outcome> {
  const pki = testPki();
  const p = makePair({ checkServerName: false, ...clientOptions }, serverOptions);
  let peerCertificate: Uint8Array | undefined;
  try {
    peerCertificate = (await p.client.connect(p.serverPeer)).channel.peerCertificate;
  } catch {
    // the outcome says why
  }
  const der = (pem: string): Buffer => new X509Certificate(pem).raw;
  const sh = p.net.log.map((d) => helloExtensions(d.data, 2)).find((h) => h !== undefined);
  const serverPeer = { address: '10.0.0.2', port: 50000 };
  return {
    certificate: peerCertificate === undefined ? 'none' : Buffer.from(peerCertificate).equals(der(pki.serverCert)) ? 'default' : Buffer.from(peerCertificate).equals(der(pki.otherServerCert)) ? 'other' : 'none',
    acknowledged: sh?.some((e) => e.type === SNI && e.data.length === 0) ?? false,
    serverName: p.server.session(serverPeer)?.serverName,
    alert: (p.clientErrors[0] as DtlsError | undefined)?.alert,
  };
}

test('the server picks its certificate by the client server_name: exact, wildcard, default', async () => {
  const pki = testPki();
  const otherCa = { trustedCAs: [pki.otherCaCert] };
  const ca = { trustedCAs: [pki.caCert] };
  const server = certServer();
  assert.deepEqual(await handshakeWith({ ...otherCa, serverName: 'alt.example' }, server), { certificate: 'other', acknowledged: true, serverName: 'alt.example', alert: undefined });
  assert.deepEqual(await handshakeWith({ ...otherCa, serverName: 'ALT.example.' }, server), { certificate: 'other', acknowledged: true, serverName: 'alt.example', alert: undefined });
  assert.deepEqual(await handshakeWith({ ...otherCa, serverName: 'dev1.wild.example' }, server), { certificate: 'other', acknowledged: true, serverName: 'dev1.wild.example', alert: undefined });
  // Unknown names, names the wildcard does not cover, and no name at all get the default certificate.
  for (const serverName of ['localhost', 'unknown.example', 'a.b.wild.example', '127.0.0.1', undefined]) {
    const outcome = await handshakeWith({ ...ca, ...(serverName !== undefined ? { serverName } : {}) }, server);
    const sent = serverName === undefined || serverName === '127.0.0.1' ? undefined : serverName;
    assert.deepEqual(outcome, { certificate: 'default', acknowledged: false, serverName: sent, alert: undefined }, String(serverName));
  }
  // The choice is real: trusting only the other CA, a name that maps to the default certificate fails.
  assert.equal((await handshakeWith({ ...otherCa, serverName: 'localhost' }, server)).alert, 48);
});

test('selectCertificate decides first; undefined falls back to the named entries, then the default', async () => {
  const pki = testPki();
  const calls: [string | undefined, Peer][] = [];
  const other = { chain: pki.otherServerCert, privateKey: pki.otherServerKey };
  const server = certServer({
    certificates: [],
    selectCertificate: (name, peer) => {
      calls.push([name, peer]);
      return name === 'cb.example' ? other : undefined;
    },
  });
  assert.equal((await handshakeWith({ trustedCAs: [pki.otherCaCert], serverName: 'cb.example' }, server)).certificate, 'other');
  assert.equal((await handshakeWith({ trustedCAs: [pki.caCert], serverName: 'elsewhere.example' }, server)).certificate, 'default');
  assert.deepEqual(calls, [
    ['cb.example', { address: '10.0.0.2', port: 50000 }],
    ['elsewhere.example', { address: '10.0.0.2', port: 50000 }],
  ]);
  const failing = certServer({
    selectCertificate: () => {
      throw new Error('lookup failed');
    },
  });
  assert.equal((await handshakeWith({ trustedCAs: [pki.caCert], serverName: 'x.example' }, failing)).alert, 80, 'a throwing selector aborts with internal_error');
});

test('a server with named certificates only refuses names it has no certificate for', async () => {
  const pki = testPki();
  const server: DtlsServerOptions = { certificates: [{ names: ['alt.example'], chain: pki.otherServerCert, privateKey: pki.otherServerKey }] };
  assert.equal((await handshakeWith({ trustedCAs: [pki.otherCaCert], serverName: 'alt.example' }, server)).certificate, 'other');
  assert.equal((await handshakeWith({ trustedCAs: [pki.otherCaCert], serverName: 'nope.example' }, server)).alert, 40);
});

test('certificate options are validated at construction', () => {
  const pki = testPki();
  const inner = new MemoryNetwork().endpoint();
  assert.throws(() => DtlsTransport.server(inner, { certificates: [{ names: [], chain: pki.otherServerCert, privateKey: pki.otherServerKey }] }), /host names/);
  assert.throws(() => DtlsTransport.server(inner, { certificates: [{ names: ['a.example'], chain: pki.otherServerCert, privateKey: pki.serverKey }] }), /does not match/);
});

test('a session resumes for the same server_name only (RFC 6066 3)', async () => {
  const p = makePair({ psk: { identity: 'dev', key: KEY }, serverName: 'a.example' }, pskServer);
  await p.client.connect(p.serverPeer);
  p.client.closePeer(p.serverPeer);
  assert.equal((await p.client.connect(p.serverPeer)).resumed, true, 'same name: resumed');
  assert.equal(p.server.session({ address: '10.0.0.2', port: 50000 })?.serverName, 'a.example');

  // An on-path change of the name: the server must start a full handshake (a new session id), not
  // resume. (The handshake then fails on the altered transcript, as it must.)
  p.client.closePeer(p.serverPeer);
  const logged = p.net.log.length;
  p.net.filter = (d) => rewriteHello(d.data, 1, (exts) => exts.map((e) => (e.type === SNI ? { type: SNI, data: serverNameExtension('b.example') } : e)));
  await assert.rejects(p.client.connect(p.serverPeer));
  const hellos = p.net.log.slice(logged).flatMap((d) =>
    parseRecords(d.data, 0)
      .filter((r) => r.type === 22 && r.epoch === 0)
      .flatMap((r) => parseHandshakeFragments(r.fragment)),
  );
  const offered = hellos.filter((f) => f.msgType === 1).map((f) => decodeClientHello(f.body)).at(-1)!;
  const answered = hellos.filter((f) => f.msgType === 2).map((f) => decodeServerHello(f.body))[0]!;
  assert.equal(parseServerName(offered.extensions.find((e) => e.type === SNI)!.data), 'b.example');
  assert.equal(offered.sessionId.length, 32);
  assert.ok(!answered.sessionId.equals(offered.sessionId), 'not resumed for another name');
});
