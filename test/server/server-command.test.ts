/** The `lwm2m server` command's parsing helpers and option errors, in process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { lookup } from 'node:dns/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { parseCertForOption, parseConsoleValue, parsePskOption, runServerCommand, tokenize } from '../../src/cli/server-command.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { testPki } from '../transport/dtls/_support.ts';

test('tokenize: quotes group words', () => {
  assert.deepEqual(tokenize(`write dev /3/0/14 "+02:00 x"  exec 0='a b' 'c d' "q\\"x"`), ['write', 'dev', '/3/0/14', '+02:00 x', 'exec', "0='a", "b'", 'c d', 'q"x']);
  assert.deepEqual(tokenize('   '), []);
});

test('--psk EP:IDENTITY:HEXKEY', () => {
  assert.deepEqual(parsePskOption('dev:id:0a0B'), { endpoint: 'dev', identity: 'id', key: Uint8Array.of(0x0a, 0x0b) });
  assert.equal(parsePskOption('dev:urn:x:1:ff').identity, 'urn:x:1');
  for (const bad of ['dev', 'dev:ff', ':id:ff', 'dev::ff', 'dev:id:f', 'dev:id:zz']) assert.throws(() => parsePskOption(bad), Error, bad);
});

test('console values are typed by the resource definition', () => {
  const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
  assert.equal(parseConsoleValue('42', p('/3/0/9'), undefined), 42);
  assert.equal(parseConsoleValue('21.5', p('/3303/0/5700'), undefined), 21.5);
  assert.equal(parseConsoleValue('true', p('/1/0/6'), undefined), true);
  assert.equal(parseConsoleValue('0', p('/1/0/6'), undefined), false);
  assert.deepEqual(parseConsoleValue('0x0a0b', p('/0/0/5'), undefined), Uint8Array.of(10, 11));
  assert.equal((parseConsoleValue('2024-01-01T00:00:00Z', p('/3/0/13'), undefined) as Date).toISOString(), '2024-01-01T00:00:00.000Z');
  assert.equal((parseConsoleValue('1700000000', p('/3/0/13'), undefined) as Date).getTime(), 1_700_000_000_000);
  assert.deepEqual(parseConsoleValue('3:0', p('/1/0/10'), undefined), { oid: 3, iid: 0 });
  assert.equal(parseConsoleValue('anything', p('/9999/0/1'), undefined), 'anything');
  // No definition (a vendor object): literals are typed so that TLV carries what was meant.
  assert.equal(parseConsoleValue('11', p('/31024/10/1'), undefined), 11);
  assert.equal(parseConsoleValue('-11.5', p('/31024/10/3'), undefined), -11.5);
  assert.equal(parseConsoleValue('true', p('/31024/10/4'), undefined), true);
  assert.equal(parseConsoleValue('"123"', p('/31024/10/5'), undefined), '123');
  assert.equal(parseConsoleValue('s11', p('/31024/10/5'), undefined), 's11');
  assert.equal(parseConsoleValue('1.2.3', p('/31024/10/5'), undefined), '1.2.3');
  assert.throws(() => parseConsoleValue('lots', p('/3/0/9'), undefined));
  assert.throws(() => parseConsoleValue('101', p('/3/0/9'), undefined));
  assert.throws(() => parseConsoleValue('x', p('/3/0'), undefined));
  assert.throws(() => parseConsoleValue('yesterday', p('/3/0/13'), undefined));
});

test('bad options: exit status 2 with a message, nothing left listening', async () => {
  for (const args of [['--bogus'], ['--port', '70000'], ['--psk', 'x'], ['--key', 'k.pem'], ['--cert', '/nonexistent/c.pem', '--key', '/nonexistent/k.pem'], ['positional']]) {
    let err = '';
    const code = await runServerCommand(args, { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
    assert.equal(code, 2, args.join(' '));
    assert.match(err, /^lwm2m server: /, args.join(' '));
  }
  let out = '';
  assert.equal(await runServerCommand(['--help'], { stdin: new PassThrough(), stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } }), 0);
  assert.match(out, /composite-read EP PATH/);
});

test('a run in process: stop promise ends it', async () => {
  let out = '';
  let stop: () => void = () => undefined;
  const stdin = new PassThrough();
  const run = runServerCommand(['--port', '0', '--bootstrap-port', '0', '--address', '127.0.0.1', '--psk', 'dev:id:00ff', '--dtls-port', '0', '--bootstrap-dtls-port', '0'], {
    stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    stop: new Promise<void>((r) => (stop = r)),
  });
  while (!out.includes('bootstrap server listening on coaps')) await new Promise((r) => setTimeout(r, 10));
  assert.match(out, /LwM2M server listening on coaps:\/\/127\.0\.0\.1:\d+/);
  stdin.write('list\n');
  while (!out.includes('no clients registered')) await new Promise((r) => setTimeout(r, 10));
  stop();
  assert.equal(await run, 0);
  assert.match(out, /stopped\n$/);
});

test('--cert-for NAMES=CERT:KEY', () => {
  assert.deepEqual(parseCertForOption('localhost=certs/lh.pem:certs/lh.key'), { names: ['localhost'], certFile: 'certs/lh.pem', keyFile: 'certs/lh.key' });
  assert.deepEqual(parseCertForOption('lwm2m.example.com,*.example.net=a:b.pem:k.pem'), {
    names: ['lwm2m.example.com', '*.example.net'],
    certFile: 'a:b.pem',
    keyFile: 'k.pem',
  });
  assert.deepEqual(parseCertForOption('Host.Example.=c=1.pem:k').names, ['Host.Example.']);
  for (const bad of ['localhost', 'localhost=c.pem', '=c.pem:k.pem', 'localhost=:k.pem', 'localhost=c.pem:', 'a,,b=c:k', '*=c:k', '*.=c:k', 'a.*.b=c:k', '127.0.0.1=c:k', 'a b=c:k', '-a=c:k']) {
    assert.throws(() => parseCertForOption(bad), (e: unknown) => e instanceof UsageError && e.message.startsWith(`--cert-for ${bad}: `), bad);
  }
});

test('lwm2m server --cert-for: a client asking for localhost by SNI gets that certificate', async (t) => {
  const pki = testPki();
  const address = (await lookup('localhost')).address;
  let out = '';
  let err = '';
  let stop: () => void = () => undefined;
  const args = ['--port', '0', '--bootstrap-port', '0', '--address', address, '--dtls-port', '0', '--bootstrap-dtls-port', '0'];
  // The default certificate comes from a CA the client does not trust: only the named one can work.
  args.push('--cert', pki.files['other-server.pem']!, '--key', pki.files['other-server.key']!);
  args.push('--cert-for', `localhost,*.example=${pki.files['server-chain.pem']!}:${pki.files['server.key']!}`, '--ca', pki.files['ca.pem']!);
  const run = runServerCommand(args, {
    stdin: new PassThrough(),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stop: new Promise<void>((r) => (stop = r)),
  });
  t.after(async () => {
    stop();
    await run;
  });
  while (!out.includes('bootstrap server listening on coaps') && err === '') await new Promise((r) => setTimeout(r, 10));
  assert.equal(err, '');
  const port = /LwM2M server listening on coaps:\/\/.*:(\d+)\n/.exec(out)?.[1];
  assert.ok(port !== undefined, out);

  const client = new LwM2mClient({ endpoint: 'device-1' });
  t.after(() => client.close());
  client.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
  client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U' });
  const der = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw);
  const key = new Uint8Array(createPrivateKey(pki.clientKey).export({ format: 'der', type: 'pkcs8' }));
  client.create('/0/0', { 0: `coaps://localhost:${port}`, 1: false, 2: 2, 3: der(pki.clientCert), 4: der(pki.caCert), 5: key, 10: 1, 15: 2 });
  await client.start();
  while (!out.includes('registered device-1')) await new Promise((r) => setTimeout(r, 10));
  assert.match(out, /registered device-1 .* coaps:\/\//);
  await client.close();
});

test('--cert-for errors exit 2 with the usage; the usage lists the option', async () => {
  for (const [args, message] of [
    [['--cert-for', 'localhost'], /--cert-for localhost: expected NAME\[,NAME\.\.\.\]=CERT\.pem:KEY\.pem/],
    [['--cert-for', 'localhost=/nonexistent/c.pem:/nonexistent/k.pem'], /cannot read certificate \/nonexistent\/c\.pem/],
  ] as const) {
    let err = '';
    const code = await runServerCommand(args, { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
    assert.equal(code, 2, args.join(' '));
    assert.match(err, message);
  }
  let out = '';
  await runServerCommand(['--help'], { stdin: new PassThrough(), stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } });
  assert.match(out, /\[--cert-for NAMES=CERT:KEY\]\.\.\./);
  assert.match(out, /--cert-for NAMES=CERT:KEY +certificate and key \(PEM\) for clients asking for one of the comma-separated\n +host NAMES by SNI/);
});
