/**
 * Options of `lwm2m client` / `lwm2m shell`: defaults, validation with clear messages, and the DTLS
 * options turned into Security object values (mode, identity/keys as DER) from PEM and DER files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClientArgs, SecurityModeId } from '../../src/cli/client-options.ts';
import { CredentialFileError, UsageError } from '../../src/cli/errors.ts';
import { testPki } from '../transport/dtls/_support.ts';

const base = ['--server', 'coap://127.0.0.1:5683', '--endpoint', 'dev'];

test('defaults and plain options', () => {
  const c = parseClientArgs(base, 'client')!;
  assert.deepEqual(
    { ...c, security: c.security.mode },
    { serverUri: 'coap://127.0.0.1:5683', endpoint: 'dev', bootstrap: false, lifetime: 300, version: '1.1', queue: false, stateFile: undefined, shell: false, security: SecurityModeId.nosec },
  );
  const d = parseClientArgs([...base, '--bootstrap', '--lifetime', '60', '--lwm2m', '1.0', '--queue', '--state', '/tmp/s.json', '--shell'], 'client')!;
  assert.deepEqual([d.bootstrap, d.lifetime, d.version, d.queue, d.stateFile, d.shell], [true, 60, '1.0', true, '/tmp/s.json', true]);
  assert.equal(parseClientArgs(['--help'], 'client'), undefined);
  const shell = parseClientArgs([], 'shell')!;
  assert.equal(shell.serverUri, undefined);
  assert.equal(shell.endpoint, undefined);
});

test('bad options are UsageErrors that say what is wrong', () => {
  const cases: [string[], 'client' | 'shell', RegExp][] = [
    [['--endpoint', 'x'], 'client', /^--server is required$/],
    [['--server', 'coap://h'], 'client', /^--endpoint is required$/],
    [[...base, '--lifetime', 'abc'], 'client', /--lifetime must be a whole number of seconds/],
    [[...base, '--lifetime', '0'], 'client', /--lifetime must be a whole number/],
    [[...base, '--lwm2m', '1.2'], 'client', /--lwm2m must be 1\.0 or 1\.1, got '1\.2'/],
    [['--server', 'http://h', '--endpoint', 'x'], 'client', /--server: unsupported server URI scheme 'http'/],
    [['--server', 'nonsense', '--endpoint', 'x'], 'client', /--server: bad server URI 'nonsense'/],
    [['--server', 'coap://h', '--endpoint', 'a&b'], 'client', /endpoint name 'a&b' is empty or has characters a query cannot carry/],
    [[...base, '--frobnicate'], 'client', /Unknown option '--frobnicate'/],
    [[...base, 'positional'], 'client', /positional/],
    [['--shell'], 'shell', /--shell is an option of 'lwm2m client'/],
    [['--server', 'coaps://h', '--endpoint', 'x'], 'client', /a coaps:\/\/ server needs DTLS credentials/],
    [[...base, '--psk-identity', 'id', '--psk-key', '00'], 'client', /DTLS credentials need a coaps:\/\/ server URI/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--psk-identity', 'id'], 'client', /--psk-identity and --psk-key go together/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--psk-identity', 'id', '--psk-key', 'abc'], 'client', /--psk-key must be an even number of hex digits, got 'abc'/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--psk-identity', '', '--psk-key', 'ab'], 'client', /--psk-identity is empty/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--psk-identity', 'i', '--psk-key', 'ab', '--rpk-key', 'k'], 'client', /give one kind of DTLS credentials, not psk and rpk/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--cert', 'c'], 'client', /--cert and --key go together/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--cert', 'c', '--key', 'k'], 'client', /--cert needs --ca FILE/],
    [['--server', 'coaps://h', '--endpoint', 'x', '--server-rpk', 's'], 'client', /--rpk-key and --server-rpk go together/],
  ];
  for (const [args, command, message] of cases) {
    assert.throws(() => parseClientArgs(args, command), (e: unknown) => e instanceof UsageError && message.test(e.message), args.join(' '));
  }
});

test('DTLS options fill the Security values; key files in PEM and DER; unreadable files are one clear line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-opts-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const secure = ['--server', 'coaps://127.0.0.1:5684', '--endpoint', 'dev'];

  const psk = parseClientArgs([...secure, '--psk-identity', 'dev-id', '--psk-key', '0A0b'], 'client')!.security;
  assert.equal(psk.mode, SecurityModeId.psk);
  assert.deepEqual(psk.publicKeyOrIdentity, new TextEncoder().encode('dev-id'));
  assert.deepEqual(psk.secretKey, Uint8Array.of(10, 11));

  const ours = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const theirs = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const files = {
    keySec1Der: join(dir, 'key-sec1.der'),
    keyPem: join(dir, 'key.pem'),
    serverPem: join(dir, 'server-pub.pem'),
    p384: join(dir, 'p384.pem'),
    garbage: join(dir, 'garbage.pem'),
    empty: join(dir, 'empty.der'),
  };
  writeFileSync(files.keySec1Der, ours.privateKey.export({ format: 'der', type: 'sec1' }));
  writeFileSync(files.keyPem, ours.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(files.serverPem, theirs.publicKey.export({ format: 'pem', type: 'spki' }));
  writeFileSync(files.p384, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(files.garbage, 'not a key at all\n');
  writeFileSync(files.empty, '');
  const spki = (k: ReturnType<typeof createPublicKey>): Uint8Array => new Uint8Array(k.export({ format: 'der', type: 'spki' }));
  for (const keyFile of [files.keySec1Der, files.keyPem]) {
    const rpk = parseClientArgs([...secure, '--rpk-key', keyFile, '--server-rpk', files.serverPem], 'client')!.security;
    assert.equal(rpk.mode, SecurityModeId.rpk);
    assert.deepEqual(rpk.serverPublicKey, spki(theirs.publicKey));
    assert.deepEqual(rpk.publicKeyOrIdentity, spki(ours.publicKey));
    assert.deepEqual(rpk.secretKey, new Uint8Array(ours.privateKey.export({ format: 'der', type: 'pkcs8' })));
    assert.equal(createPrivateKey({ key: Buffer.from(rpk.secretKey), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'ec');
  }

  const pki = testPki();
  const cert = parseClientArgs([...secure, '--cert', pki.files['client.pem']!, '--key', pki.files['client.key']!, '--ca', pki.files['ca.pem']!], 'client')!.security;
  assert.equal(cert.mode, SecurityModeId.certificate);
  assert.equal(cert.certificateUsage, 2);
  assert.deepEqual(cert.publicKeyOrIdentity, new Uint8Array(new X509Certificate(pki.clientCert).raw));
  assert.deepEqual(cert.serverPublicKey, new Uint8Array(new X509Certificate(pki.caCert).raw));
  // A DER certificate file works as well, and a certificate can stand for the server's raw public key.
  const caDer = join(dir, 'ca.der');
  writeFileSync(caDer, new X509Certificate(pki.caCert).raw);
  const certDer = parseClientArgs([...secure, '--cert', pki.files['client.pem']!, '--key', pki.files['client.key']!, '--ca', caDer], 'client')!.security;
  assert.deepEqual(certDer.serverPublicKey, cert.serverPublicKey);

  const fileCases: [string[], RegExp][] = [
    [['--rpk-key', join(dir, 'missing.pem'), '--server-rpk', files.serverPem], /^cannot read private key .*missing\.pem: no such file$/],
    [['--rpk-key', dir, '--server-rpk', files.serverPem], /^cannot read private key .*: is a directory$/],
    [['--rpk-key', files.empty, '--server-rpk', files.serverPem], /^private key .*empty\.der is empty$/],
    [['--rpk-key', files.garbage, '--server-rpk', files.serverPem], /^private key .*garbage\.pem is not a PEM or DER private key/],
    [['--rpk-key', files.p384, '--server-rpk', files.serverPem], /^private key .*p384\.pem is not a P-256 \(secp256r1\) EC key/],
    [['--rpk-key', files.keyPem, '--server-rpk', files.garbage], /^server public key .*garbage\.pem is not a PEM or DER public key or certificate/],
    [['--cert', files.keyPem, '--key', files.keyPem, '--ca', caDer], /^certificate .*key\.pem is not a PEM or DER certificate/],
  ];
  for (const [args, message] of fileCases) {
    assert.throws(
      () => parseClientArgs([...secure, ...args], 'client'),
      (e: unknown) => e instanceof CredentialFileError && message.test(e.message) && !e.message.includes('\n'),
      args.join(' '),
    );
  }
});
