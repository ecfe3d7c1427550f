/**
 * Event Log LogDataIncremental (/20/x/4016) and its Minimum Send Interval (/20/x/4017) on a FakeClock,
 * with two LwM2M Servers on an in-memory network: Sends only after the interval and only with new
 * data ("whichever happens later"), per-server independence, exact emptying on acknowledgement,
 * retry after a failure, and 4.05 for Read/Observe of 4016.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installEventLog, type EventLogObject } from '../../../src/client/objects/event-log.ts';
import { CoapEndpoint } from '../../../src/coap/endpoint.ts';
import { CoapCode, type CoapResponse } from '../../../src/coap/message.ts';
import { buildOptions } from '../../../src/coap/options.ts';
import { decode } from '../../../src/codec/codec.ts';
import { LwM2mEngine } from '../../../src/dm/engine.ts';
import { ObjectCatalogue } from '../../../src/model/catalogue.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import { counterRandom, MemoryNetwork, type MemoryTransport } from '../../coap/_helpers.ts';
import { serverWrite } from './_engine.ts';

const dec = new TextDecoder();

interface ServerSide {
  readonly endpoint: CoapEndpoint;
  readonly client: MemoryTransport;
  /** Sends received: time and the LogDataIncremental text. */
  readonly got: { at: number; paths: string[]; text: string }[];
  /** Answer of the next Sends (default 2.04). */
  answer: () => CoapResponse | Promise<CoapResponse>;
}

function setup(ssids: readonly number[] = [1, 2]) {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const params = { ackTimeout: 2000, ackRandomFactor: 1 };
  const engine = new LwM2mEngine({ version: '1.1', clock, endpointName: 'log', catalogue: ObjectCatalogue.builtin('1.1') });
  const servers = new Map<number, ServerSide>();
  ssids.forEach((ssid, i) => {
    engine.registry.create(`/1/${i}`, { 0: ssid, 1: 86400, 6: false, 7: 'U' });
    const ct = net.transport();
    const st = net.transport();
    const client = new CoapEndpoint(ct, { clock, random: counterRandom(), params });
    const endpoint = new CoapEndpoint(st, { clock, random: counterRandom(), params });
    const side: ServerSide = { endpoint, client: ct, got: [], answer: () => ({ code: CoapCode.CHANGED }) };
    endpoint.onRequest((r) => {
      assert.deepEqual(r.path, ['dp']);
      assert.equal(r.contentFormat, 112);
      const recs = decode(r.payload, { format: 112, basePath: '/', definitions: engine.catalogue });
      const v = recs.find((x) => x.path.toString() === '/20/0/4016')?.value;
      side.got.push({ at: clock.now(), paths: recs.map((x) => x.path.toString()), text: v instanceof Uint8Array ? dec.decode(v) : '' });
      return side.answer();
    });
    servers.set(ssid, side);
    engine.attachServer({ ssid, bootstrap: false, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  });
  const log = installEventLog(engine, { iid: 0 });
  // With several servers Access Control applies: each may read /20/0 (a Send follows the read rules).
  if (ssids.length > 1) engine.registry.create('/2/0', { 0: 20, 1: 0, 2: new Map(ssids.map((s) => [s, 1])), 3: ssids[0]! });
  return { clock, engine, log, server: (ssid: number) => servers.get(ssid)! };
}

function events(log: EventLogObject) {
  const sent: { ssid: number; bytes: number }[] = [];
  const failed: { ssid: number; retryIn: number }[] = [];
  log.on('incremental-sent', (e) => sent.push(e));
  log.on('incremental-failed', (e) => failed.push({ ssid: e.ssid, retryIn: e.retryIn }));
  return { sent, failed };
}

test('4017 = 0 (the default): LogDataIncremental is never collected nor sent', async () => {
  const { clock, log, server } = setup([1]);
  log.start();
  log.append('x');
  await clock.tick(3_600_000);
  assert.equal(server(1).got.length, 0);
  assert.equal(log.incrementalData(1), undefined);
  assert.equal(log.status & 8, 0, 'LogStatus bit 3: no incremental collection');
});

test('a Send goes out an interval after the previous one or with new data, whichever is later; none without new data', async () => {
  const { clock, engine, log, server } = setup([1]);
  const s1 = server(1);
  serverWrite(engine, '/20/0/4017', 10, 1);
  assert.equal(log.minimumSendInterval(1), 10);
  assert.equal(log.status & 8, 8, 'LogStatus bit 3: incremental collection active');
  log.append('a'); // t = 0: LogData is stopped, LogDataIncremental collects anyway
  assert.equal(log.data.length, 0);
  await clock.tick(9_999);
  assert.equal(s1.got.length, 0, 'not before the interval');
  await clock.tick(1);
  assert.deepEqual(s1.got.map((g) => [g.at, g.paths, g.text]), [[10_000, ['/20/0/4016'], 'a']]);
  assert.equal(log.incrementalData(1)?.length, 0, 'emptied on acknowledgement');

  await clock.tick(2_000); // t = 12 s: new data, but the interval since the last Send has not passed
  log.append('b');
  await clock.tick(7_999);
  assert.equal(s1.got.length, 1);
  await clock.tick(1); // t = 20 s
  assert.deepEqual(s1.got.map((g) => [g.at, g.text]), [[10_000, 'a'], [20_000, 'b']]);

  await clock.tick(60_000); // nothing new: no Send
  assert.equal(s1.got.length, 2);
  log.append('c'); // t = 80 s: the interval passed long ago, the new data goes out now
  await clock.tick(0);
  assert.deepEqual(s1.got.map((g) => [g.at, g.text]), [[10_000, 'a'], [20_000, 'b'], [80_000, 'c']]);

  serverWrite(engine, '/20/0/4017', 0, 1); // 0 stops it
  log.append('d');
  await clock.tick(3_600_000);
  assert.equal(s1.got.length, 3);
  assert.equal(log.status & 8, 0);
});

test('each server has its own interval, collection and emptying', async () => {
  const { clock, engine, log, server } = setup([1, 2]);
  serverWrite(engine, '/20/0/4017', 5, 1);
  serverWrite(engine, '/20/0/4017', 20, 2);
  assert.deepEqual([log.minimumSendInterval(1), log.minimumSendInterval(2)], [5, 20]);
  log.append('a');
  await clock.tick(7_000);
  log.append('b');
  await clock.tick(13_000); // t = 20 s
  assert.deepEqual(server(1).got.map((g) => [g.at, g.text]), [[5_000, 'a'], [10_000, 'b']]);
  assert.deepEqual(server(2).got.map((g) => [g.at, g.text]), [[20_000, 'ab']]);
  assert.equal(log.incrementalData(1)?.length, 0);
  assert.equal(log.incrementalData(2)?.length, 0);
});

test('the application interval applies to servers without their own; a server write overrides it for that server', async () => {
  const { clock, engine, log, server } = setup([1, 2]);
  log.setMinimumSendInterval(30);
  assert.equal(engine.registry.get('/20/0/4017'), 30);
  serverWrite(engine, '/20/0/4017', 0, 2);
  log.append('z');
  await clock.tick(30_000);
  assert.deepEqual(server(1).got.map((g) => g.text), ['z']);
  assert.equal(server(2).got.length, 0);
  assert.equal(log.incrementalData(2), undefined);
});

test('bytes appended while a Send is in flight stay for the next one', async () => {
  const { clock, engine, log, server } = setup([1]);
  const s1 = server(1);
  const { sent } = events(log);
  serverWrite(engine, '/20/0/4017', 10, 1);
  let release: (() => void) | undefined;
  s1.answer = () =>
    new Promise<CoapResponse>((resolve) => {
      release = () => {
        resolve({ code: CoapCode.CHANGED });
      };
    });
  log.append('one,');
  await clock.tick(10_000);
  assert.equal(s1.got.length, 1);
  assert.ok(release);
  log.append('two,');
  log.append('three');
  s1.answer = () => ({ code: CoapCode.CHANGED });
  release();
  await clock.tick(0);
  assert.deepEqual(sent, [{ ssid: 1, bytes: 4 }]);
  assert.equal(dec.decode(log.incrementalData(1)), 'two,three');
  await clock.tick(10_000);
  assert.deepEqual(s1.got.map((g) => g.text), ['one,', 'two,three']);
  assert.equal(log.incrementalData(1)?.length, 0);
});

test('a failed Send keeps the data and is tried again an interval later', async () => {
  const { clock, engine, log, server } = setup([1]);
  const s1 = server(1);
  const { failed } = events(log);
  serverWrite(engine, '/20/0/4017', 10, 1);
  s1.answer = () => ({ code: CoapCode.INTERNAL_SERVER_ERROR });
  log.append('keep');
  await clock.tick(10_000);
  assert.deepEqual(failed, [{ ssid: 1, retryIn: 10_000 }]);
  assert.equal(dec.decode(log.incrementalData(1)), 'keep');
  s1.answer = () => ({ code: CoapCode.CHANGED });
  log.append('+more');
  await clock.tick(9_999);
  assert.equal(s1.got.length, 1);
  await clock.tick(1);
  assert.deepEqual(s1.got.map((g) => g.text), ['keep', 'keep+more']);
  assert.equal(log.incrementalData(1)?.length, 0);
});

test('the collection is bounded by maxBytes, and a Send still removes only what it delivered', async () => {
  const clock = new FakeClock();
  const engine = new LwM2mEngine({ version: '1.1', clock, endpointName: 'b', catalogue: ObjectCatalogue.builtin('1.1') });
  engine.registry.create('/1/0', { 0: 1, 1: 86400, 6: false, 7: 'U' });
  const log = installEventLog(engine, { maxBytes: 4, minimumSendInterval: 60 });
  log.append('abcdef');
  assert.equal(dec.decode(log.incrementalData(1)), 'cdef');
  log.close();
  assert.equal(log.incrementalData(1), undefined);
  assert.equal(clock.pending, 0, 'close() cancels the timers');
});

test('Read, Observe and Read-Composite of 4016 answer 4.05 / leave it out; the engine Send API carries it', async () => {
  const { clock, engine, log, server } = setup([1]);
  const s1 = server(1);
  serverWrite(engine, '/20/0/4017', 3600, 1);
  log.append('secret');
  const get = (path: string, observe?: number) => s1.endpoint.request(s1.client.local, { code: CoapCode.GET, options: buildOptions({ uriPath: path, observe }) });
  assert.equal((await get('/20/0/4016')).code, CoapCode.METHOD_NOT_ALLOWED);
  assert.equal((await get('/20/0/4016', 0)).code, CoapCode.METHOD_NOT_ALLOWED);
  assert.equal(engine.observationCount(), 0);
  const inst = await s1.endpoint.request(s1.client.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/20/0', accept: 112 }) });
  assert.equal(inst.code, CoapCode.CONTENT);
  const recs = decode(inst.payload, { format: 112, basePath: '/20/0', definitions: engine.catalogue });
  assert.ok(!recs.some((r) => r.path.toString() === '/20/0/4016'), 'an instance read leaves 4016 out');
  assert.ok(recs.some((r) => r.path.toString() === '/20/0/4017'));
  // An application Send of 4016 with other paths: the value is supplied, and delivered bytes are removed.
  await engine.send(1, ['/20/0/4016', '/20/0/4013']);
  assert.deepEqual(s1.got.map((g) => [g.paths, g.text]), [[['/20/0/4013', '/20/0/4016'], 'secret']]);
  assert.equal(log.incrementalData(1)?.length, 0);
  await clock.tick(3_600_000);
  assert.equal(s1.got.length, 1, 'nothing new, no Send');
});

test('a server without read access to the instance gets no LogDataIncremental (the Send fails and is retried)', async () => {
  const { clock, engine, log, server } = setup([1, 2]);
  engine.registry.set('/2/0/2', new Map([[1, 1]]));
  const { failed } = events(log);
  log.setMinimumSendInterval(5);
  log.append('only-1');
  await clock.tick(5_000);
  assert.deepEqual(server(1).got.map((g) => g.text), ['only-1']);
  assert.equal(server(2).got.length, 0);
  assert.deepEqual(failed, [{ ssid: 2, retryIn: 5_000 }]);
  assert.equal(dec.decode(log.incrementalData(2)), 'only-1');
});
