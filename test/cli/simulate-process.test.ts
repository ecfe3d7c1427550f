/**
 * `lwm2m simulate` as a child process against our LwM2mServer: 50 devices register (the server
 * holds all 50), an observed device's temperature drifts and notifies, status lines count it, and
 * SIGTERM de-registers all 50 and exits 0 with the JSON summary; `--duration` stops by itself (with
 * LwM2M 1.0 and queue mode); `--psk-identity-prefix` registers over coaps:// with one PSK identity
 * per device; `--bootstrap` bootstraps each device first. A bad option: usage, exit 2 (the other
 * option errors are checked in process, in simulate-options.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import type { Notification } from '../../src/server/observation.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { Child } from './_child.ts';

/** Resolves once `server` has emitted `event` for `n` distinct endpoints; the set holds them. */
function countEndpoints(server: LwM2mServer, event: 'registered' | 'deregistered', n: number): { seen: Set<string>; done: Promise<void> } {
  const seen = new Set<string>();
  const done = new Promise<void>((resolve) => {
    server.on(event, ({ registration }) => {
      seen.add(registration.endpoint);
      if (seen.size === n) resolve();
    });
  });
  return { seen, done };
}

/** The last line of the child's stdout, parsed. */
function summary(child: Child): Record<string, unknown> {
  const lines = child.out.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

const range = (prefix: string, from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${from + i}`).sort();

test('lwm2m simulate --count 50: all register, a temperature notifies, SIGTERM de-registers all and prints the summary', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const registered = countEndpoints(server, 'registered', 50);
  const deregistered = countEndpoints(server, 'deregistered', 50);
  const child = new Child([
    'simulate',
    '--server',
    `coap://127.0.0.1:${server.local.port}`,
    '--count',
    '50',
    '--prefix',
    'fleet',
    '--start-index',
    '10',
    '--lifetime',
    '120',
    '--sensor-period',
    '200',
    '--stats-interval',
    '0.3',
  ]);
  t.after(() => child.kill());
  await child.until(registered.done, '50 registrations', 20_000);
  const regs = server.registrations();
  assert.deepEqual(regs.map((r) => r.endpoint).sort(), range('fleet', 10, 50));
  assert.ok(regs.every((r) => r.lifetime === 120 && r.version === '1.1' && !r.queueMode));
  assert.deepEqual(
    regs[0]!.links.filter((l) => l.target.split('/').length === 3).map((l) => l.target),
    ['/1/0', '/3/0', '/3303/0'],
  );
  assert.equal(new Set(regs.map((r) => r.address.port)).size, 50, 'one socket per device');
  await child.wait('err', /^simulate: all 50 registered in [0-9.]+ s$/m);
  assert.equal((await server.read('fleet-33', '/3/0/2')).records[0]?.value, 'SIM-33');

  const observedAt = performance.now();
  const observation = await server.observe('fleet-33', '/3303/0/5700');
  const initial = observation.initial.records[0]?.value;
  const note = await child.until(observation[Symbol.asyncIterator]().next(), 'a notification');
  // Each 200 ms drift step moves by at most 0.25; a loaded machine may fit several steps in before the notification.
  const steps = Math.ceil((performance.now() - observedAt) / 200) + 1;
  const next = (note.value as Notification | undefined)?.records[0]?.value;
  assert.ok(typeof initial === 'number' && typeof next === 'number');
  assert.notEqual(next, initial);
  assert.ok(Math.abs(next - initial) <= 0.25 * steps + 0.001, `${initial} -> ${next} in ${steps} steps`);
  await child.wait('err', /^simulate [0-9.]+s: registered 50\/50, registering 0, failed 0, pending 0 \| [0-9.]+ reg\/s \| updates 0 \| notifications [1-9][0-9]* \| heap [0-9.]+ MB$/m);
  await observation.cancel();

  child.proc.kill('SIGTERM');
  await child.until(deregistered.done, '50 de-registrations');
  assert.equal(await child.exited, 0);
  assert.equal(server.registrations().length, 0);
  assert.match(child.err, /^stopping \(SIGTERM\): de-registering 50 registered devices$/m);
  const s = summary(child);
  assert.equal(s.command, 'simulate');
  assert.equal(s.devices, 50);
  assert.equal(s.started, 50);
  assert.equal(s.registered, 50);
  assert.equal(s.registrations, 50);
  assert.equal(s.failures, 0);
  assert.equal(s.deregistered, 50);
  assert.equal(s.stopped_by, 'SIGTERM');
  assert.ok(typeof s.notifications === 'number' && s.notifications >= 1, String(s.notifications));
  assert.ok(typeof s.seconds_to_all_registered === 'number' && s.seconds_to_all_registered > 0);
  assert.ok(typeof s.registrations_per_second === 'number' && s.registrations_per_second > 0);
  assert.ok(typeof s.heap_mb === 'number' && s.heap_mb > 0);
});

test('lwm2m simulate --duration: stops by itself, de-registering (LwM2M 1.0, queue mode)', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const deregistered = countEndpoints(server, 'deregistered', 3);
  const registered = countEndpoints(server, 'registered', 3);
  const child = new Child(['simulate', '--server', `coap://127.0.0.1:${server.local.port}`, '--count', '3', '--lwm2m', '1.0', '--queue', '--duration', '1.5', '--stats-interval', '0']);
  t.after(() => child.kill());
  await child.until(registered.done, '3 registrations');
  const regs = server.registrations();
  assert.deepEqual(regs.map((r) => r.endpoint).sort(), range('sim', 0, 3));
  assert.ok(regs.every((r) => r.version === '1.0' && r.queueMode), JSON.stringify(regs.map((r) => [r.version, r.queueMode])));
  await child.until(deregistered.done, 'de-registrations');
  assert.equal(await child.exited, 0);
  const s = summary(child);
  assert.equal(s.stopped_by, 'duration');
  assert.equal(s.deregistered, 3);
  assert.ok(typeof s.seconds === 'number' && s.seconds >= 1.5);
  assert.equal(child.err.match(/reg\/s/g)?.length, 1, 'with --stats-interval 0 the final status line is the only one');
  assert.match(child.err, /^stopping \(duration\)/m);
});

test('lwm2m simulate --psk-identity-prefix: registers over coaps:// with one PSK identity per device', async (t) => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const security = new SecurityRegistry(Array.from({ length: 5 }, (_, i) => [`dtls-${i}`, { psk: { identity: `psk-id-${i}`, key } }] as const));
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0, security, dtls: { address: '127.0.0.1', port: 0 } });
  t.after(() => server.close());
  const registered = countEndpoints(server, 'registered', 5);
  const deregistered = countEndpoints(server, 'deregistered', 5);
  const child = new Child([
    'simulate',
    '--server',
    `coaps://127.0.0.1:${server.secureLocal!.port}`,
    '--count',
    '5',
    '--prefix',
    'dtls',
    '--psk-identity-prefix',
    'psk-id-',
    '--psk-key',
    Buffer.from(key).toString('hex'),
  ]);
  t.after(() => child.kill());
  await child.until(registered.done, '5 registrations over DTLS', 20_000);
  for (const r of server.registrations()) {
    assert.equal(r.listener, 'dtls');
    assert.equal(r.identity.pskIdentity, `psk-id-${r.endpoint.slice('dtls-'.length)}`);
  }
  child.proc.kill('SIGINT');
  await child.until(deregistered.done, 'de-registrations over DTLS');
  assert.equal(await child.exited, 0);
  assert.equal(summary(child).deregistered, 5);
});

test('lwm2m simulate --bootstrap: each device bootstraps, then registers with the server it was given', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const bootstrap = await BootstrapServer.start({
    address: '127.0.0.1',
    port: 0,
    config: parseBootstrapConfig({
      default: {
        delete: ['/0', '/1'],
        security: { 1: { uri: `coap://127.0.0.1:${server.local.port}`, bootstrapServer: false, securityMode: 'nosec', shortServerId: 9 } },
        servers: { 0: { shortServerId: 9, lifetime: 77, binding: 'U' } },
      },
    }),
  });
  t.after(() => bootstrap.close());
  const finished = new Set<string>();
  bootstrap.on('finished', ({ result }) => finished.add(result.endpoint));
  const registered = countEndpoints(server, 'registered', 4);
  const child = new Child(['simulate', '--server', `coap://127.0.0.1:${bootstrap.local.port}`, '--count', '4', '--prefix', 'bs', '--bootstrap', '--rate', '50']);
  t.after(() => child.kill());
  await child.until(registered.done, '4 registrations after bootstrap', 20_000);
  assert.deepEqual([...finished].sort(), range('bs', 0, 4));
  assert.ok(server.registrations().every((r) => r.lifetime === 77));
  const deregistered = countEndpoints(server, 'deregistered', 4);
  child.proc.kill('SIGTERM');
  await child.until(deregistered.done, 'de-registrations');
  assert.equal(await child.exited, 0);
  assert.equal(summary(child).registered, 4);
});

test('lwm2m simulate: a bad option prints the usage and exits 2', async () => {
  const child = new Child(['simulate', '--server', 'coap://127.0.0.1:5683', '--count', '0']);
  assert.equal(await child.exited, 2);
  assert.match(child.err, /^lwm2m simulate: --count must be a whole number 1\.\.100000, got '0'$/m);
  assert.match(child.err, /^usage: lwm2m simulate --server URI --count N/m);
  assert.equal(child.out, '');
});
