/**
 * OMA ETS 1.1 Information Reporting cases (301-311) over real UDP on 127.0.0.1. The engine and its
 * endpoint run on a FakeClock, so pmin/pmax are checked exactly; the server peer runs on real time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IncomingResponse } from '../../src/coap/incoming.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { ContentFormat as CF, decode } from '../../src/codec/index.ts';
import { SendError } from '../../src/dm/errors.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { codeOf, collect, startEngine, wait, type Harness } from './engine-harness.ts';

const SENML_CBOR = CF.SENML_CBOR;
const SETTLE = 60;

async function fake(t: Parameters<typeof startEngine>[0]): Promise<Harness & { clock: FakeClock }> {
  const clock = new FakeClock();
  const h = await startEngine(t, { clock });
  return { ...h, clock };
}

/** Advances fake time and gives the datagrams time to arrive. */
async function advance(h: { clock: FakeClock }, ms: number): Promise<void> {
  await h.clock.tick(ms);
  await wait(SETTLE);
}

function values(h: Harness, n: IncomingResponse, base: string): Map<string, unknown> {
  return h.server.values(n, base);
}

/** C.1: no default pmin/pmax on the server account. */
function configurationC1(h: Harness): void {
  h.engine.registry.set('/1/0/2', 0);
  h.engine.registry.set('/1/0/3', 0);
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

test('LightweightM2M-1.1-int-301 Observation and Notification of parameter values', async (t) => {
  const h = await fake(t);
  const initial = h.server.values(await h.server.get('/3/0/6', { accept: CF.TLV }), '/3/0/6');
  assert.deepEqual([...initial.values()], [1, 5]);
  assert.equal(codeOf(await h.server.put('/3/0/7', { query: 'pmin=5&pmax=10' })), '2.04');
  const obs = await h.server.observe('/3/0/7', { accept: CF.TLV });
  assert.equal(codeOf(obs.response), '2.05');
  const got = collect(obs);
  h.engine.registry.set('/3/0/7/0', 3000);
  await advance(h, 4999);
  assert.equal(got.length, 0, 'not before pmin');
  await advance(h, 1);
  assert.equal(got.length, 1);
  assert.equal(values(h, got[0]!, '/3/0/7').get('/3/0/7/0'), 3000);
  h.engine.registry.set('/3/0/7/0', 3500);
  await advance(h, 4999);
  assert.equal(got.length, 1);
  await advance(h, 1);
  assert.equal(values(h, got[1]!, '/3/0/7').get('/3/0/7/0'), 3500);
  await advance(h, 9999);
  assert.equal(got.length, 2, 'pmax not yet');
  await advance(h, 1);
  assert.equal(got.length, 3);
  assert.equal(values(h, got[2]!, '/3/0/7').get('/3/0/7/0'), 3500);
});

test('LightweightM2M-1.1-int-302 Cancel Observations using Reset Operation', async (t) => {
  const h = await fake(t);
  const o7 = await h.server.observe('/3/0/7', { accept: CF.TLV });
  const o8 = await h.server.observe('/3/0/8', { accept: CF.TLV });
  const got7 = collect(o7);
  assert.equal(h.engine.observationCount(1), 2);
  h.engine.registry.set('/3/0/7/0', 4000);
  await advance(h, 1000);
  assert.equal(values(h, got7[0]!, '/3/0/7').get('/3/0/7/0'), 4000);
  o7.forget(); // the next notification is answered with RST
  h.engine.registry.set('/3/0/7/0', 3000);
  await advance(h, 1000);
  await until(() => h.engine.observationCount(1) === 1);
  const got8 = collect(o8);
  h.engine.registry.set('/3/0/8/0', 100);
  await advance(h, 1000);
  assert.equal(values(h, got8[0]!, '/3/0/8').get('/3/0/8/0'), 100);
  o8.forget();
  h.engine.registry.set('/3/0/8/0', 50);
  await advance(h, 1000);
  await until(() => h.engine.observationCount(1) === 0);
});

test('LightweightM2M-1.1-int-303 Cancel observations using Observe with Cancel parameter', async (t) => {
  const h = await fake(t);
  const o7 = await h.server.observe('/3/0/7', { accept: CF.TLV });
  const o8 = await h.server.observe('/3/0/8', { accept: CF.TLV });
  const got7 = collect(o7);
  h.engine.registry.set('/3/0/7/0', 4000);
  await advance(h, 1000);
  assert.equal(got7.length, 1);
  const r = await o7.cancel();
  assert.equal(codeOf(r!), '2.05', 'the cancelling GET is answered as a Read');
  assert.equal(h.engine.observationCount(1), 1);
  const got8 = collect(o8);
  h.engine.registry.set('/3/0/8/0', 100);
  await advance(h, 1000);
  assert.equal(values(h, got8[0]!, '/3/0/8').get('/3/0/8/0'), 100);
  await o8.cancel();
  assert.equal(h.engine.observationCount(1), 0);
});

test('LightweightM2M-1.1-int-304 Observe-Composite Operation', async (t) => {
  const h = await fake(t);
  configurationC1(h);
  assert.equal(codeOf(await h.server.put('/1/0/1', { query: 'pmin=30&pmax=45' })), '2.04');
  const obs = await h.server.observeComposite(['/1/0/1', '/3/0/11/0', '/3/0/16'], SENML_CBOR);
  const first = h.server.values(obs.response, '/');
  assert.deepEqual([...first], [['/1/0/1', 86400], ['/3/0/11/0', 0], ['/3/0/16', 'U']]);
  const got = collect(obs);
  await advance(h, 44_999);
  assert.equal(got.length, 0);
  await advance(h, 1);
  assert.equal(got.length, 1);
  assert.deepEqual([...values(h, got[0]!, '/')], [['/1/0/1', 86400], ['/3/0/11/0', 0], ['/3/0/16', 'U']]);
});

test('LightweightM2M-1.1-int-305 Cancel Observation-Composite Operation', async (t) => {
  const h = await fake(t);
  const obs = await h.server.observeComposite(['/1/0/1', '/3/0/11/0', '/3/0/16'], SENML_CBOR);
  assert.equal(h.engine.observationCount(1), 1);
  const r = await obs.cancel();
  assert.equal(codeOf(r!), '2.05');
  assert.equal(h.engine.observationCount(1), 0);
});

function acceptSend(h: Harness): IncomingResponse[] & { formats: number[] } {
  const got = Object.assign([] as IncomingResponse[], { formats: [] as number[] });
  h.server.endpoint.onRequest((r) => {
    if (r.method !== CoapCode.POST || r.path.join('/') !== 'dp') return { code: CoapCode.NOT_FOUND };
    got.push({ code: r.method, options: r.options, payload: r.payload, token: r.token, peer: r.peer, channel: r.channel, message: r.message });
    got.formats.push(r.contentFormat ?? -1);
    return { code: CoapCode.CHANGED };
  });
  return got;
}

test('LightweightM2M-1.1-int-306 Send Operation', async (t) => {
  const h = await startEngine(t);
  const got = acceptSend(h);
  await h.engine.send(1, ['/1', '/3']);
  assert.equal(got.length, 1);
  const v = new Map(decode(got[0]!.payload, { format: got.formats[0]!, basePath: '/', definitions: h.engine.catalogue }).map((r) => [r.path.toString(), r.value]));
  assert.equal(v.get('/1/0/1'), 86400);
  assert.equal(v.get('/1/0/7'), 'U');
  assert.equal(v.get('/3/0/0'), 'lwm2m-ts');
  assert.equal(v.get('/3/0/16'), 'U');
});

test('LightweightM2M-1.1-int-307 Muting Send', async (t) => {
  const h = await startEngine(t);
  const got = acceptSend(h);
  assert.equal(codeOf(await h.server.put('/1/0/23', { format: CF.TEXT, payload: '1' })), '2.04');
  await assert.rejects(h.engine.send(1, ['/3/0']), (e: unknown) => e instanceof SendError && e.reason === 'muted');
  assert.equal(got.length, 0);
  assert.equal(codeOf(await h.server.put('/1/0/23', { format: CF.TEXT, payload: '0' })), '2.04');
  await h.engine.send(1, ['/3/0']);
  assert.equal(got.length, 1);
});

const RESOURCES_A: [string, unknown][] = [['0', 'aa'], ['1', 'bb'], ['2', 'cc'], ['3', 'dd']];
const RESOURCES_B: [string, unknown][] = [['0', '11'], ['1', '22'], ['2', '33'], ['3', '44']];

function portfolio(iid: number, list: [string, unknown][]): [string, unknown][] {
  return list.map(([ri, v]) => [`/16/${iid}/0/${ri}`, v]);
}

async function createPortfolio(h: Harness, iid: number, list: [string, unknown][]): Promise<void> {
  const { encode } = await import('../../src/codec/index.ts');
  const { LwM2mPath } = await import('../../src/model/path.ts');
  const payload = encode(
    portfolio(iid, list).map(([p, v]) => ({ path: LwM2mPath.parse(p), value: v as string })),
    { format: CF.SENML_JSON, basePath: '/16', definitions: h.engine.catalogue },
  );
  assert.equal(codeOf(await h.server.post('/16', { format: CF.SENML_JSON, payload })), '2.01');
}

test('LightweightM2M-1.1-int-308 Observe-Composite and Creating Object Instance', async (t) => {
  const h = await fake(t);
  h.engine.registry.supportObject(16);
  configurationC1(h);
  await createPortfolio(h, 0, RESOURCES_A);
  assert.equal(codeOf(await h.server.put('/16/0', { query: 'pmin=30&pmax=45' })), '2.04');
  const obs = await h.server.observeComposite(['/16/0', '/16/1'], SENML_CBOR);
  assert.deepEqual([...h.server.values(obs.response, '/')], portfolio(0, RESOURCES_A));
  const got = collect(obs);
  await advance(h, 45_000);
  assert.deepEqual([...values(h, got[0]!, '/')], portfolio(0, RESOURCES_A));
  await createPortfolio(h, 1, RESOURCES_B);
  await advance(h, 29_999);
  assert.equal(got.length, 1, 'pmin holds the change');
  await advance(h, 1);
  assert.deepEqual([...values(h, got[1]!, '/')], [...portfolio(0, RESOURCES_A), ...portfolio(1, RESOURCES_B)]);
});

test('LightweightM2M-1.1-int-309 Observe-Composite and Deleting Object Instance', async (t) => {
  const h = await fake(t);
  h.engine.registry.supportObject(16);
  configurationC1(h);
  await createPortfolio(h, 0, RESOURCES_A);
  await createPortfolio(h, 1, RESOURCES_B);
  assert.equal(codeOf(await h.server.put('/16/0', { query: 'pmin=30&pmax=45' })), '2.04');
  const obs = await h.server.observeComposite(['/16/0', '/16/1'], SENML_CBOR);
  assert.deepEqual([...h.server.values(obs.response, '/')], [...portfolio(0, RESOURCES_A), ...portfolio(1, RESOURCES_B)]);
  const got = collect(obs);
  await advance(h, 45_000);
  assert.equal(got.length, 1);
  assert.equal(codeOf(await h.server.delete('/16/1')), '2.02');
  await advance(h, 29_999);
  assert.equal(got.length, 1);
  await advance(h, 1);
  assert.deepEqual([...values(h, got[1]!, '/')], portfolio(0, RESOURCES_A));
});

test('LightweightM2M-1.1-int-310 Observe-Composite and modification of parameter values', async (t) => {
  const h = await fake(t);
  configurationC1(h);
  const obs = await h.server.observeComposite(['/1/0/1', '/3/0'], SENML_CBOR);
  const got = collect(obs);
  assert.equal(codeOf(await h.server.put('/3', { query: 'pmax=5' })), '2.04');
  await advance(h, 4999);
  assert.equal(got.length, 0);
  await advance(h, 1);
  assert.equal(got.length, 1);
  const v = values(h, got[0]!, '/');
  assert.equal(v.get('/3/0/0'), 'lwm2m-ts');
  assert.equal(v.get('/1/0/1'), 86400);
  assert.deepEqual([...v.keys()].filter((k) => k.startsWith('/1/')), ['/1/0/1']);
  await advance(h, 5000);
  assert.equal(got.length, 2);
});

test('LightweightM2M-1.1-int-311 Send command', async (t) => {
  const h = await startEngine(t);
  const got = acceptSend(h);
  await h.engine.send(1, ['/1/0/1', '/3/0/11']);
  const recs = decode(got[0]!.payload, { format: got.formats[0]!, basePath: '/', definitions: h.engine.catalogue });
  assert.deepEqual(recs.map((r) => [r.path.toString(), r.value]), [['/1/0/1', 86400], ['/3/0/11/0', 0]]);
  assert.equal(got.formats[0], SENML_CBOR);
});
