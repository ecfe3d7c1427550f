/**
 * The simulator's fleet in process: the one drift timer ticks every device once per period a slice
 * at a time; the channel tally counts notifications of open and closed sockets once; a fleet
 * registers with an LwM2mServer at the given rate, counts its devices' states, and de-registers on
 * stop; refused registrations are counted as failures with a bounded log; a stop whose
 * De-registers get no answer ends at its time bound (or when abandoned) with every socket closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel, ChannelFactory } from '../../src/client/rd/channel.ts';
import type { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { Fleet } from '../../src/cli/fleet.ts';
import { ChannelTally } from '../../src/cli/fleet-channels.ts';
import { FleetDrift } from '../../src/cli/fleet-drift.ts';
import type { TemperatureSensors } from '../../src/cli/sensor-drift.ts';
import { parseSimulateArgs, type SimulateConfig } from '../../src/cli/simulate-options.ts';
import { SecurityRegistry } from '../../src/server/security.ts';
import { LwM2mServer } from '../../src/server/server.ts';

test('FleetDrift: each device ticks once per period, a slice per firing', () => {
  const ticks = new Array<number>(25).fill(0);
  const sensors = ticks.map((_, i) => (i === 7 ? undefined : ({ tick: () => { ticks[i]!++; } } as unknown as TemperatureSensors)));
  const drift = new FleetDrift(() => sensors, 1000);
  drift.tick();
  assert.deepEqual(
    ticks.map((n, i) => (n === 1 ? i : -1)).filter((i) => i >= 0),
    [0, 10, 20],
  );
  for (let k = 1; k < 10; k++) drift.tick();
  assert.deepEqual(
    ticks,
    ticks.map((_, i) => (i === 7 ? 0 : 1)),
  );
  // A short period has fewer slices: 30 ms -> 3 firings of 10 ms.
  const few = new Array<number>(6).fill(0);
  const small = new FleetDrift(() => few.map((_, i) => ({ tick: () => { few[i]!++; } }) as unknown as TemperatureSensors), 30);
  for (let k = 0; k < 3; k++) small.tick();
  assert.deepEqual(few, [1, 1, 1, 1, 1, 1]);
});

test('ChannelTally: notifications of open and closed channels, each closed channel counted once', async () => {
  const endpoints: { counters: { notificationsSent: number } }[] = [];
  let closes = 0;
  const base: ChannelFactory = () => {
    const endpoint = { counters: { notificationsSent: 0 } };
    endpoints.push(endpoint);
    const channel = {
      endpoint: endpoint as unknown as CoapEndpoint,
      peer: { address: '127.0.0.1', port: 5683 },
      secure: false,
      setListening: () => undefined,
      onFailure: () => undefined,
      close: () => {
        closes++;
        return Promise.resolve();
      },
    } satisfies Channel;
    return Promise.resolve(channel);
  };
  const tally = new ChannelTally(base);
  const request = { uri: 'coap://127.0.0.1:5683', security: { serverUri: 'coap://127.0.0.1:5683', securityMode: 3 } };
  const a = await tally.factory(request);
  const b = await tally.factory(request);
  assert.equal(tally.openChannels, 2);
  endpoints[0]!.counters.notificationsSent = 3;
  endpoints[1]!.counters.notificationsSent = 4;
  assert.equal(tally.notificationsSent, 7);
  await a.close();
  await a.close();
  assert.equal(closes, 2);
  assert.equal(tally.openChannels, 1);
  endpoints[0]!.counters.notificationsSent = 100; // after its close: no longer read
  assert.equal(tally.notificationsSent, 7);
  await b.close();
  assert.equal(tally.openChannels, 0);
  assert.equal(tally.notificationsSent, 7);
  assert.equal(a.endpoint, endpoints[0] as unknown as CoapEndpoint);
});

function config(server: LwM2mServer, args: string[]): SimulateConfig {
  return parseSimulateArgs(['--server', `coap://127.0.0.1:${server.local.port}`, ...args])!;
}

test('Fleet: registers at the given rate, counts the states, de-registers every device on stop', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const at = new Map<string, number>();
  server.on('registered', ({ registration }) => at.set(registration.endpoint, performance.now()));
  let all: number | undefined;
  const lines: string[] = [];
  const fleet = new Fleet(config(server, ['--count', '6', '--prefix', 'paced', '--rate', '20', '--concurrency', '6']), {
    log: (l) => lines.push(l),
    onAllRegistered: (ms) => (all = ms),
  });
  assert.deepEqual({ ...fleet.stats(), elapsedMs: 0 }, {
    devices: 6,
    started: 0,
    pending: 6,
    registering: 0,
    registered: 0,
    failed: 0,
    stopped: 0,
    registrations: 0,
    failures: 0,
    updates: 0,
    notifications: 0,
    deregistered: 0,
    errors: 0,
    allRegisteredMs: undefined,
    elapsedMs: 0,
  });
  t.after(() => fleet.stop({ timeoutMs: 100 }));
  const t0 = performance.now();
  await fleet.start();
  const s = fleet.stats();
  assert.equal(s.registered, 6);
  assert.equal(s.started, 6);
  assert.equal(s.pending, 0);
  assert.equal(s.registrations, 6);
  assert.equal(fleet.openSockets, 6);
  assert.equal(typeof all, 'number');
  assert.equal(s.allRegisteredMs, all);
  // Device K starts no earlier than K/20 s after the start: at most 20 per second.
  for (let k = 1; k < 6; k++) {
    const ms = at.get(`paced-${k}`)! - t0;
    assert.ok(ms >= k * 50 - 5, `device ${k} registered ${ms.toFixed(1)} ms after the start`);
  }
  // A device of the fleet answers the server.
  assert.equal((await server.read('paced-2', '/3/0/0')).records[0]?.value, 'lwm2m-ts');

  const gone = new Set<string>();
  server.on('deregistered', ({ registration }) => gone.add(registration.endpoint));
  await fleet.stop();
  assert.equal(gone.size, 6);
  assert.equal(server.registrations().length, 0);
  const after = fleet.stats();
  assert.equal(after.deregistered, 6);
  assert.equal(after.stopped, 6);
  assert.equal(after.registered, 0);
  assert.equal(fleet.openSockets, 0);
  assert.deepEqual(lines, []);
  // stop() again is the same stop.
  await fleet.stop();
  assert.equal(fleet.stats().deregistered, 6);
});

test('Fleet: refused registrations are failures, logged up to the limit', async (t) => {
  // The server wants DTLS from these endpoints: a NoSec Register is answered 4.03.
  const security = new SecurityRegistry(Array.from({ length: 4 }, (_, i) => [`refused-${i}`, { psk: { identity: `id-${i}`, key: Uint8Array.of(1) } }] as const));
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0, security });
  t.after(() => server.close());
  const lines: string[] = [];
  const fleet = new Fleet(config(server, ['--count', '4', '--prefix', 'refused']), { log: (l) => lines.push(l), logLimit: 2, timing: { maxRetries: 0 } });
  t.after(() => fleet.stop({ timeoutMs: 100 }));
  await fleet.start();
  const s = fleet.stats();
  assert.equal(s.failed, 4);
  assert.equal(s.registered, 0);
  assert.ok(s.failures >= 4, String(s.failures));
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0]!, /^refused-\d: event REGISTRATION_FAILURE reason=".*4\.03/);
  assert.equal(lines[2], '(further failures and errors are counted in the status lines, not logged)');
  await fleet.stop();
  assert.equal(fleet.stats().deregistered, 0);
  assert.equal(fleet.openSockets, 0);
});

test('Fleet: a stop whose De-registers get no answer ends at its time bound, or at once when abandoned', async (t) => {
  for (const how of ['timeout', 'abandon'] as const) {
    const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
    t.after(() => server.close());
    const fleet = new Fleet(config(server, ['--count', '3', '--prefix', how]), { log: () => undefined });
    t.after(() => fleet.stop({ timeoutMs: 100 }));
    await fleet.start();
    assert.equal(fleet.stats().registered, 3);
    await server.close(); // nobody answers the De-registers now
    await fleet.stop(how === 'timeout' ? { timeoutMs: 200 } : { timeoutMs: 60_000, abandon: Promise.resolve() });
    const s = fleet.stats();
    assert.equal(s.deregistered, 0, how);
    assert.equal(s.stopped, 3, how);
    assert.equal(fleet.openSockets, 0, how);
  }
});
