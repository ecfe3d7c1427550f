/**
 * The server's device-management API against a scripted device (our CoapEndpoint + codecs) over
 * real UDP: every call in every content format the device declares (a matrix), the default formats
 * of 1.0 / 1.1 clients, alternate paths, and the device's error codes as typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer, type LwM2mServerOptions } from '../../src/server/server.ts';
import { ClientNotRegisteredError } from '../../src/server/errors.ts';
import { ContentFormat, formatName, supportsComposite } from '../../src/codec/index.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { CodecError, RequestRejectedError, TimeoutError, UnsupportedFormatError, ValueError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { ALL_FORMATS, FakeDevice, type FakeDeviceOptions } from '../server/_fake-device.ts';

type T = { after: (fn: () => Promise<unknown>) => void };

async function setup(t: T, device: Partial<FakeDeviceOptions> = {}, server: LwM2mServerOptions = {}) {
  const srv = await LwM2mServer.start({ address: '127.0.0.1', ...server });
  const dev = await FakeDevice.start({ server: srv.local, endpoint: 'dev', ...device });
  t.after(async () => {
    await dev.close();
    await srv.close();
  });
  const registered = srv.next('registered');
  assert.equal(await dev.register(), CoapCode.CREATED);
  await registered;
  return { server: srv, device: dev };
}

function values(records: readonly LwM2mRecord[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of records) out[r.path.toString()] = r.value instanceof Date ? r.value.getTime() : r.value;
  return out;
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

const MULTI: readonly number[] = [ContentFormat.TLV, ContentFormat.OMA_JSON, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR];
const SINGLE_OK: readonly number[] = [ContentFormat.TEXT, ContentFormat.CBOR, ...MULTI];

test('matrix: Read of a resource, an instance, a multi-instance resource and a resource instance in every format', async (t) => {
  const { server, device } = await setup(t);
  for (const format of ALL_FORMATS) {
    const name = formatName(format);
    // A string resource: every format but opaque.
    if (SINGLE_OK.includes(format)) {
      const r = await server.read('dev', '/3/0/0', { format });
      assert.equal(r.code, CoapCode.CONTENT, name);
      assert.equal(r.format, format, name);
      assert.deepEqual(values(r.records), { '/3/0/0': 'ACME' }, name);
    } else {
      const e = await rejected(server.read('dev', '/3/0/0', { format }));
      assert.ok(e instanceof RequestRejectedError, name);
      assert.equal(e.coapCode, CoapCode.NOT_ACCEPTABLE, name);
    }
    // An object instance and a multi-instance resource: multi-value formats only.
    for (const path of ['/3/0', '/3/0/7']) {
      if (MULTI.includes(format)) {
        const r = await server.read('dev', path, { format });
        const v = values(r.records);
        assert.equal(v['/3/0/7/1'], 5000, `${name} ${path}`);
        assert.equal(v['/3/0/7/0'], 3800, `${name} ${path}`);
        if (path === '/3/0') {
          assert.equal(v['/3/0/0'], 'ACME', name);
          assert.equal(v['/3/0/13'], 1_700_000_000_000, name);
          assert.equal(v['/3/0/9'], 88, name);
        }
      } else {
        const e = await rejected(server.read('dev', path, { format }));
        assert.ok(e instanceof RequestRejectedError && e.coapCode === CoapCode.NOT_ACCEPTABLE, `${name} ${path}`);
      }
    }
    // A resource instance.
    if (SINGLE_OK.includes(format)) {
      const r = await server.read('dev', '/3/0/7/1', { format });
      assert.deepEqual(values(r.records), { '/3/0/7/1': 5000 }, name);
    }
    const accepts = device.requests.filter((q) => q.method === CoapCode.GET).map((q) => q.accept);
    assert.ok(accepts.every((a) => a !== undefined));
  }
});

test('matrix: Write (replace and partial), Write of a resource instance, Create and Delete in every format', async (t) => {
  const { server, device } = await setup(t);
  let n = 0;
  for (const format of ALL_FORMATS) {
    const name = formatName(format);
    const text = `+0${n % 10}:00`;
    n++;
    if (format === ContentFormat.OPAQUE) {
      // The server refuses to encode a string as opaque before anything is sent.
      const before = device.requests.length;
      const e = await rejected(server.write('dev', '/3/0/14', text, { format }));
      assert.ok(e instanceof UnsupportedFormatError, name);
      assert.equal(device.requests.length, before);
      continue;
    }
    // Replace one resource.
    const w = await server.write('dev', '/3/0/14', text, { format });
    assert.equal(w.code, CoapCode.CHANGED, name);
    assert.equal(device.get('/3/0/14'), text, name);
    assert.equal(device.requests.at(-1)!.method, CoapCode.PUT);
    assert.equal(device.requests.at(-1)!.contentFormat, format);
    // Resource instance of a multi-instance resource.
    const ri = await server.writeResourceInstance('dev', '/16/0/0/1', `id-${name}`, { format });
    assert.equal(ri.code, CoapCode.CHANGED, name);
    assert.equal(device.get('/16/0/0/1'), `id-${name}`);
    if (!MULTI.includes(format)) continue;
    // Partial update of an instance (POST).
    const p = await server.write('dev', '/3303/0', { 5750: `app-${name}` }, { format, partial: true });
    assert.equal(p.code, CoapCode.CHANGED);
    assert.equal(device.requests.at(-1)!.method, CoapCode.POST);
    assert.equal(device.get('/3303/0/5750'), `app-${name}`);
    assert.equal(device.get('/3303/0/5700'), 21.5, 'partial update keeps the other resources');
    // Replace a multi-instance resource.
    await server.write('dev', '/16/0/0', { 0: 'x', 5: 'y' }, { format });
    assert.equal(device.get('/16/0/0/1'), undefined, name);
    assert.equal(device.get('/16/0/0/5'), 'y', name);
    // Create with an instance id, then Delete.
    const c = await server.create('dev', '/3303', { 5700: 30.5, 5701: 'K' }, { format, instanceId: 7 });
    assert.equal(c.code, CoapCode.CREATED, name);
    assert.equal(c.location?.toString(), '/3303/7', name);
    assert.equal(device.get('/3303/7/5700'), 30.5);
    const d = await server.delete('dev', '/3303/7');
    assert.equal(d.code, CoapCode.DELETED);
    assert.equal(device.instances.get(3303)?.has(7), false);
  }
  // SenML Create without an id: the server takes the next id its registration does not list.
  const c2 = await server.create('dev', '/3303', { 5700: 2.5 }, { format: ContentFormat.SENML_JSON });
  assert.equal(c2.location?.toString(), '/3303/2');
  // TLV Create without an id: the client picks it (LwM2M 1.0 style).
  const c = await server.create('dev', '/3303', { 5700: 1.5 }, { format: ContentFormat.TLV });
  assert.equal(c.location?.toString(), '/3303/3');
  assert.equal(device.get('/3303/3/5700'), 1.5);
});

test('matrix: Execute, Discover (with depth), Write-Attributes', async (t) => {
  const { server, device } = await setup(t);
  const x = await server.execute('dev', '/3/0/4');
  assert.equal(x.code, CoapCode.CHANGED);
  await server.execute('dev', '/3/0/4', [{ id: 0, value: 'now' }, { id: 3 }]);
  assert.deepEqual(device.executed, [{ path: '/3/0/4', args: '' }, { path: '/3/0/4', args: "0='now',3" }]);
  const a = await server.writeAttributes('dev', '/3303/0/5700', { pmin: 10, pmax: 60, gt: 25.5 });
  assert.equal(a.code, CoapCode.CHANGED);
  assert.deepEqual(device.requests.at(-1)!.query, ['pmin=10', 'pmax=60', 'gt=25.5']);
  await server.writeAttributes('dev', '/3303/0/5700', { pmax: null });
  assert.deepEqual(device.attributes.get('/3303/0/5700'), ['pmin=10', 'gt=25.5']);
  const d = await server.discover('dev', '/3303/0');
  assert.equal(d.format, ContentFormat.LINK);
  const targets = d.links.map((l) => l.target);
  assert.deepEqual(targets, ['/3303/0', '/3303/0/5700', '/3303/0/5701', '/3303/0/5750']);
  assert.equal(d.links[1]!.attributes.get('pmin'), '10');
  const d0 = await server.discover('dev', '/3', { depth: 1 });
  assert.deepEqual(device.requests.at(-1)!.query, ['depth=1']);
  assert.deepEqual(d0.links.map((l) => l.target), ['/3', '/3/0']);
  const dm = await server.discover('dev', '/3/0/7');
  assert.equal(dm.links[0]!.attributes.get('dim'), '2');
  await assert.rejects(server.writeAttributes('dev', '/3/0', { pmin: -1 }), ValueError);
  await assert.rejects(server.writeAttributes('dev', '/3/0', {}), ValueError);
  await assert.rejects(server.execute('dev', '/3/0', 'x'), ValueError);
});

test('matrix: Read-Composite, Write-Composite and Observe-Composite in every composite format', async (t) => {
  const { server, device } = await setup(t);
  for (const format of ALL_FORMATS.filter(supportsComposite)) {
    const name = formatName(format);
    const r = await server.readComposite('dev', ['/3/0/0', '/3303/0'], { format });
    assert.equal(r.code, CoapCode.CONTENT);
    assert.equal(device.requests.at(-1)!.method, CoapCode.FETCH);
    assert.equal(device.requests.at(-1)!.contentFormat, format);
    const v = values(r.records);
    assert.equal(v['/3/0/0'], 'ACME', name);
    assert.equal(v['/3303/0/5700'], 21.5, name);
    const w = await server.writeComposite('dev', { '/3/0/14': `+1${format % 10}:00`, '/3303/0/5750': name }, { format });
    assert.equal(w.code, CoapCode.CHANGED);
    assert.equal(device.requests.at(-1)!.method, CoapCode.IPATCH);
    assert.equal(device.get('/3303/0/5750'), name);
    const obs = await server.observeComposite('dev', ['/3303/0/5700', '/3303/1/5700'], { format });
    assert.deepEqual(values(obs.initial.records), { '/3303/0/5700': 21.5, '/3303/1/5700': 18.25 });
    const it = obs[Symbol.asyncIterator]();
    await device.set('/3303/1/5700', 19.5);
    const n = await it.next();
    assert.deepEqual(values(n.value!.records), { '/3303/0/5700': 21.5, '/3303/1/5700': 19.5 }, name);
    await obs.cancel();
    assert.equal(device.observations.at(-1)!.handle.reason, 'deregistered');
    await device.set('/3303/1/5700', 18.25);
  }
  // A format that cannot carry composite values is refused locally.
  await assert.rejects(server.readComposite('dev', ['/3/0/0'], { format: ContentFormat.TLV }), ValueError);
  await assert.rejects(server.readComposite('dev', []), ValueError);
});

test('matrix: Observe in every format: notifications as events and through the iterator, cancel by Observe=1, AbortSignal and forget', async (t) => {
  const { server, device } = await setup(t);
  const events: unknown[] = [];
  server.on('notification', ({ notification, registration }) => events.push([registration.endpoint, values(notification.records)]));
  for (const format of SINGLE_OK) {
    const name = formatName(format);
    const obs = await server.observe('dev', '/3303/0/5700', { format });
    assert.equal(obs.initial.format, format);
    assert.deepEqual(values(obs.initial.records), { '/3303/0/5700': 21.5 }, name);
    assert.equal(server.observations('dev').length, 1);
    const it = obs[Symbol.asyncIterator]();
    await device.set('/3303/0/5700', 22.5);
    const n1 = await it.next();
    assert.equal(n1.value!.format, format);
    assert.deepEqual(values(n1.value!.records), { '/3303/0/5700': 22.5 }, name);
    await obs.cancel();
    assert.equal(obs.endReason, 'cancelled');
    assert.equal(device.observations.at(-1)!.handle.reason, 'deregistered', name);
    assert.equal(server.observations('dev').length, 0);
    await device.set('/3303/0/5700', 21.5);
  }
  assert.equal(events.length, SINGLE_OK.length);
  // AbortSignal: passive cancel; the next notification is answered with RST.
  const ac = new AbortController();
  const obs = await server.observe('dev', '/3/0/9', { signal: ac.signal });
  ac.abort();
  assert.equal(obs.endReason, 'forgotten');
  await device.set('/3/0/9', 50);
  assert.equal(device.observations.at(-1)!.handle.reason, 'reset');
  // Leaving a for-await loop forgets the observation too.
  const obs2 = await server.observe('dev', '/3/0/9', { format: ContentFormat.TEXT });
  const pending = (async () => {
    for await (const n of obs2) return n.records[0]?.value;
    return undefined;
  })();
  await device.set('/3/0/9', 51);
  assert.equal(await pending, 51);
  assert.equal(obs2.endReason, 'forgotten');
  // cancelObservation by path.
  await server.observe('dev', '/3/0/0');
  assert.equal(await server.cancelObservation('dev', '/3/0/0'), 1);
  // A final notification (error code) ends the observation.
  const obs3 = await server.observe('dev', '/3303/1/5700');
  await device.observations.at(-1)!.handle.notify({ code: CoapCode.NOT_FOUND });
  const end = await obs3[Symbol.asyncIterator]().next();
  assert.equal(end.value?.code, CoapCode.NOT_FOUND);
  assert.equal(obs3.endReason, 'final');
});

test('observations end with the registration; notifications that do not decode carry an error', async (t) => {
  const { server, device } = await setup(t);
  const obs = await server.observe('dev', '/3303/0/5700', { format: ContentFormat.SENML_JSON });
  const it = obs[Symbol.asyncIterator]();
  await device.observations[0]!.handle.notify({ code: CoapCode.CONTENT, options: buildOptions({ contentFormat: ContentFormat.SENML_JSON }), payload: new TextEncoder().encode('[{"n": 5}') });
  const bad = await it.next();
  assert.ok(bad.value!.error instanceof CodecError);
  assert.deepEqual(bad.value!.records, []);
  assert.equal(await device.deregister(), CoapCode.DELETED);
  await new Promise((r) => setImmediate(r));
  assert.equal(obs.endReason, 'deregistered');
  assert.equal((await it.next()).done, true);
});

test('default formats: TLV for a 1.0 client, the declared ct for 1.1, SenML CBOR otherwise; alternate root path', async (t) => {
  const old = await setup(t, { version: '1.0', formats: [ContentFormat.TEXT, ContentFormat.TLV, ContentFormat.OPAQUE] });
  const r = await old.server.read('dev', '/3/0');
  assert.equal(r.format, ContentFormat.TLV);
  assert.equal(old.device.requests.at(-1)!.accept, ContentFormat.TLV);
  const c = await old.server.create('dev', '/3303', { 5700: 3 });
  assert.equal(old.device.requests.at(-1)!.contentFormat, ContentFormat.TLV);
  assert.equal(c.location?.toString(), '/3303/2');

  const json = await setup(t, { endpoint: 'json-dev', formats: [ContentFormat.TEXT, ContentFormat.SENML_JSON], rootPath: '/lwm2m' });
  const r2 = await json.server.read('json-dev', '/3/0/0');
  assert.equal(r2.format, ContentFormat.SENML_JSON);
  assert.deepEqual(json.device.requests.at(-1)!.path, ['lwm2m', '3', '0', '0']);
  const c2 = await json.server.create('json-dev', '/3303', { 5700: 3 });
  assert.equal(c2.location?.toString(), '/3303/2');

  const plain = await setup(t, { endpoint: 'plain', version: '1.1', declareFormats: false });
  await plain.server.read('plain', '/3/0/0');
  assert.equal(plain.device.requests.at(-1)!.accept, ContentFormat.SENML_CBOR);
});

test('error responses become RequestRejectedError with the code; timeouts TimeoutError; bad payloads CodecError', async (t) => {
  const { server, device } = await setup(t, {}, { coap: { params: { ackTimeout: 40, ackRandomFactor: 1, maxRetransmit: 1 } } });
  const cases: [Promise<unknown>, number][] = [
    [server.read('dev', '/9999/0'), CoapCode.NOT_FOUND],
    [server.read('dev', '/3/0/4'), CoapCode.METHOD_NOT_ALLOWED],
    [server.write('dev', '/3303/0/5700', 1.5), CoapCode.METHOD_NOT_ALLOWED],
    [server.delete('dev', '/3303/9'), CoapCode.NOT_FOUND],
    [server.execute('dev', '/3/0/0'), CoapCode.METHOD_NOT_ALLOWED],
    [server.create('dev', '/3303', { 5700: 1 }, { instanceId: 0 }), CoapCode.BAD_REQUEST],
  ];
  for (const [p, code] of cases) {
    const e = await rejected(p);
    assert.ok(e instanceof RequestRejectedError, String(e));
    assert.equal(e.coapCode, code, e.message);
  }
  device.failures.set('/1/0', CoapCode.UNAUTHORIZED);
  const e = await rejected(server.read('dev', '/1/0'));
  assert.ok(e instanceof RequestRejectedError);
  assert.equal(e.coapCode, CoapCode.UNAUTHORIZED);
  assert.match(e.message, /4\.01 Unauthorized: injected failure/);
  assert.equal(new TextDecoder().decode(e.payload), 'injected failure');
  device.overrides.set('/3/0/1', { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: ContentFormat.SENML_CBOR }), payload: Uint8Array.of(0xff) });
  await assert.rejects(server.read('dev', '/3/0/1'), CodecError);
  device.overrides.set('/3/0/2', { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: ContentFormat.TEXT }), payload: new TextEncoder().encode('abc') });
  await assert.rejects(server.discover('dev', '/3/0/2'), CodecError);
  await assert.rejects(server.read('nobody', '/3/0/0'), ClientNotRegisteredError);
  await assert.rejects(server.read('dev', '/3/x'), /invalid path/);
  device.silent = true;
  await assert.rejects(server.read('dev', '/3/0/0'), TimeoutError);
  // The registration still works for the device afterwards.
  device.silent = false;
  assert.equal((await server.read('dev', '/3/0/0')).records[0]?.value, 'ACME');
  assert.equal(server.registration('dev')?.objects.some((o) => o.id === 3303), true);
  assert.ok(LwM2mPath.parse('/3/0').depth === 2);
});
