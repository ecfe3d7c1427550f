/**
 * OMA ETS 1.1 (OMA-ETS-LightweightM2M-V1_1) Device Management & Service Enablement cases, run over
 * real UDP on 127.0.0.1 against an engine populated as the ETS "Configuration 3" device, with a raw
 * CoAP peer in the LwM2M Server's role. Cases whose definition could not be retrieved here say so
 * in their name and cover the operation their neighbours' numbering suggests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locationPath } from '../../src/coap/options.ts';
import { ContentFormat as CF, encode } from '../../src/codec/index.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { codeOf, startEngine, str, type Harness } from './engine-harness.ts';

const TLV = CF.TLV;
const JSON_ = CF.OMA_JSON;
const SENML_JSON = CF.SENML_JSON;
const SENML_CBOR = CF.SENML_CBOR;

/** Checks the Device object against Configuration 3. */
function verifyDevice(values: Map<string, unknown>, prefix = '/3/0'): void {
  assert.equal(values.get(`${prefix}/0`), 'lwm2m-ts');
  assert.equal(values.get(`${prefix}/1`), 'client-1');
  assert.equal(values.get(`${prefix}/2`), 'serial-1');
  assert.equal(values.get(`${prefix}/3`), '1.2.3');
  assert.equal(values.get(`${prefix}/11/0`), 0);
  assert.equal(values.get(`${prefix}/16`), 'U');
}

/** Checks the Server object instance against Configuration 3. */
function verifyServer(values: Map<string, unknown>): void {
  assert.equal(values.get('/1/0/0'), 1);
  assert.equal(values.get('/1/0/1'), 86400);
  assert.equal(values.get('/1/0/2'), 1);
  assert.equal(values.get('/1/0/3'), 10);
  assert.equal(values.get('/1/0/5'), 86400);
  assert.equal(values.get('/1/0/6'), false);
  assert.equal(values.get('/1/0/7'), 'U');
}

function enc(h: Harness, path: string, format: number, values: [string, unknown][]): Uint8Array {
  return encode(
    values.map(([p, v]) => ({ path: LwM2mPath.parse(p), value: v as never })),
    { format, basePath: path, definitions: h.engine.catalogue },
  );
}

async function readText(h: Harness, path: string): Promise<string> {
  const r = await h.server.get(path, { accept: CF.TEXT });
  assert.equal(codeOf(r), '2.05', path);
  return str(r.payload);
}

test('LightweightM2M-1.1-int-201 Querying basic information in Plain Text format', async (t) => {
  const h = await startEngine(t);
  assert.equal(await readText(h, '/3/0/0'), 'lwm2m-ts');
  assert.equal(await readText(h, '/3/0/1'), 'client-1');
  assert.equal(await readText(h, '/3/0/2'), 'serial-1');
});

test('LightweightM2M-1.1-int-202 Querying basic information in Opaque format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/19/0', { 0: [Uint8Array.of(1, 2, 3, 0xff)] });
  const r = await h.server.get('/19/0/0/0', { accept: CF.OPAQUE });
  assert.equal(codeOf(r), '2.05');
  assert.deepEqual([...r.payload], [1, 2, 3, 0xff]);
  assert.equal(codeOf(await h.server.get('/3/0/0', { accept: CF.OPAQUE })), '4.06', 'a String resource has no opaque form');
});

test('LightweightM2M-1.1-int-203 Querying basic information in TLV format', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.get('/3/0', { accept: TLV });
  assert.equal(codeOf(r), '2.05');
  verifyDevice(h.server.values(r, '/3/0'));
});

test('LightweightM2M-1.1-int-204 Querying basic information in JSON format', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.get('/3/0', { accept: JSON_ });
  assert.equal(codeOf(r), '2.05');
  verifyDevice(h.server.values(r, '/3/0'));
});

test('LightweightM2M-1.1-int-205 Setting basic information in Plain Text format', async (t) => {
  const h = await startEngine(t);
  for (const [p, v] of [['/1/0/2', '101'], ['/1/0/3', '1010'], ['/1/0/5', '2000']] as const) {
    assert.equal(codeOf(await h.server.put(p, { format: CF.TEXT, payload: v })), '2.04');
    assert.equal(await readText(h, p), v);
  }
});

test('LightweightM2M-1.1-int-206 Setting basic information in Opaque format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/19/0', { 0: [Uint8Array.of(0)] });
  assert.equal(codeOf(await h.server.put('/19/0/0/0', { format: CF.OPAQUE, payload: Uint8Array.of(9, 8, 7) })), '2.04');
  assert.deepEqual([...(h.engine.registry.get('/19/0/0/0') as Uint8Array)], [9, 8, 7]);
  assert.equal(codeOf(await h.server.put('/1/0/1', { format: CF.OPAQUE, payload: Uint8Array.of(1) })), '4.15');
});

test('LightweightM2M-1.1-int-207 Querying multiple resources in TLV format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.get('/3/0/7', { accept: TLV });
  assert.equal(codeOf(r), '2.05');
  assert.deepEqual([...h.server.values(r, '/3/0/7')], [['/3/0/7/0', 3800], ['/3/0/7/1', 5000]]);
});

test('LightweightM2M-1.1-int-208 Setting a resource in TLV format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  assert.equal(codeOf(await h.server.put('/1/0/3', { format: TLV, payload: enc(h, '/1/0/3', TLV, [['/1/0/3', 77]]) })), '2.04');
  assert.equal(h.engine.registry.get('/1/0/3'), 77);
});

test('LightweightM2M-1.1-int-209 Querying a resource in JSON format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.get('/3/0/6', { accept: JSON_ });
  assert.equal(codeOf(r), '2.05');
  assert.deepEqual([...h.server.values(r, '/3/0/6')], [['/3/0/6/0', 1], ['/3/0/6/1', 5]]);
});

test('LightweightM2M-1.1-int-210 Setting a resource in JSON format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  assert.equal(codeOf(await h.server.put('/1/0/5', { format: JSON_, payload: enc(h, '/1/0/5', JSON_, [['/1/0/5', 3600]]) })), '2.04');
  assert.equal(h.engine.registry.get('/1/0/5'), 3600);
});

test('LightweightM2M-1.1-int-211 Querying basic information in CBOR format', async (t) => {
  const h = await startEngine(t);
  const read = async (p: string): Promise<unknown> => {
    const r = await h.server.get(p, { accept: CF.CBOR });
    assert.equal(codeOf(r), '2.05');
    return h.server.values(r, p).get(p);
  };
  assert.equal(await read('/1/0/0'), 1);
  assert.equal(await read('/1/0/6'), false);
  assert.equal(await read('/1/0/7'), 'U');
});

test('LightweightM2M-1.1-int-212 Setting basic information in CBOR format', async (t) => {
  const h = await startEngine(t);
  for (const [p, v] of [['/1/0/2', 101], ['/1/0/3', 1010], ['/1/0/6', true]] as const) {
    assert.equal(codeOf(await h.server.put(p, { format: CF.CBOR, payload: enc(h, p, CF.CBOR, [[p, v]]) })), '2.04');
    const r = await h.server.get(p, { accept: CF.CBOR });
    assert.equal(h.server.values(r, p).get(p), v);
  }
});

test('LightweightM2M-1.1-int-213 Querying a resource instance in CBOR format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.get('/3/0/7/1', { accept: CF.CBOR });
  assert.equal(codeOf(r), '2.05');
  assert.equal(h.server.values(r, '/3/0/7/1').get('/3/0/7/1'), 5000);
  assert.equal(codeOf(await h.server.get('/3/0/7', { accept: CF.CBOR })), '4.06', 'CBOR carries one value');
});

test('LightweightM2M-1.1-int-214 Setting a Time resource in CBOR format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  const when = new Date(1_800_000_000_000);
  assert.equal(codeOf(await h.server.put('/3/0/13', { format: CF.CBOR, payload: enc(h, '/3/0/13', CF.CBOR, [['/3/0/13', when]]) })), '2.04');
  assert.deepEqual(h.engine.registry.get('/3/0/13'), when);
});

async function settingBasicInformation(h: Harness, format: number): Promise<void> {
  const r = await h.server.get('/1/0', { accept: format });
  assert.equal(codeOf(r), '2.05');
  const original = h.server.values(r, '/1/0');
  verifyServer(original);
  const update = enc(h, '/1/0', format, [['/1/0/2', 101], ['/1/0/3', 1010], ['/1/0/5', 2000], ['/1/0/6', true], ['/1/0/7', 'U']]);
  assert.equal(codeOf(await h.server.post('/1/0', { format, payload: update })), '2.04');
  const after = h.server.values(await h.server.get('/1/0', { accept: format }), '/1/0');
  assert.deepEqual([2, 3, 5, 6, 7].map((rid) => after.get(`/1/0/${rid}`)), [101, 1010, 2000, true, 'U']);
  // Replace with the original values, without the read-only Short Server ID.
  const writable = [...original].filter(([p]) => p !== '/1/0/0');
  assert.equal(codeOf(await h.server.put('/1/0', { format, payload: enc(h, '/1/0', format, writable) })), '2.04');
  verifyServer(h.server.values(await h.server.get('/1/0', { accept: format }), '/1/0'));
}

test('LightweightM2M-1.1-int-215 Setting basic information in TLV format', async (t) => {
  await settingBasicInformation(await startEngine(t), TLV);
});

test('LightweightM2M-1.1-int-216 Creating an object instance in TLV format (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.supportObject(16);
  const r = await h.server.post('/16', { format: TLV, payload: enc(h, '/16', TLV, [['/16/3/0/0', 'alice']]) });
  assert.equal(codeOf(r), '2.01');
  assert.deepEqual(locationPath(r.options), ['16', '3']);
  assert.equal(h.engine.registry.get('/16/3/0/0'), 'alice');
});

test('LightweightM2M-1.1-int-217 Deleting an object instance (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/16/0', { 0: ['a'] });
  assert.equal(codeOf(await h.server.delete('/16/0')), '2.02');
  assert.equal(codeOf(await h.server.get('/16/0')), '4.04');
  assert.equal(codeOf(await h.server.delete('/16/0')), '4.04');
});

test('LightweightM2M-1.1-int-218 Executing a resource with arguments (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  const seen: string[] = [];
  h.engine.registry.onExecute('/3/0/5', (args) => {
    seen.push(`${String(args.get(0))}|${String(args.has(6))}`);
  });
  assert.equal(codeOf(await h.server.post('/3/0/5', { payload: "0='factory',6" })), '2.04');
  assert.deepEqual(seen, ['factory|true']);
  assert.equal(codeOf(await h.server.post('/3/0/5', { payload: '0=factory' })), '4.00');
});

test('LightweightM2M-1.1-int-219 Partial update of a multiple resource (inferred: definition not retrievable here)', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/16/0', { 0: ['a', 'b'] });
  const payload = enc(h, '/16/0/0', SENML_JSON, [['/16/0/0/1', 'B'], ['/16/0/0/5', 'F']]);
  assert.equal(codeOf(await h.server.post('/16/0/0', { format: SENML_JSON, payload })), '2.04');
  assert.deepEqual([...(h.engine.registry.get('/16/0/0') as Map<number, string>)], [[0, 'a'], [1, 'B'], [5, 'F']]);
});

test('LightweightM2M-1.1-int-220 Setting basic information in JSON format', async (t) => {
  await settingBasicInformation(await startEngine(t), JSON_);
});

test('LightweightM2M-1.1-int-221 Attempt to perform operations on Security', async (t) => {
  const h = await startEngine(t);
  assert.equal(codeOf(await h.server.get('/0/0')), '4.01');
  assert.equal(codeOf(await h.server.put('/0/0/0', { format: CF.TEXT, payload: 'coap://localhost' })), '4.01');
  assert.equal(codeOf(await h.server.put('/0', { query: 'pmin=10' })), '4.01');
  assert.equal(codeOf(await h.server.get('/0', { accept: CF.LINK })), '4.01');
  assert.equal(h.engine.registry.get('/0/0/0'), 'coap://127.0.0.1:5683');
});

test('LightweightM2M-1.1-int-222 Read on Object', async (t) => {
  const h = await startEngine(t);
  const server = h.server.values(await h.server.get('/1', { accept: TLV }), '/1');
  assert.equal([...server.keys()].filter((k) => k.startsWith('/1/0/')).length, 7);
  const device = h.server.values(await h.server.get('/3', { accept: TLV }), '/3');
  verifyDevice(device);
  assert.ok([...device.keys()].every((k) => k.startsWith('/3/0/')));
});

test('LightweightM2M-1.1-int-223 Read on Object Instance', async (t) => {
  const h = await startEngine(t);
  verifyServer(h.server.values(await h.server.get('/1/0', { accept: TLV }), '/1/0'));
  verifyDevice(h.server.values(await h.server.get('/3/0', { accept: TLV }), '/3/0'));
});

test('LightweightM2M-1.1-int-224 Read on Resource', async (t) => {
  const h = await startEngine(t);
  assert.equal(await readText(h, '/1/0/0'), '1');
  assert.equal(await readText(h, '/1/0/1'), '86400');
  assert.equal(await readText(h, '/1/0/6'), '0');
  assert.equal(await readText(h, '/1/0/7'), 'U');
});

test('LightweightM2M-1.1-int-225 Read on Resource Instance', async (t) => {
  const h = await startEngine(t);
  assert.equal(await readText(h, '/3/0/11/0'), '0');
  assert.equal(await readText(h, '/3/0/6/1'), '5');
  assert.equal(codeOf(await h.server.get('/3/0/11/7')), '4.04');
});

test('LightweightM2M-1.1-int-226 Write (Partial Update) on Object Instance', async (t) => {
  const h = await startEngine(t);
  const payload = enc(h, '/1/0', TLV, [['/1/0/1', 60], ['/1/0/6', true]]);
  assert.equal(codeOf(await h.server.post('/1/0', { format: TLV, payload })), '2.04');
  assert.equal(await readText(h, '/1/0/1'), '60');
  assert.equal(await readText(h, '/1/0/6'), '1');
  assert.equal(await readText(h, '/1/0/7'), 'U', 'other resources unchanged');
});

test('LightweightM2M-1.1-int-227 Write (replace) on Resource', async (t) => {
  const h = await startEngine(t);
  const lifetime = h.engine.next('lifetime-changed');
  assert.equal(codeOf(await h.server.put('/1/0/1', { format: CF.TEXT, payload: '63' })), '2.04');
  assert.deepEqual(await lifetime, { ssid: 1, lifetime: 63 }, 'the RD layer is told to send an Update');
  assert.equal(await readText(h, '/1/0/1'), '63');
});

test('LightweightM2M-1.1-int-228 Write on Resource Instance', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.supportObject(16);
  const changed = h.engine.next('instances-changed');
  const created = await h.server.post('/16', { format: TLV, payload: enc(h, '/16/0', TLV, [['/16/0/0/0', 'a'], ['/16/0/0/1', 'b']]) });
  assert.equal(codeOf(created), '2.01');
  assert.equal((await changed).created[0]!.toString(), '/16/0');
  assert.equal(codeOf(await h.server.put('/16/0/0/0', { format: CF.TEXT, payload: 'test' })), '2.04');
  assert.equal(await readText(h, '/16/0/0/0'), 'test');
  assert.equal(await readText(h, '/16/0/0/1'), 'b');
});

test('LightweightM2M-1.1-int-229 Read-Composite Operation', async (t) => {
  const h = await startEngine(t);
  for (const format of [SENML_JSON, SENML_CBOR]) {
    const r = await h.server.fetch(['/3', '/1/0'], format, { accept: format });
    assert.equal(codeOf(r), '2.05');
    const v = h.server.values(r, '/');
    verifyDevice(v);
    verifyServer(v);
    const r2 = await h.server.fetch(['/1/0/1', '/3/0/11/0'], format, { accept: format });
    assert.deepEqual([...h.server.values(r2, '/')], [['/1/0/1', 86400], ['/3/0/11/0', 0]]);
  }
});

test('LightweightM2M-1.1-int-230 Write-Composite Operation', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/16/0', { 0: ['x'] });
  for (const format of [SENML_JSON, SENML_CBOR]) {
    const records: [string, unknown][] = [['/1/0/1', 60], ['/1/0/6', true], ['/16/0/0/0', 'aa'], ['/16/0/0/1', 'bb'], ['/16/0/0/2', 'cc'], ['/16/0/0/3', 'dd']];
    const r = await h.server.ipatch(records.map(([p, v]) => ({ path: LwM2mPath.parse(p), value: v as never })), format);
    assert.equal(codeOf(r), '2.04');
    const inst = h.server.values(await h.server.get('/1/0', { accept: format }), '/1/0');
    assert.equal(inst.get('/1/0/1'), 60);
    assert.equal(inst.get('/1/0/6'), true);
    const portfolio = h.server.values(await h.server.get('/16/0/0', { accept: format }), '/16/0/0');
    assert.deepEqual([...portfolio.values()], ['aa', 'bb', 'cc', 'dd']);
    h.engine.registry.set('/1/0/1', 86400);
    h.engine.registry.set('/1/0/6', false);
  }
});

async function queryingInSenml(h: Harness, format: number): Promise<void> {
  const server = h.server.values(await h.server.get('/1', { accept: format }), '/1');
  verifyServer(server);
  verifyDevice(h.server.values(await h.server.get('/3/0', { accept: format }), '/3/0'));
  assert.equal(h.server.values(await h.server.get('/3/0/16', { accept: format }), '/3/0/16').get('/3/0/16'), 'U');
  assert.equal(h.server.values(await h.server.get('/3/0/11/0', { accept: format }), '/3/0/11/0').get('/3/0/11/0'), 0);
}

test('LightweightM2M-1.1-int-231 Querying basic information in SenML JSON format', async (t) => {
  await queryingInSenml(await startEngine(t), SENML_JSON);
});

test('LightweightM2M-1.1-int-232 Querying basic information in SenML CBOR format', async (t) => {
  await queryingInSenml(await startEngine(t), SENML_CBOR);
});

async function settingInSenml(h: Harness, format: number): Promise<void> {
  h.engine.registry.create('/16/0', { 0: ['x'] });
  assert.equal(codeOf(await h.server.post('/1/0', { format, payload: enc(h, '/1/0', format, [['/1/0/1', 61], ['/1/0/6', true]]) })), '2.04');
  const srv = h.server.values(await h.server.get('/1/0', { accept: format }), '/1/0');
  assert.equal(srv.get('/1/0/1'), 61);
  assert.equal(srv.get('/1/0/6'), true);
  assert.equal(codeOf(await h.server.put('/16/0/0/0', { format, payload: enc(h, '/16/0/0/0', format, [['/16/0/0/0', 'test_value']]) })), '2.04');
  assert.equal(h.server.values(await h.server.get('/16', { accept: format }), '/16').get('/16/0/0/0'), 'test_value');
  assert.equal(codeOf(await h.server.put('/1/0/1', { format, payload: enc(h, '/1/0/1', format, [['/1/0/1', 63]]) })), '2.04');
  assert.equal(await readText(h, '/1/0/1'), '63');
}

test('LightweightM2M-1.1-int-233 Setting basic information in SenML CBOR format', async (t) => {
  await settingInSenml(await startEngine(t), SENML_CBOR);
});

test('LightweightM2M-1.1-int-234 Setting basic information in SenML JSON format', async (t) => {
  await settingInSenml(await startEngine(t), SENML_JSON);
});

test('LightweightM2M-1.1-int-235 Read-Composite Operation on root path', async (t) => {
  const h = await startEngine(t);
  h.engine.registry.create('/5/0', { 1: '', 3: 0, 5: 0 });
  const v = h.server.values(await h.server.fetch(['/'], SENML_CBOR), '/');
  const objects = new Set([...v.keys()].map((k) => k.split('/')[1]));
  assert.deepEqual([...objects].sort(), ['1', '3', '5'], 'every object but Security');
});

test('LightweightM2M-1.1-int-236 Read-Composite - Partial Presence', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.fetch(['/1/0', '/3/0/11/0', '/3339/0/5522', '/3353/0/6030'], SENML_JSON);
  assert.equal(codeOf(r), '2.05');
  const v = h.server.values(r, '/');
  assert.equal(v.get('/1/0/1'), 86400);
  assert.equal(v.get('/3/0/11/0'), 0);
  assert.deepEqual(new Set([...v.keys()].map((k) => k.split('/')[1])), new Set(['1', '3']));
});

test('LightweightM2M-1.1-int-237 Read on Object without specifying Content-Type', async (t) => {
  const h = await startEngine(t);
  const r1 = await h.server.get('/1');
  assert.equal(codeOf(r1), '2.05');
  assert.equal(h.server.values(r1, '/1').get('/1/0/1'), 86400);
  const r3 = await h.server.get('/3');
  assert.equal(h.server.values(r3, '/3').get('/3/0/0'), 'lwm2m-ts');
});

test('LightweightM2M-1.1-int-241 Executable Resource: Rebooting the device', async (t) => {
  const h = await startEngine(t);
  let rebooted = 0;
  h.engine.registry.onExecute('/3/0/4', () => {
    rebooted++;
  });
  assert.equal(codeOf(await h.server.post('/3/0/4')), '2.04');
  assert.equal(rebooted, 1);
});

test('LightweightM2M-1.1-int-256 Write Operation Failure', async (t) => {
  const h = await startEngine(t);
  assert.equal(codeOf(await h.server.put('/1/0/0', { format: CF.TEXT, payload: '123' })), '4.05');
  assert.equal(await readText(h, '/1/0/0'), '1');
});

test('LightweightM2M-1.1-int-257 Write-Composite Operation', async (t) => {
  const h = await startEngine(t);
  for (const format of [SENML_JSON, SENML_CBOR]) {
    const records = [
      { path: LwM2mPath.parse('/1/0/2'), value: 102 },
      { path: LwM2mPath.parse('/1/0/6'), value: true },
      { path: LwM2mPath.parse('/3/0/13'), value: new Date(0) },
    ];
    assert.equal(codeOf(await h.server.ipatch(records, format)), '2.04');
    assert.equal(await readText(h, '/1/0/2'), '102');
    assert.equal(await readText(h, '/1/0/6'), '1');
    assert.equal(await readText(h, '/3/0/13'), '0');
    h.engine.registry.set('/1/0/2', 1);
    h.engine.registry.set('/1/0/6', false);
  }
});

test('LightweightM2M-1.1-int-260 Discover Command', async (t) => {
  const h = await startEngine(t);
  const d1 = h.server.links(await h.server.get('/3', { accept: CF.LINK }));
  for (const k of ['/3', '/3/0', '/3/0/1', '/3/0/2', '/3/0/3', '/3/0/4', '/3/0/6', '/3/0/7', '/3/0/8', '/3/0/9', '/3/0/11', '/3/0/16']) assert.ok(d1.has(k), k);
  assert.equal(codeOf(await h.server.put('/3', { query: 'pmin=10&pmax=200' })), '2.04');
  const d2 = h.server.links(await h.server.get('/3/0', { accept: CF.LINK }));
  assert.deepEqual([d2.get('/3/0/6')?.dim, d2.get('/3/0/7')?.dim, d2.get('/3/0/8')?.dim], [2, 2, 2]);
  assert.equal(codeOf(await h.server.put('/3/0/7', { query: 'lt=1&gt=6&st=1' })), '2.04');
  const d3 = h.server.links(await h.server.get('/3/0', { accept: CF.LINK }));
  assert.ok(!d3.has('/3'), 'an instance Discover does not list the object');
  assert.deepEqual(d3.get('/3/0/7'), { dim: 2, gt: 6, lt: 1, st: 1 });
  const d4 = h.server.links(await h.server.get('/3/0/7', { accept: CF.LINK }));
  assert.deepEqual([...d4.keys()], ['/3/0/7', '/3/0/7/0', '/3/0/7/1']);
  assert.deepEqual(d4.get('/3/0/7'), { pmin: 10, pmax: 200, gt: 6, lt: 1, st: 1, dim: 2 });
  const d5 = h.server.links(await h.server.get('/3', { accept: CF.LINK }));
  assert.deepEqual(d5.get('/3'), { pmin: 10, pmax: 200 });
});

test('LightweightM2M-1.1-int-261 Write-Attribute Operation on a multiple resource', async (t) => {
  const h = await startEngine(t);
  const d1 = h.server.links(await h.server.get('/3/0/11', { accept: CF.LINK }));
  assert.deepEqual([...d1.keys()], ['/3/0/11', '/3/0/11/0']);
  assert.equal(d1.get('/3/0/11')?.dim, 1);
  assert.equal(codeOf(await h.server.put('/3', { query: 'pmin=10&pmax=200' })), '2.04');
  assert.equal(codeOf(await h.server.put('/3/0', { query: 'pmax=320' })), '2.04');
  assert.equal(codeOf(await h.server.put('/3/0/11/0', { query: 'pmax=100&epmin=1&epmax=20' })), '2.04');
  const d2 = h.server.links(await h.server.get('/3/0/11', { accept: CF.LINK }));
  assert.equal(d2.get('/3/0/11')?.pmin, 10);
  assert.equal(d2.get('/3/0/11')?.pmax, 320);
  assert.deepEqual(d2.get('/3/0/11/0'), { pmax: 100, epmin: 1, epmax: 20 });
});

test('LightweightM2M-1.1-int-280 Successful Read-Composite Operation', async (t) => {
  const h = await startEngine(t);
  const v = h.server.values(await h.server.fetch(['/3/0/16', '/3/0/11/0', '/1/0'], SENML_CBOR), '/');
  assert.deepEqual([...v.keys()].filter((k) => k.startsWith('/3/')), ['/3/0/16', '/3/0/11/0']);
  assert.equal(v.get('/3/0/16'), 'U');
  assert.equal(v.get('/3/0/11/0'), 0);
  verifyServer(v);
});

test('LightweightM2M-1.1-int-281 Partially Successful Read-Composite Operation', async (t) => {
  const h = await startEngine(t);
  const r = await h.server.fetch(['/1/0/1', '/1/0/7', '/1/0/8'], SENML_CBOR);
  assert.equal(codeOf(r), '2.05');
  assert.deepEqual([...h.server.values(r, '/')], [['/1/0/1', 86400], ['/1/0/7', 'U']], '/1/0/8 is executable: left out');
});
