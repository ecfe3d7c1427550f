/**
 * Send from IoT devices behind a gateway (LwM2M Gateway TS 1.1 section 9: SenML names carry the
 * device prefix) and cancelling observations made through a prefix, over real UDP. First with our
 * LwM2mClient as the gateway, then with a scripted gateway whose /25 the test controls, to pin the
 * server's device-list refresh (once per unknown prefix) and its 4.04 diagnostics.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { LwM2mServer, type LwM2mServerEvents } from '../../src/server/index.ts';
import { FakeDevice } from '../server/_fake-device.ts';
import { startGateway } from './_gateway.ts';

type SendEvent = LwM2mServerEvents['send'];
const values = (e: SendEvent): [string, unknown][] => e.records.map((r) => [r.path.toString(), r.value]);

async function clientGateway(t: TestContext) {
  const gateway = await startGateway(t);
  await gateway.listed;
  return gateway;
}

test('IoT devices send through our LwM2mClient gateway: one send event per device, with its prefix', async (t) => {
  const { server, client, endpoint: ep, gw, dev1, dev2 } = await clientGateway(t);
  const events: SendEvent[] = [];
  server.on('send', (e) => events.push(e));

  const fromDev1 = server.next('send', (e) => e.prefix === 'dev1');
  await dev1.send(['/3303/0/5700', '/3303/0/5701']);
  const e1 = await fromDev1;
  assert.equal(e1.registration.endpoint, ep);
  assert.equal(e1.format, ContentFormat.SENML_CBOR);
  assert.deepEqual(values(e1), [
    ['/3303/0/5700', 21.5],
    ['/3303/0/5701', 'Cel'],
  ]);

  const fromDev2 = server.next('send', (e) => e.prefix === 'dev2');
  await dev2.send(['/3/0/0'], { format: ContentFormat.SENML_JSON });
  const e2 = await fromDev2;
  assert.equal(e2.format, ContentFormat.SENML_JSON);
  assert.deepEqual(values(e2), [['/3/0/0', 'Meter Co']]);

  // The gateway's own Send: no prefix, its own Device object.
  const own = server.next('send', (e) => e.prefix === undefined);
  await client.send(['/3/0/0']);
  const e3 = await own;
  assert.equal('prefix' in e3, false);
  assert.deepEqual(values(e3), [['/3/0/0', 'gateway maker']]);
  assert.deepEqual(
    events.map((e) => e.prefix),
    ['dev1', 'dev2', undefined],
  );

  // A device added after registration sends at once: accepted (the server re-reads /25 if it must).
  const dev3 = gw.addDevice({ deviceId: 'urn:dev:ops:3-late', prefix: 'dev3' });
  dev3.create('/3303/0', { 5700: -4 });
  const fromDev3 = server.next('send', (e) => e.prefix === 'dev3');
  await dev3.send(['/3303/0/5700']);
  assert.deepEqual(values(await fromDev3), [['/3303/0/5700', -4]]);
  assert.ok((await server.gatewayDevices(ep)).some((d) => d.prefix === 'dev3'));
});

test('cancelObservation finds observations made through a prefix (path or option), and only those', async (t) => {
  const { server, client, endpoint: ep, dev1, dev2 } = await clientGateway(t);
  const ownEngine = client.engine;
  const viaPath = await server.observe(ep, '/dev1/3/0/0');
  const viaOption = await server.observe(ep, '/3/0/0', { prefix: 'dev2' });
  const own = await server.observe(ep, '/3/0/0');
  assert.equal(viaPath.prefix, 'dev1');
  assert.equal(viaOption.prefix, 'dev2');
  assert.equal(own.prefix, undefined);
  assert.deepEqual(
    [viaPath, viaOption, own].map((o) => o.initial.records[0]?.value),
    ['Sensor Co', 'Meter Co', 'gateway maker'],
  );
  assert.equal(dev1.engine.observationCount(), 1);
  assert.equal(dev2.engine.observationCount(), 1);
  assert.equal(ownEngine.observationCount(), 1);

  // The same path without the prefix, or with another, is not the device's observation.
  assert.equal(await server.cancelObservation(ep, '/dev9/3/0/0'), 0);
  assert.equal(await server.cancelObservation(ep, '/3/0/0', { prefix: 'dev1' }), 1);
  assert.equal(viaPath.endReason, 'cancelled');
  assert.ok(viaOption.active && own.active);
  assert.equal(dev1.engine.observationCount(), 0, 'the device engine got the Observe=1 and forgot the observation');
  assert.equal(dev2.engine.observationCount(), 1);

  assert.equal(await server.cancelObservation(ep, '/dev2/3/0/0'), 1);
  assert.equal(viaOption.endReason, 'cancelled');
  assert.equal(dev2.engine.observationCount(), 0);
  assert.ok(own.active);

  assert.equal(await server.cancelObservation(ep, '/3/0/0'), 1);
  assert.equal(own.endReason, 'cancelled');
  assert.equal(ownEngine.observationCount(), 0);
  assert.equal(server.observations(ep).length, 0);
  await assert.rejects(server.cancelObservation(ep, '/dev1/3/0/0', { prefix: 'dev2' }), /dev1/);
});

// --- a scripted gateway: the test controls /25 and counts the server's reads of it -----------------

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function scriptedGateway(t: TestContext, server: LwM2mServer, endpoint: string, devices: readonly [number, string][]) {
  const gw = await FakeDevice.start({ server: server.local, endpoint });
  t.after(() => gw.close());
  for (const [iid, prefix] of devices) addListedDevice(gw, iid, prefix);
  const listed = devices.length === 0 ? Promise.resolve() : server.next('gateway-devices', (e) => e.registration.endpoint === endpoint);
  assert.equal(await gw.register(), CoapCode.CREATED);
  await listed;
  return gw;
}

function addListedDevice(gw: FakeDevice, iid: number, prefix: string): void {
  gw.put(`/25/${iid}/0`, `urn:dev:${prefix}`);
  gw.put(`/25/${iid}/1`, prefix);
  gw.put(`/25/${iid}/3`, '</3303/0>');
}

function reads25(gw: FakeDevice): number {
  return gw.requests.filter((r) => r.method === CoapCode.GET && r.path.join('/') === '25').length;
}

async function send(gw: FakeDevice, pack: unknown): Promise<{ code: number; diagnostic: string }> {
  const res = await gw.coap.request(gw.server, {
    code: CoapCode.POST,
    options: buildOptions({ uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }),
    payload: text(JSON.stringify(pack)),
  });
  return { code: res.code, diagnostic: Buffer.from(res.payload).toString() };
}

test('a scripted gateway: known prefixes need no read, an unknown one one refresh, then 4.04 with a diagnostic', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  t.after(() => server.close());
  const gw = await scriptedGateway(t, server, 'scripted-gw', [[0, 'dev1']]);
  assert.equal(reads25(gw), 1, 'the server read /25 after Register');
  const events: SendEvent[] = [];
  server.on('send', (e) => events.push(e));

  // Mixed pack: the gateway's own value and two devices', in one Send.
  addListedDevice(gw, 1, 'dev2'); // listed now, but the server has not read it yet
  const mixed = await send(gw, [
    { n: '/dev1/3303/0/5700', v: 20.5 },
    { n: '/3/0/9', v: 77 },
    { bn: '/dev2/3303/0/', n: '5700', v: 19 },
    { bn: '/dev1/3303/0/', n: '5701', vs: 'Cel' },
  ]);
  assert.equal(mixed.code, CoapCode.CHANGED, mixed.diagnostic);
  assert.equal(reads25(gw), 2, 'dev2 was unknown: exactly one refresh of /25');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    events.map((e) => [e.prefix, values(e)]),
    [
      [
        'dev1',
        [
          ['/3303/0/5700', 20.5],
          ['/3303/0/5701', 'Cel'],
        ],
      ],
      [undefined, [['/3/0/9', 77]]],
      ['dev2', [['/3303/0/5700', 19]]],
    ],
  );
  assert.ok(events.every((e) => e.registration.endpoint === 'scripted-gw'));

  // Known prefixes: no read.
  assert.equal((await send(gw, [{ n: '/dev2/3303/0/5700', v: 1 }])).code, CoapCode.CHANGED);
  assert.equal(reads25(gw), 2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events.map((e) => [e.prefix, values(e)]).at(-1), ['dev2', [['/3303/0/5700', 1]]]);

  // Unknown prefix: one refresh, then 4.04 naming it; no event.
  const before = events.length;
  const unknown = await send(gw, [{ n: '/dev9/3303/0/5700', v: 1 }, { n: '/dev1/3303/0/5700', v: 2 }]);
  assert.equal(unknown.code, CoapCode.NOT_FOUND);
  assert.match(unknown.diagnostic, /unknown IoT device prefix 'dev9'.*scripted-gw/);
  assert.equal(reads25(gw), 3);
  await new Promise((r) => setImmediate(r));
  assert.equal(events.length, before, 'a refused Send emits nothing, not even for its known prefix');

  // A malformed prefixed name is 4.00 before any lookup.
  assert.equal((await send(gw, [{ n: '/dev1', v: 1 }])).code, CoapCode.BAD_REQUEST);
  assert.equal(reads25(gw), 3);

  // The gateway cannot be read: 4.04 saying so.
  gw.failures.set('/25', CoapCode.INTERNAL_SERVER_ERROR);
  const unreadable = await send(gw, [{ n: '/dev8/3303/0/5700', v: 1 }]);
  assert.equal(unreadable.code, CoapCode.NOT_FOUND);
  assert.match(unreadable.diagnostic, /'dev8'.*could not be read.*5\.00/);
});

test('prefixed names from a client that is not a gateway: 4.04 without reading anything', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  t.after(() => server.close());
  const plain = await scriptedGateway(t, server, 'plain-dev', []);
  const res = await send(plain, [{ n: '/dev1/3303/0/5700', v: 1 }]);
  assert.equal(res.code, CoapCode.NOT_FOUND);
  assert.match(res.diagnostic, /'dev1'.*plain-dev.*not a gateway/);
  assert.equal(reads25(plain), 0);
  // Its plain Sends are unaffected.
  const sent = server.next('send');
  assert.equal((await send(plain, [{ n: '/3/0/9', v: 50 }])).code, CoapCode.CHANGED);
  assert.deepEqual(values(await sent), [['/3/0/9', 50]]);
});
