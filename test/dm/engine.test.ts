/**
 * LwM2mEngine over the real CoAP stack on an in-memory network and a FakeClock: lock batching,
 * exact pmin/pmax timing, CON at least every 24 h, events after responses, Send, queue mode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import type { IncomingResponse } from '../../src/coap/incoming.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { decode, encodePaths } from '../../src/codec/codec.ts';
import { LwM2mEngine, type EngineEvents, type ServerSession } from '../../src/dm/engine.ts';
import { SendError } from '../../src/dm/errors.ts';
import { LwM2mStatusError, RequestRejectedError } from '../../src/errors.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { counterRandom, MemoryNetwork, type MemoryTransport } from '../coap/_helpers.ts';
import { populate } from '../integration/engine-harness.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Setup {
  clock: FakeClock;
  net: MemoryNetwork;
  engine: LwM2mEngine;
  client: CoapEndpoint;
  server: CoapEndpoint;
  ct: MemoryTransport;
  st: MemoryTransport;
  state: { reachable: boolean; outbound: number; traffic: number };
  session: ServerSession;
}

function setup(version: '1.0' | '1.1' = '1.1'): Setup {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const params = { ackTimeout: 2000, ackRandomFactor: 1 };
  const client = new CoapEndpoint(ct, { clock, random: counterRandom(), params });
  const server = new CoapEndpoint(st, { clock, random: counterRandom(), params });
  const engine = new LwM2mEngine({ version, clock, endpointName: 'mem' });
  populate(engine);
  const state = { reachable: true, outbound: 0, traffic: 0 };
  const session: ServerSession = {
    ssid: 1,
    bootstrap: false,
    endpoint: client,
    peer: st.local,
    reachable: () => state.reachable,
    traffic: () => {
      state.traffic++;
    },
    outbound: () => {
      state.outbound++;
    },
  };
  engine.attachServer(session);
  return { clock, net, engine, client, server, ct, st, state, session };
}

function req(s: Setup, code: number, path: string, init: { accept?: number; format?: number; payload?: Uint8Array; query?: string; observe?: number } = {}) {
  return s.server.request(s.ct.local, {
    code,
    options: buildOptions({ uriPath: path, accept: init.accept, contentFormat: init.format, uriQuery: init.query, observe: init.observe }),
    payload: init.payload,
  });
}

async function observe(s: Setup, path: string, accept?: number) {
  const got: IncomingResponse[] = [];
  const obs = await s.server.observe(s.ct.local, { code: CoapCode.GET, options: buildOptions({ uriPath: path, observe: 0, accept }) }, { onNotification: (n) => got.push(n) });
  return { obs, got };
}

/** Notifications the client sent (messages carrying Observe after the registration response). */
function notifications(s: Setup): { type: number; at: number }[] {
  return s.ct.sent.filter((m) => m.msg.code === CoapCode.CONTENT && m.msg.type !== CoapType.ACK).map((m) => ({ type: m.msg.type, at: m.at }));
}

describe('registry lock', () => {
  it('produces one notification per observation and one per composite observation after unlock', async () => {
    const s = setup();
    s.engine.registry.set('/1/0/2', 0); // pmin 0
    s.engine.registry.set('/3/0/10', 500);
    const a = await observe(s, '/3/0/9');
    const b = await observe(s, '/3/0/10');
    const c = await observe(s, '/3/0', 110);
    const got: IncomingResponse[] = [];
    await s.server.observe(
      s.ct.local,
      { code: CoapCode.FETCH, options: buildOptions({ uriPath: '/', observe: 0, contentFormat: 110, accept: 110 }), payload: encodePaths(['/3/0/9', '/3/0/10'], 110) },
      { onNotification: (n) => got.push(n) },
    );
    const reg = s.engine.registry;
    reg.lock();
    for (const v of [10, 20, 30]) reg.set('/3/0/9', v);
    for (const v of [1000, 2000]) reg.set('/3/0/10', v);
    await s.clock.tick(0);
    assert.equal(a.got.length + b.got.length + c.got.length + got.length, 0, 'nothing while locked');
    reg.unlock();
    await s.clock.tick(0);
    assert.deepEqual([a.got.length, b.got.length, c.got.length, got.length], [1, 1, 1, 1]);
    assert.equal(dec.decode(a.got[0]!.payload), '30');
    assert.equal(dec.decode(b.got[0]!.payload), '2000');
    const composite = decode(got[0]!.payload, { format: 110, basePath: '/', definitions: s.engine.catalogue });
    assert.deepEqual(composite.map((r) => [r.path.toString(), r.value]), [['/3/0/9', 30], ['/3/0/10', 2000]]);
    const inst = decode(c.got[0]!.payload, { format: 110, basePath: '/3/0', definitions: s.engine.catalogue });
    assert.equal(inst.find((r) => r.path.toString() === '/3/0/9')?.value, 30);
  });

  it('without the lock, every change is a notification (pmin 0)', async () => {
    const s = setup();
    s.engine.registry.set('/1/0/2', 0);
    const a = await observe(s, '/3/0/9');
    for (const v of [10, 20, 30]) s.engine.registry.set('/3/0/9', v);
    await s.clock.tick(0);
    assert.deepEqual(a.got.map((n) => dec.decode(n.payload)), ['10', '20', '30']);
  });
});

describe('notification timing on the CoAP stack', () => {
  it('honours pmin and pmax exactly (server defaults /1/0/2 = 1, /1/0/3 = 10)', async () => {
    const s = setup();
    const start = s.clock.now();
    const a = await observe(s, '/3/0/9');
    s.engine.registry.set('/3/0/9', 50);
    await s.clock.tick(999);
    assert.equal(a.got.length, 0);
    await s.clock.tick(1);
    assert.equal(a.got.length, 1);
    await s.clock.tick(9999);
    assert.equal(a.got.length, 1);
    await s.clock.tick(1);
    assert.equal(a.got.length, 2);
    assert.deepEqual(notifications(s).map((n) => n.at - start), [1000, 11000]);
  });

  it('sends a Confirmable notification at least once per 24 hours', async () => {
    const s = setup();
    s.engine.registry.set('/1/0/3', 7200);
    await observe(s, '/3/0/9');
    await s.clock.tick(24 * 3600 * 1000);
    const types = notifications(s).map((n) => n.type);
    assert.equal(types.length, 12);
    assert.deepEqual(types.slice(0, 11), Array(11).fill(CoapType.NON));
    assert.equal(types[11], CoapType.CON);
  });

  it('sends Confirmable notifications when the server set con=1, and reports a notification timeout', async () => {
    const s = setup();
    const events: EngineEvents['notify-timeout'][] = [];
    s.engine.on('notify-timeout', (e) => events.push(e));
    assert.equal((await req(s, CoapCode.PUT, '/3/0/9', { query: 'con=1' })).code, CoapCode.CHANGED);
    await observe(s, '/3/0/9');
    s.net.drop = (m, from) => from.port === s.ct.local.port && m.code === CoapCode.CONTENT && m.type === CoapType.CON;
    s.engine.registry.set('/3/0/9', 1);
    await s.clock.tick(1000);
    assert.equal(notifications(s)[0]?.type, CoapType.CON);
    await s.clock.tick(120_000);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.ssid, 1);
    assert.equal(events[0]!.paths[0]!.toString(), '/3/0/9');
    assert.equal(s.engine.observationCount(), 0);
  });
});

describe('queue mode', () => {
  it('holds notifications while unreachable, wakes the RD runner once, and flushes', async () => {
    const s = setup();
    const a = await observe(s, '/3/0/9');
    s.state.reachable = false;
    s.engine.registry.set('/3/0/9', 1);
    s.engine.registry.set('/3/0/9', 2);
    await s.clock.tick(20_000);
    assert.equal(a.got.length, 0);
    assert.equal(s.state.outbound, 1);
    s.state.reachable = true;
    s.engine.flushQueued(1);
    await s.clock.tick(0);
    assert.equal(dec.decode(a.got.at(-1)!.payload), '2');
  });
});

describe('events to the RD layer', () => {
  it('emits after the response went out', async () => {
    const s = setup();
    await s.clock.tick(0); // events of populate()
    const order: string[] = [];
    s.engine.on('lifetime-changed', (e) => order.push(`lifetime ${e.ssid} ${e.lifetime} acked=${String(s.ct.sent.some((m) => m.msg.type === CoapType.ACK && m.msg.code === CoapCode.CHANGED))}`));
    s.engine.on('binding-changed', (e) => order.push(`binding ${e.binding}`));
    s.engine.on('update-trigger', (e) => order.push(`update ${e.ssid}`));
    s.engine.on('disable', (e) => order.push(`disable ${e.ssid} ${e.timeout}`));
    s.engine.on('bootstrap-trigger', (e) => order.push(`bootstrap ${e.ssid}`));
    s.engine.on('instances-changed', (e) => order.push(`instances +${e.created.join()} -${e.deleted.join()} ${e.source}`));
    await req(s, CoapCode.PUT, '/1/0/1', { format: 0, payload: enc.encode('120') });
    await s.clock.tick(0);
    await req(s, CoapCode.PUT, '/1/0/7', { format: 0, payload: enc.encode('UQ') });
    await req(s, CoapCode.POST, '/1/0/8');
    await req(s, CoapCode.POST, '/1/0/4');
    await req(s, CoapCode.POST, '/1/0/9');
    s.engine.registry.supportObject(16);
    await req(s, CoapCode.POST, '/16');
    await req(s, CoapCode.DELETE, '/16/0');
    await s.clock.tick(0);
    assert.deepEqual(order, [
      'lifetime 1 120 acked=true',
      'binding UQ',
      'update 1',
      'disable 1 86400',
      'bootstrap 1',
      'instances +/16/0 - server',
      'instances + -/16/0 server',
    ]);
  });

  it('coalesces the instances created by one run of application calls into one event', async () => {
    const s = setup();
    await s.clock.tick(0);
    const seen: string[] = [];
    s.engine.on('instances-changed', (e) => seen.push(`${e.source} +${e.created.join(' ')}`));
    for (let i = 0; i < 3; i++) s.engine.registry.create(`/16/${i}`);
    await s.clock.tick(0);
    assert.deepEqual(seen, ['app +/16/0 /16/1 /16/2']);
  });

  it('answers 5.00 for a callback exception and reports it', async () => {
    const s = setup();
    const errors: Error[] = [];
    s.engine.on('error', (e) => errors.push(e));
    s.engine.registry.onExecute('/3/0/5', () => {
      throw new Error('kaboom');
    });
    s.engine.registry.onExecute('/3/0/12', () => {
      throw new LwM2mStatusError(0x83, 'forbidden');
    });
    assert.equal((await req(s, CoapCode.POST, '/3/0/5')).code, CoapCode.INTERNAL_SERVER_ERROR);
    assert.equal((await req(s, CoapCode.POST, '/3/0/12')).code, CoapCode.FORBIDDEN);
    assert.deepEqual(errors.map((e) => e.message), ['kaboom']);
  });
});

describe('registration links', () => {
  it('lists objects and instances with ver and ct per version, never Security', () => {
    const s11 = setup('1.1');
    s11.engine.registry.supportObject(5);
    assert.equal(s11.engine.registrationLinks(), '</>;rt="oma.lwm2m";ct=112,</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>,</5>;ver=1.1');
    const s10 = setup('1.0');
    s10.engine.registry.create('/16/2');
    assert.equal(s10.engine.registrationLinks(), '</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</16/2>');
  });
});

describe('Send', () => {
  function acceptSends(s: Setup, code: number = CoapCode.CHANGED): { payloads: Uint8Array[]; formats: (number | undefined)[] } {
    const out = { payloads: [] as Uint8Array[], formats: [] as (number | undefined)[] };
    s.server.onRequest((r) => {
      assert.deepEqual(r.path, ['dp']);
      assert.equal(r.method, CoapCode.POST);
      out.payloads.push(r.payload);
      out.formats.push(r.contentFormat);
      return { code };
    });
    return out;
  }

  it('posts /dp in SenML CBOR and resolves on 2.04', async () => {
    const s = setup();
    const got = acceptSends(s);
    await s.engine.send(1, ['/1/0/1', '/3/0/11']);
    assert.deepEqual(got.formats, [112]);
    const recs = decode(got.payloads[0]!, { format: 112, basePath: '/', definitions: s.engine.catalogue });
    assert.deepEqual(recs.map((r) => [r.path.toString(), r.value]), [['/1/0/1', 86400], ['/3/0/11/0', 0]]);
  });

  it('carries cached entries and drains them only after the acknowledgement', async () => {
    const s = setup();
    const reg = s.engine.registry;
    reg.create('/3303/0', { 5700: 20 });
    reg.enableCache('/3303/0/5700', 10);
    reg.set('/3303/0/5700', 21);
    await s.clock.tick(1000);
    reg.set('/3303/0/5700', 22);
    const got = acceptSends(s, CoapCode.BAD_REQUEST);
    await assert.rejects(s.engine.send(1, ['/3303/0/5700'], { format: 110 }), (e: unknown) => e instanceof RequestRejectedError && e.coapCode === CoapCode.BAD_REQUEST);
    assert.equal(reg.cache.size('/3303/0/5700'), 2, 'kept after a rejection');
    s.server.onRequest((r) => {
      got.payloads.push(r.payload);
      return { code: CoapCode.CHANGED };
    });
    await s.engine.send(1, ['/3303/0/5700'], { format: 110 });
    const recs = JSON.parse(dec.decode(got.payloads[1])) as { t?: number; bt?: number; v: number }[];
    assert.deepEqual(recs.map((r) => r.v), [21, 22]);
    assert.equal(reg.cache.size('/3303/0/5700'), 0);
  });

  it('refuses when muted, on 1.0, without a session, or with nothing readable', async () => {
    const s = setup();
    s.engine.registry.set('/1/0/23', true);
    await assert.rejects(s.engine.send(1, ['/3/0']), (e: unknown) => e instanceof SendError && e.reason === 'muted');
    s.engine.registry.set('/1/0/23', false);
    await assert.rejects(s.engine.send(2, ['/3/0']), (e: unknown) => e instanceof SendError && e.reason === 'no-server');
    await assert.rejects(s.engine.send(1, ['/3/9']), (e: unknown) => e instanceof SendError && e.reason === 'no-data');
    await assert.rejects(setup('1.0').engine.send(1, ['/3/0']), (e: unknown) => e instanceof SendError && e.reason === 'unsupported');
  });

  it('waits while unreachable, asks to wake up, and goes out on flushQueued', async () => {
    const s = setup();
    const got = acceptSends(s);
    s.state.reachable = false;
    let done = false;
    const p = s.engine.send(1, ['/3/0/0']).then(() => {
      done = true;
    });
    await s.clock.tick(0);
    assert.equal(s.state.outbound, 1);
    assert.equal(got.payloads.length, 0);
    s.state.reachable = true;
    s.engine.flushQueued(1);
    await p;
    assert.ok(done);
    assert.equal(got.payloads.length, 1);
  });

  it('rejects queued Sends when the server is detached', async () => {
    const s = setup();
    s.state.reachable = false;
    const p = s.engine.send(1, ['/3/0/0']);
    await s.clock.tick(0);
    s.engine.detachServer(1);
    await assert.rejects(p, (e: unknown) => e instanceof SendError && e.reason === 'detached');
  });
});

describe('data cache in Read and Notify', () => {
  it('SenML reads carry every cached entry, other formats the current value; notifications carry the new entries', async () => {
    const s = setup();
    const reg = s.engine.registry;
    reg.set('/1/0/2', 0);
    reg.create('/3303/0', { 5700: 20 });
    reg.enableCache('/3303/0/5700', 8);
    const t0 = s.clock.wallTime() / 1000;
    reg.set('/3303/0/5700', 21);
    await s.clock.tick(1000);
    reg.set('/3303/0/5700', 22);
    const senml = await req(s, CoapCode.GET, '/3303/0/5700', { accept: 110 });
    const recs = decode(senml.payload, { format: 110, basePath: '/3303/0/5700', definitions: s.engine.catalogue });
    assert.deepEqual(recs.map((r) => [r.value, r.time]), [[21, t0], [22, t0 + 1]]);
    assert.equal(dec.decode((await req(s, CoapCode.GET, '/3303/0/5700')).payload), '22');
    assert.equal(reg.cache.size('/3303/0/5700'), 2, 'a Read does not consume the cache');
    const a = await observe(s, '/3303/0/5700', 110);
    await s.clock.tick(1000);
    reg.set('/3303/0/5700', 23);
    await s.clock.tick(0);
    const n = decode(a.got[0]!.payload, { format: 110, basePath: '/3303/0/5700', definitions: s.engine.catalogue });
    assert.deepEqual(n.map((r) => [r.value, r.time]), [[23, t0 + 2]]);
  });
});

describe('observations and registrations', () => {
  it('survive an Update but are cleared for a new registration and on detach', async () => {
    const s = setup();
    const a = await observe(s, '/3/0/9');
    assert.equal(s.engine.observationCount(1), 1);
    s.engine.clearObservations(1);
    assert.equal(s.engine.observationCount(1), 0);
    s.engine.registry.set('/3/0/9', 3);
    await s.clock.tick(2000);
    assert.equal(a.got.length, 0);
    await observe(s, '/3/0/9');
    s.engine.detachServer(1);
    assert.equal(s.engine.observationCount(), 0);
    assert.equal((await req(s, CoapCode.GET, '/3/0/0')).code, CoapCode.UNAUTHORIZED);
  });

  it('start again after every observation was cleared: the next one notifies as the first did', async () => {
    const s = setup();
    await observe(s, '/3/0/9');
    s.engine.clearObservations(1);
    assert.deepEqual(s.engine.observations(), []);
    const b = await observe(s, '/3/0/9');
    assert.equal(s.engine.observationCount(1), 1);
    s.engine.registry.set('/3/0/9', 42);
    await s.clock.tick(999); // pmin /1/0/2 = 1 s
    assert.equal(b.got.length, 0);
    await s.clock.tick(1);
    assert.equal(b.got.length, 1);
    assert.equal(dec.decode(b.got[0]!.payload), '42');
  });

  it('a server attached again on the same socket is served again', async () => {
    const s = setup();
    s.engine.detachServer(1);
    assert.equal((await req(s, CoapCode.GET, '/3/0/9')).code, CoapCode.UNAUTHORIZED);
    s.engine.attachServer(s.session);
    const res = await req(s, CoapCode.GET, '/3/0/9');
    assert.equal(res.code, CoapCode.CONTENT);
    assert.equal(s.engine.session(1), s.session);
  });
});
