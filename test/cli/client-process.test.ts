/**
 * `lwm2m client` as a child process against our LwM2mServer: it registers with the Device object
 * and the simulated temperature sensor, the temperature really changes under observation, the
 * server creates and deletes sensor instances, shell commands arrive on stdin (`--shell`), the end
 * of stdin does not stop it, SIGTERM de-registers and exits 0; bad options give the usage and exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Notification } from '../../src/server/observation.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { Child } from './_child.ts';

test('lwm2m client: registers, its temperature drifts under observation, takes shell commands, de-registers on SIGTERM', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const registered = server.next('registered');
  const child = new Child(['client', '--server', `coap://127.0.0.1:${server.local.port}`, '--endpoint', 'cli-client', '--lifetime', '120', '--shell']);
  t.after(() => child.kill());
  const { registration } = await child.until(registered, 'registered');
  assert.equal(registration.endpoint, 'cli-client');
  assert.equal(registration.lifetime, 120);
  assert.equal(registration.version, '1.1');
  assert.ok(registration.links.some((l) => l.target === '/19'), 'Binary App Data Container is supported without instances');
  assert.deepEqual(
    registration.links.filter((l) => l.target.split('/').length === 3).map((l) => l.target),
    ['/1/0', '/3/0', '/4/0', '/7/0', '/3303/0'],
  );
  await child.wait('err', /^event REGISTRATION_COMPLETE ssid=1$/m);
  assert.equal((await server.read('cli-client', '/3/0/0')).records[0]?.value, 'lwm2m-ts');
  assert.equal((await server.read('cli-client', '/3303/0/5701')).records[0]?.value, 'Cel');

  // The sensor value changes by itself about once a second.
  const observation = await server.observe('cli-client', '/3303/0/5700');
  const initial = observation.initial.records[0]?.value;
  const note = await child.until(observation[Symbol.asyncIterator]().next(), 'a notification');
  const next = (note.value as Notification | undefined)?.records[0]?.value;
  assert.ok(typeof initial === 'number' && typeof next === 'number');
  assert.notEqual(next, initial);
  assert.ok(Math.abs(next - initial) <= 0.26, `${initial} -> ${next}`);
  await observation.cancel();

  // A server may create and delete further temperature instances; a new one starts reporting.
  let updated = server.next('updated');
  const created = await server.create('cli-client', '/3303', { 5750: 'outdoor' }, { instanceId: 4 });
  assert.equal(created.location?.toString(), '/3303/4');
  assert.ok((await child.until(updated, 'update')).registration.links.some((l) => l.target === '/3303/4'));
  const instance = await server.observe('cli-client', '/3303/4');
  const value = (records: readonly { path: { resourceId: number | undefined }; value: unknown }[], rid: number): unknown => records.find((r) => r.path.resourceId === rid)?.value;
  assert.equal(value(instance.initial.records, 5701), 'Cel');
  assert.equal(value(instance.initial.records, 5750), 'outdoor');
  const first = value(instance.initial.records, 5700);
  assert.equal(typeof first, 'number');
  const sensorNote = await child.until(instance[Symbol.asyncIterator]().next(), 'a notification');
  const moved = value((sensorNote.value as Notification | undefined)?.records ?? [], 5700);
  assert.equal(typeof moved, 'number');
  assert.notEqual(moved, first);
  await instance.cancel();
  updated = server.next('updated');
  await server.delete('cli-client', '/3303/4');
  assert.ok(!(await child.until(updated, 'update')).registration.links.some((l) => l.target === '/3303/4'));

  // Shell commands from stdin.
  await child.command('write /3/0/14 +01:00', /^\/3\/0\/14 <- string "\+01:00"$/m);
  assert.equal((await server.read('cli-client', '/3/0/14')).records[0]?.value, '+01:00');
  await child.command('read /3/0/14 -s', /^\+01:00$/m);
  await child.command('read /3/0/14 -u8', /^error: read: \/3\/0\/14 is a string resource, not for -u8: read it with -s$/m);

  // The end of stdin leaves the client running; SIGTERM de-registers and exits 0.
  child.proc.stdin.end();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.proc.exitCode, null);
  assert.ok(server.registration('cli-client') !== undefined);
  const gone = server.next('deregistered');
  child.proc.kill('SIGTERM');
  assert.equal((await child.until(gone, 'de-registration')).registration.endpoint, 'cli-client');
  assert.equal(await child.exited, 0);
  assert.match(child.err, /^event DEREGISTER ssid=1\nevent DISCONNECT ssid=1$/m);
});

test('lwm2m client: bad options print the usage and exit 2; an unreadable key file is one clear line', async () => {
  const cases: { args: string[]; message: RegExp; usage: boolean }[] = [
    { args: ['client', '--endpoint', 'x'], message: /^lwm2m client: --server is required$/m, usage: true },
    {
      args: ['client', '--server', 'coaps://127.0.0.1:1', '--endpoint', 'x', '--rpk-key', '/nonexistent/key.pem', '--server-rpk', '/nonexistent/server.pem'],
      message: /^lwm2m client: cannot read private key \/nonexistent\/key\.pem: no such file$/m,
      usage: false,
    },
  ];
  await Promise.all(
    cases.map(async ({ args, message, usage }) => {
      const child = new Child(args);
      assert.equal(await child.exited, 2, args.join(' '));
      assert.match(child.err, message);
      if (usage) assert.match(child.err, /^usage: lwm2m client --server URI --endpoint NAME/m);
      else assert.equal(child.err.trimEnd().split('\n').length, 1, child.err);
      assert.equal(child.out, '');
    }),
  );
});
