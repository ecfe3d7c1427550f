/**
 * `lwm2m bootstrap` in process: bad options exit 2 with the usage, a bad or missing configuration
 * file is one line naming the problem, --help exits 0, and a run refuses a Bootstrap-Request of a
 * client it has no sequence for (4.00) and ends when told to stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBootstrapCommand } from '../../src/cli/bootstrap-command.ts';
import { LwM2mClient } from '../../src/client/client.ts';

function capture(stop?: Promise<void>): { io: Parameters<typeof runBootstrapCommand>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, ...(stop !== undefined ? { stop } : {}) },
    out: () => out,
    err: () => err,
  };
}

test('bad options and configuration files: exit 2, nothing left listening', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-bscmd-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ default: { servers: { 0: { shortServerId: 1 } } } }));
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{ "endpoints": ');
  const badKey = join(dir, 'bad-key.json');
  writeFileSync(badKey, JSON.stringify({ endpoints: { dev: { servers: { 0: { lifetime: 5 } } } } }));
  const cases: { args: string[]; message: RegExp; usage: boolean }[] = [
    { args: [], message: /^lwm2m bootstrap: --config FILE is required$/m, usage: true },
    { args: ['--config', good, '--port', '70000'], message: /^lwm2m bootstrap: --port 70000 is not a port number$/m, usage: true },
    { args: ['--config', good, '--dtls-port', 'x'], message: /^lwm2m bootstrap: --dtls-port x is not a port number$/m, usage: true },
    { args: ['--config', good, '--psk', 'dev:id'], message: /^lwm2m bootstrap: --psk dev:id: expected EP:IDENTITY:HEXKEY$/m, usage: true },
    { args: ['--config', good, '--cert', 'c.pem'], message: /^lwm2m bootstrap: --cert and --key go together$/m, usage: true },
    { args: ['--config', good, '--bogus'], message: /^lwm2m bootstrap: Unknown option '--bogus'/m, usage: true },
    { args: ['--config', join(dir, 'missing.json')], message: /^lwm2m bootstrap: cannot read .*missing\.json: /m, usage: false },
    { args: ['--config', notJson], message: /^lwm2m bootstrap: .*bad\.json is not JSON: /m, usage: false },
    { args: ['--config', badKey], message: /^lwm2m bootstrap: endpoints\.dev\.servers\.0.*shortServerId/m, usage: false },
  ];
  for (const { args, message, usage } of cases) {
    const c = capture();
    assert.equal(await runBootstrapCommand(args, c.io), 2, args.join(' '));
    assert.match(c.err(), message, args.join(' '));
    if (usage) assert.match(c.err(), /^usage: lwm2m bootstrap --config FILE/m, args.join(' '));
    else assert.equal(c.err().split('\n').length, 2, c.err());
    assert.equal(c.out(), '');
  }
  const help = capture();
  assert.equal(await runBootstrapCommand(['--help'], help.io), 0);
  assert.match(help.out(), /^usage: lwm2m bootstrap --config FILE/);
});

test('a run in process: refuses a client it has no sequence for, ends when told to stop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-bscmd-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'one.json');
  writeFileSync(file, JSON.stringify({ endpoints: { known: { servers: { 0: { shortServerId: 1 } } } } }));
  let stop: () => void = () => undefined;
  const c = capture(new Promise<void>((resolve) => (stop = resolve)));
  const run = runBootstrapCommand(['--port', '0', '--address', '127.0.0.1', '--config', file], c.io);
  while (!c.out().includes('listening')) await new Promise((r) => setTimeout(r, 10));
  const port = /coap:\/\/127\.0\.0\.1:(\d+) \(1 endpoint in /.exec(c.out())?.[1];
  assert.ok(port !== undefined, c.out());
  assert.doesNotMatch(c.out(), /coaps/, 'no DTLS listener without --dtls-port, --psk or --cert');

  const client = new LwM2mClient({ endpoint: 'unknown-dev', localAddress: '127.0.0.1', timing: { maxRetries: 0 } });
  t.after(() => client.close());
  client.create('/0/0', { 0: `coap://127.0.0.1:${port}`, 1: true, 2: 3 });
  const failed = client.next('event', (e) => e.type === 'BOOTSTRAP_REG_FAILURE');
  await client.start({ bootstrap: true, wait: false });
  const event = await failed;
  assert.match(event.reason ?? '', /4\.00/);
  stop();
  assert.equal(await run, 0);
  assert.match(c.out(), /\nstopping \(stop\)\nstopped\n$/);
  assert.equal(c.err(), '');
});
