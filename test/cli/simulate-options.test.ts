/**
 * `lwm2m simulate` options in process: defaults, every option's value, endpoint names and PSK
 * identities per device, each bad option (exit 2 with the usage), --help, and the refusal to start
 * more devices than the open-file limit allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/errors.ts';
import { runSimulateCommand, statusLine, summaryOf } from '../../src/cli/simulate-command.ts';
import { endpointOf, parseSimulateArgs, securityOf, SIMULATE_DEFAULTS } from '../../src/cli/simulate-options.ts';
import type { FleetStats } from '../../src/cli/fleet.ts';

const SERVER = ['--server', 'coap://127.0.0.1:5683'];

test('defaults and every option', () => {
  const d = parseSimulateArgs([...SERVER, '--count', '3'])!;
  assert.deepEqual(d, {
    serverUri: 'coap://127.0.0.1:5683',
    count: 3,
    prefix: 'sim',
    startIndex: 0,
    lifetime: 300,
    version: '1.1',
    queue: false,
    rate: undefined,
    concurrency: SIMULATE_DEFAULTS.concurrency,
    bootstrap: false,
    psk: undefined,
    sensorPeriodMs: 1000,
    statsIntervalS: 5,
    durationS: undefined,
  });
  const all = parseSimulateArgs([
    '--server',
    'coaps://[::1]:5684',
    '--count',
    '10000',
    '--prefix',
    'plant-a',
    '--start-index',
    '500',
    '--lifetime',
    '60',
    '--lwm2m',
    '1.0',
    '--queue',
    '--rate',
    '2.5',
    '--concurrency',
    '7',
    '--bootstrap',
    '--psk-identity-prefix',
    'id:',
    '--psk-key',
    '0A0b',
    '--sensor-period',
    '250',
    '--stats-interval',
    '0',
    '--duration',
    '0.5',
  ])!;
  assert.deepEqual(
    { ...all, psk: { identityPrefix: all.psk?.identityPrefix, key: [...(all.psk?.key ?? [])] } },
    {
      serverUri: 'coaps://[::1]:5684',
      count: 10000,
      prefix: 'plant-a',
      startIndex: 500,
      lifetime: 60,
      version: '1.0',
      queue: true,
      rate: 2.5,
      concurrency: 7,
      bootstrap: true,
      psk: { identityPrefix: 'id:', key: [0x0a, 0x0b] },
      sensorPeriodMs: 250,
      statsIntervalS: 0,
      durationS: 0.5,
    },
  );
  assert.equal(endpointOf(all, 0), 'plant-a-500');
  assert.equal(endpointOf(all, 9999), 'plant-a-10499');
  const s = securityOf(all, 3);
  assert.equal(s.mode, 0);
  assert.equal(new TextDecoder().decode(s.publicKeyOrIdentity), 'id:503');
  assert.deepEqual([...(s.secretKey ?? [])], [0x0a, 0x0b]);
  assert.deepEqual(securityOf(d, 1), { mode: 3 });
  assert.equal(parseSimulateArgs([...SERVER, '--count', '1', '--help']), undefined);
});

test('bad options are UsageErrors that say what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [['--count', '3'], /--server is required/],
    [[...SERVER], /--count is required/],
    [['--server', 'http://x', '--count', '3'], /^--server: /],
    [[...SERVER, '--count=-1'], /--count must be a whole number 1\.\.100000/],
    [[...SERVER, '--count', '100001'], /--count must be/],
    [[...SERVER, '--count', '2x'], /--count must be/],
    [[...SERVER, '--count', '3', '--prefix', 'a b'], /endpoint name 'a b'/],
    [[...SERVER, '--count', '3', '--prefix', ''], /endpoint name ''/],
    [[...SERVER, '--count', '3', '--start-index', '1.5'], /--start-index must be a whole number/],
    [[...SERVER, '--count', '3', '--lifetime', '0'], /--lifetime must be a whole number 1\.\.4294967295/],
    [[...SERVER, '--count', '3', '--lwm2m', '1.2'], /--lwm2m must be 1\.0 or 1\.1/],
    [[...SERVER, '--count', '3', '--rate', '0'], /--rate must be a number above 0/],
    [[...SERVER, '--count', '3', '--rate', 'fast'], /--rate must be a number/],
    [[...SERVER, '--count', '3', '--concurrency', '0'], /--concurrency must be a whole number 1\.\./],
    [[...SERVER, '--count', '3', '--sensor-period', '5'], /--sensor-period must be a whole number 10\.\./],
    [[...SERVER, '--count', '3', '--stats-interval=-1'], /--stats-interval must be a number from 0/],
    [[...SERVER, '--count', '3', '--duration', '0'], /--duration must be a number above 0/],
    [[...SERVER, '--count', '3', '--psk-key', '00'], /--psk-identity-prefix and --psk-key go together/],
    [['--server', 'coaps://127.0.0.1:5684', '--count', '3', '--psk-identity-prefix', 'p', '--psk-key', 'abc'], /--psk-key must be an even number of hex digits/],
    [[...SERVER, '--count', '3', '--psk-identity-prefix', 'p', '--psk-key', '00'], /PSK credentials need a coaps:\/\/ server URI/],
    [['--server', 'coaps://127.0.0.1:5684', '--count', '3'], /a coaps:\/\/ server needs --psk-identity-prefix and --psk-key/],
    [[...SERVER, '--count', '3', '--bogus'], /Unknown option '--bogus'/],
    [[...SERVER, '--count', '3', 'extra'], /positional argument/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseSimulateArgs(args), (e: unknown) => e instanceof UsageError && message.test(e.message), args.join(' '));
});

function capture(): { io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}

test('the command: bad options exit 2 with the usage, --help exits 0', async () => {
  for (const args of [['--count', '3'], [...SERVER, '--count', '3', '--lwm2m', '2'], [...SERVER, '--count', '3', '--nope']]) {
    const c = capture();
    assert.equal(await runSimulateCommand(args, c.io), 2, args.join(' '));
    assert.match(c.err(), /^lwm2m simulate: .+\nusage: lwm2m simulate --server URI --count N/);
    assert.equal(c.out(), '');
  }
  const c = capture();
  assert.equal(await runSimulateCommand(['--help'], c.io), 0);
  assert.match(c.out(), /^usage: lwm2m simulate/);
  assert.match(c.out(), /--psk-identity-prefix P --psk-key HEX/);
});

test('the command refuses more devices than the open-file limit allows, saying how to raise it', async () => {
  const c = capture();
  const code = await runSimulateCommand([...SERVER, '--count', '5000'], { ...c.io, limits: { softFiles: 1024, hardFiles: 524288, ephemeralPorts: 28232 } });
  assert.equal(code, 2);
  assert.equal(
    c.err(),
    "lwm2m simulate: 5000 devices need about 5100 open files (one socket each), but the limit (ulimit -n) is 1024: run 'ulimit -n 7000' in this shell and start again, or simulate fewer devices per process\n",
  );
  assert.equal(c.out(), '');
  // With --bootstrap, a device may hold two sockets for a moment: up to --concurrency more.
  const b = capture();
  assert.equal(await runSimulateCommand([...SERVER, '--count', '1000', '--bootstrap', '--concurrency', '50'], { ...b.io, limits: { softFiles: 1100, hardFiles: 1100, ephemeralPorts: undefined } }), 2);
  assert.match(b.err(), /need about 1150 open files .* the hard limit is 1100, so raise that first/);
});

const stats = (o: Partial<FleetStats>): FleetStats => ({
  devices: 10,
  started: 10,
  pending: 0,
  registering: 0,
  registered: 10,
  failed: 0,
  stopped: 0,
  registrations: 10,
  failures: 0,
  updates: 2,
  notifications: 5,
  deregistered: 0,
  errors: 0,
  allRegisteredMs: 2000,
  elapsedMs: 4000,
  ...o,
});

test('status line and summary', () => {
  assert.equal(
    statusLine(stats({ registered: 7, registering: 2, failed: 1 }), 12.345, 40.04),
    'simulate 4.0s: registered 7/10, registering 2, failed 1, pending 0 | 12.3 reg/s | updates 2 | notifications 5 | heap 40.0 MB',
  );
  const s = summaryOf(stats({}), stats({ registered: 0, stopped: 10, deregistered: 9, elapsedMs: 4567 }), 'SIGINT', 33.3);
  assert.deepEqual(s, {
    command: 'simulate',
    devices: 10,
    started: 10,
    registered: 10,
    registrations: 10,
    failures: 0,
    updates: 2,
    notifications: 5,
    deregistered: 9,
    errors: 0,
    seconds: 4.57,
    seconds_to_all_registered: 2,
    registrations_per_second: 5,
    heap_mb: 33.3,
    stopped_by: 'SIGINT',
  });
  // Never all registered: the rate is over the time it ran.
  const partial = summaryOf(stats({ registered: 4, registrations: 6, allRegisteredMs: undefined }), stats({ allRegisteredMs: undefined }), 'duration', 1);
  assert.equal(partial.seconds_to_all_registered, null);
  assert.equal(partial.registrations_per_second, 1.5);
});
