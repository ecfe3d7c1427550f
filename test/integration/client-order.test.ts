/**
 * Registration order across servers (LwM2M Core 1.1.1 6.2.1.1, /1/x/13-15) of a whole LwM2mClient
 * over real UDP on loopback, the client on a FakeClock so the start of each Register is exact: two of
 * our LwM2mServers registered with in priority order with an Initial Registration Delay; a first
 * server that never answers blocks the next (/1/x/15 true) or not (false); bootstrap on
 * registration failure (/1/x/16) of a blocking server still applies; no /1/x/13: both at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { uriPath } from '../../src/coap/options.ts';
import { parse } from '../../src/coap/parse.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import type { Peer, Transport } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { FakeClock } from '../../src/util/clock.ts';

interface Sent {
  at: number;
  port: number;
  path: string;
}

/** Records the fake time, destination port and path of every POST the client sends. */
function recordingTransport(clock: FakeClock, sent: Sent[]): (t: Transport) => Transport {
  return (inner) => ({
    get local() {
      return inner.local;
    },
    send(data: Uint8Array, peer: Peer): void {
      const msg = parse(data);
      if (msg.code === CoapCode.POST) sent.push({ at: clock.now(), port: peer.port, path: uriPath(msg.options).join('/') });
      inner.send(data, peer);
    },
    onDatagram: (h) => {
      inner.onDatagram(h);
    },
    onError: (h) => {
      inner.onError(h);
    },
    close: () => inner.close(),
  });
}

async function until(what: string, predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface Rig {
  clock: FakeClock;
  client: LwM2mClient;
  events: RdEvent[];
  sent: Sent[];
  registers: (port: number) => number[];
}

type Teardown = { after: (fn: () => Promise<void>) => void };

/** A client with one Security/Server instance pair per entry (ssid = index + 1). */
function rig(t: Teardown, servers: { port: number; server: Record<number, number | boolean | string> }[], bootstrapPort?: number): Rig {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const client = new LwM2mClient({
    endpoint: `order-${Math.random().toString(36).slice(2, 8)}`,
    clock,
    // A dropped Register fails after exactly 500 ms: no retransmission, no random factor.
    coap: { params: { ackTimeout: 500, ackRandomFactor: 1, maxRetransmit: 0 } },
    wrapTransport: recordingTransport(clock, sent),
  });
  servers.forEach(({ port, server }, i) => {
    client.create(`/0/${i}`, { 0: `coap://127.0.0.1:${port}`, 1: false, 2: 3, 10: i + 1 });
    client.create(`/1/${i}`, { 0: i + 1, 1: 300, 6: false, 7: 'U', ...server });
  });
  if (bootstrapPort !== undefined) client.create(`/0/${servers.length}`, { 0: `coap://127.0.0.1:${bootstrapPort}`, 1: true, 2: 3 });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(() => client.close());
  const registers = (port: number): number[] => sent.filter((s) => s.port === port && s.path === 'rd').map((s) => s.at);
  return { clock, client, events, sent, registers };
}

async function lwm2mServer(t: Teardown): Promise<LwM2mServer> {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  return server;
}

/** A UDP socket that receives and never answers. */
async function blackHole(t: Teardown): Promise<UdpTransport> {
  const hole = await UdpTransport.bind({ address: '127.0.0.1' });
  hole.onDatagram(() => undefined);
  t.after(() => hole.close());
  return hole;
}

test('two servers in /1/x/13 order: the second registers 3 s (/1/x/14) after the first completed', { timeout: 20_000 }, async (t) => {
  const late = await lwm2mServer(t);
  const early = await lwm2mServer(t);
  // ssid 1 has the higher value: it registers second, whatever the instance order.
  const r = rig(t, [
    { port: late.local.port, server: { 13: 2, 14: 3 } },
    { port: early.local.port, server: { 13: 1 } },
  ]);
  const lateSeen: number[] = [];
  late.on('registered', () => lateSeen.push(r.clock.now()));
  const earlyRegistered = early.next('registered');
  await r.client.start({ wait: false });
  await earlyRegistered;
  await until('the first REGISTRATION_COMPLETE', () => r.client.isRegistered(2));
  // The first registration is complete and visible at its server before anything went to the second.
  assert.equal(early.registrations().length, 1);
  assert.deepEqual(r.registers(late.local.port), []);
  assert.equal(r.client.servers().find((s) => s.ssid === 1)?.phase, 'idle');

  await r.clock.tick(2999);
  assert.deepEqual(r.registers(late.local.port), [], 'nothing before the Initial Registration Delay');
  await r.clock.tick(1);
  await until('the second registration', () => r.client.isRegistered());
  assert.deepEqual(r.registers(early.local.port), [0]);
  assert.deepEqual(r.registers(late.local.port), [3000]);
  assert.deepEqual(lateSeen, [3000]);
  assert.deepEqual(
    r.events.map((e) => `${e.type}:${String(e.ssid)}`),
    ['REGISTRATION_COMPLETE:2', 'REGISTRATION_COMPLETE:1'],
  );
  await r.client.stop();
  assert.equal(late.registrations().length, 0);
  assert.equal(early.registrations().length, 0);
});

test('no /1/x/13 on any server: both register at once, /1/x/14 not applied (as without ordering)', { timeout: 20_000 }, async (t) => {
  const a = await lwm2mServer(t);
  const b = await lwm2mServer(t);
  const r = rig(t, [
    { port: a.local.port, server: { 14: 30 } },
    { port: b.local.port, server: { 14: 30, 15: true } },
  ]);
  await r.client.start();
  assert.deepEqual(r.registers(a.local.port), [0]);
  assert.deepEqual(r.registers(b.local.port), [0]);
});

for (const block of [true, false]) {
  test(`a first server that never answers, /1/x/15 ${String(block)}: the second ${block ? 'never starts' : 'starts right after the failure'}`, { timeout: 20_000 }, async (t) => {
    const dead = await blackHole(t);
    const second = await lwm2mServer(t);
    // One attempt in one sequence (/1/x/17 = /1/x/20 = 1): the registration fails when the Register times out.
    const r = rig(t, [
      { port: dead.local.port, server: { 13: 1, 15: block, 16: false, 17: 1, 18: 1, 19: 600, 20: 1 } },
      { port: second.local.port, server: { 13: 2 } },
    ]);
    await r.client.start({ wait: false });
    await until('the first Register', () => r.registers(dead.local.port).length === 1);
    await r.clock.tick(500);
    await until('the failure', () => r.events.some((e) => e.type === 'NETWORK_ERROR'));
    const failure = r.events.find((e) => e.type === 'NETWORK_ERROR');
    assert.equal(failure?.ssid, 1);
    assert.equal(failure.reason?.includes('/1/x/15'), block);
    if (block) {
      // Up to just before the next sequence of the first server: nothing goes to the second.
      await r.clock.tick(599_000);
      assert.deepEqual(r.registers(second.local.port), []);
      assert.equal(second.registrations().length, 0);
      assert.equal(r.client.servers().find((s) => s.ssid === 2)?.phase, 'idle');
    } else {
      await until('the second registration', () => r.client.isRegistered(2));
      assert.deepEqual(r.registers(second.local.port), [500]);
    }
    assert.deepEqual(r.registers(dead.local.port), [0]);
  });
}

test('a blocking first server with /1/x/16 true: bootstrap on registration failure still applies', { timeout: 20_000 }, async (t) => {
  const dead = await blackHole(t);
  const bootstrap = await blackHole(t);
  const second = await lwm2mServer(t);
  const r = rig(
    t,
    [
      { port: dead.local.port, server: { 13: 1, 15: true, 16: true, 17: 1, 18: 1, 19: 600, 20: 1 } },
      { port: second.local.port, server: { 13: 2 } },
    ],
    bootstrap.local.port,
  );
  await r.client.start({ wait: false });
  await until('the first Register', () => r.registers(dead.local.port).length === 1);
  await r.clock.tick(500);
  await until('the Bootstrap-Request', () => r.sent.some((s) => s.port === bootstrap.local.port && s.path === 'bs'));
  assert.ok(r.client.bootstrapping);
  assert.deepEqual(r.registers(second.local.port), []);
  assert.equal(r.events.some((e) => e.type === 'NETWORK_ERROR'), false);
});
