/** The `lwm2m server` command's parsing helpers and option errors, in process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseConsoleValue, parsePskOption, runServerCommand, tokenize } from '../../src/cli/server-command.ts';
import { LwM2mPath } from '../../src/model/path.ts';

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
