/**
 * LwM2M Gateway (object 25, Gateway TS 1.1) on the client: prefix validation, the /25 instances and
 * their IoT Device Objects links, and the routing of prefixed requests to the device's engine over
 * the real CoAP stack on an in-memory network (FakeClock).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { CoapEndpoint } from '../../../src/coap/endpoint.ts';
import type { IncomingResponse } from '../../../src/coap/incoming.ts';
import { CoapCode, CoapOption } from '../../../src/coap/message.ts';
import { buildOptions } from '../../../src/coap/options.ts';
import { ContentFormat } from '../../../src/codec/content-format.ts';
import { readSenmlJson, resolveSenml } from '../../../src/codec/index.ts';
import { GatewayError, installGateway, validatePrefix, type Gateway, type IotDevice } from '../../../src/client/objects/gateway.ts';
import { LwM2mEngine, type EngineEvents, type ServerSession } from '../../../src/dm/engine.ts';
import { parseDdf } from '../../../src/model/ddf.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import { counterRandom, MemoryNetwork, type MemoryTransport } from '../../coap/_helpers.ts';
import { populate } from '../../integration/engine-harness.ts';
import { makeEngine } from './_engine.ts';

const dec = new TextDecoder();
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const registryDir = resolve(repoRoot, '../shared/lwm2m-registry');

function reason(r: GatewayError['reason']) {
  return (e: unknown) => e instanceof GatewayError && e.reason === r;
}

describe('prefix validation', () => {
  it('refuses empty, numeric, path-breaking and over-long prefixes with a typed error', () => {
    assert.throws(() => validatePrefix(''), reason('empty'));
    assert.throws(() => validatePrefix('3303'), reason('numeric'));
    assert.throws(() => validatePrefix('0'), reason('numeric'));
    for (const bad of ['dev/1', 'dev 1', 'dév', '.', '..', 'a?b', 'a&b', '<x>', 'a,b']) assert.throws(() => validatePrefix(bad), reason('characters'), bad);
    assert.throws(() => validatePrefix('d'.repeat(256)), reason('too-long'));
    for (const good of ['dev1', 'd', 'node-7', 'ble.aa_bb~1', '1a', 'd'.repeat(255)]) validatePrefix(good);
  });

  it('property: a string is a valid prefix exactly when it is one non-numeric unreserved URI segment', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const ok = s !== '' && !/^[0-9]+$/.test(s) && /^[A-Za-z0-9._~-]+$/.test(s) && s !== '.' && s !== '..';
        let accepted = true;
        try {
          validatePrefix(s);
        } catch (error) {
          assert.ok(error instanceof GatewayError);
          accepted = false;
        }
        assert.equal(accepted, ok, JSON.stringify(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the gateway object', () => {
  it('needs LwM2M 1.1 and object 25', () => {
    assert.throws(() => installGateway(makeEngine('1.0').engine), reason('unsupported'));
    const { engine } = makeEngine('1.1');
    const gw = installGateway(engine);
    assert.throws(() => installGateway(gw.addDevice({ deviceId: 'x', prefix: 'x' }).engine), reason('unsupported'));
  });

  it('keeps one /25 instance per device, with its id, prefix and objects, and refuses duplicates', async () => {
    const { engine } = makeEngine('1.1');
    const gw = installGateway(engine);
    assert.deepEqual(engine.registry.instanceIds(25), []);
    assert.match(engine.registrationLinks(), /<\/25>;ver=2\.0/);
    const dev = gw.addDevice({ deviceId: 'urn:dev:mac:0024befffe804ff1', prefix: 'ble1' });
    dev.create('/3303/0', { 5700: 20 });
    await new Promise((r) => setImmediate(r));
    assert.equal(engine.registry.get('/25/0/0'), 'urn:dev:mac:0024befffe804ff1');
    assert.equal(engine.registry.get('/25/0/1'), 'ble1');
    assert.equal(engine.registry.get('/25/0/3'), '</3303>;ver=1.1,</3303/0>');
    dev.install({ ...engine.catalogue.object(3304)! });
    assert.equal(engine.registry.get('/25/0/3'), '</3303>;ver=1.1,</3303/0>,</3304>;ver=1.1');
    // Register links: /25 instances, never the device's objects (Gateway TS 1.1 section 6).
    assert.match(engine.registrationLinks(), /<\/25\/0>/);
    assert.doesNotMatch(engine.registrationLinks(), /3303|3304/);
    assert.throws(() => gw.addDevice({ deviceId: 'other', prefix: 'ble1' }), reason('prefix-in-use'));
    assert.throws(() => gw.addDevice({ deviceId: 'urn:dev:mac:0024befffe804ff1', prefix: 'ble2' }), reason('device-id-in-use'));
    assert.throws(() => gw.addDevice({ deviceId: 'x', prefix: '25' }), reason('numeric'));
    assert.throws(() => gw.addDevice({ deviceId: '', prefix: 'x' }), reason('empty'));
    assert.deepEqual(engine.registry.instanceIds(25), [0], 'refused devices leave nothing behind');
    assert.deepEqual(engine.devicePrefixes(), ['ble1']);
    const second = gw.addDevice({ deviceId: 'two', prefix: 'ble2', instanceId: 9 });
    assert.equal(second.instanceId, 9);
    assert.equal(gw.removeDevice('ble1'), true);
    assert.deepEqual(engine.registry.instanceIds(25), [9]);
    assert.deepEqual(engine.devicePrefixes(), ['ble2']);
    assert.equal(gw.device('ble1'), undefined);
  });

  it('adding and removing a device reports instance changes (the client sends an Update)', async () => {
    const { engine } = makeEngine('1.1');
    const gw = installGateway(engine);
    const changes: EngineEvents['instances-changed'][] = [];
    engine.on('instances-changed', (c) => changes.push(c));
    gw.addDevice({ deviceId: 'a', prefix: 'a' });
    await new Promise((r) => setImmediate(r));
    gw.removeDevice('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      changes.map((c) => [c.created.map(String), c.deleted.map(String)]),
      [
        [['/25/0'], []],
        [[], ['/25/0']],
      ],
    );
  });

  it('/25 instances validate against the registry DDF of object 25 version 2.0', { skip: existsSync(registryDir) ? false : 'no registry' }, () => {
    const { engine } = makeEngine('1.2');
    const gw = installGateway(engine);
    gw.addDevice({ deviceId: 'a', prefix: 'a' }).create('/3/0');
    const file = join(registryDir, '25.xml');
    const [ddf] = parseDdf(readFileSync(file), { source: file });
    assert.equal(ddf?.version, engine.registry.definition(25)?.version);
    for (const rdef of ddf!.resources.values()) {
      const v = engine.registry.get(`/25/0/${rdef.id}`);
      if (rdef.mandatory) assert.equal(typeof v, 'string', `${rdef.name} (${rdef.type})`);
    }
    for (const rid of engine.registry.presentResources(25, 0)) assert.ok(ddf!.resources.has(rid), `/25/0/${rid} is in the DDF`);
  });
});

interface Setup {
  clock: FakeClock;
  engine: LwM2mEngine;
  server: CoapEndpoint;
  ct: MemoryTransport;
  gw: Gateway;
  dev: IotDevice;
}

function setup(): Setup {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const params = { ackTimeout: 2000, ackRandomFactor: 1 };
  const client = new CoapEndpoint(ct, { clock, random: counterRandom(), params });
  const server = new CoapEndpoint(st, { clock, random: counterRandom(), params });
  const engine = new LwM2mEngine({ version: '1.1', clock, endpointName: 'gw' });
  populate(engine);
  const session: ServerSession = { ssid: 1, bootstrap: false, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined };
  engine.attachServer(session);
  const gw = installGateway(engine);
  const dev = gw.addDevice({ deviceId: 'urn:dev:ops:x', prefix: 'dev1' });
  dev.create('/3303/0', { 5700: 21.5, 5701: 'Cel' });
  return { clock, engine, server, ct, gw, dev };
}

function req(s: Setup, code: number, path: string, init: { accept?: number; format?: number; payload?: Uint8Array; query?: string } = {}): Promise<IncomingResponse> {
  return s.server.request(s.ct.local, {
    code,
    options: buildOptions({ uriPath: path, accept: init.accept, contentFormat: init.format, uriQuery: init.query }),
    payload: init.payload,
  });
}

const code = (r: IncomingResponse): number => r.code;

describe('routing of prefixed requests', () => {
  it('sends a prefixed request to the device, the rest to the gateway, an unknown prefix to 4.04', async () => {
    const s = setup();
    assert.equal(dec.decode((await req(s, CoapCode.GET, '/dev1/3303/0/5700', { accept: 0 })).payload), '21.5');
    assert.equal(dec.decode((await req(s, CoapCode.GET, '/3/0/0', { accept: 0 })).payload), s.engine.registry.get('/3/0/0'));
    assert.equal(code(await req(s, CoapCode.GET, '/dev2/3303/0/5700', { accept: 0 })), CoapCode.NOT_FOUND);
    assert.equal(code(await req(s, CoapCode.GET, '/dev1/3/0/0', { accept: 0 })), CoapCode.NOT_FOUND, 'the device has no /3');
    assert.equal(code(await req(s, CoapCode.GET, '/3303/0/5700', { accept: 0 })), CoapCode.NOT_FOUND, 'the gateway has no /3303');
  });

  it('writes, executes, creates (Location-Path with the prefix) and deletes on the device', async () => {
    const s = setup();
    const enc = new TextEncoder();
    assert.equal(code(await req(s, CoapCode.PUT, '/dev1/3303/0/5750', { format: 0, payload: enc.encode('porch') })), CoapCode.CHANGED);
    assert.equal(s.dev.get('/3303/0/5750'), 'porch');
    let ran = 0;
    s.dev.create('/3/0');
    s.dev.onExecute('/3/0/4', () => {
      ran++;
    });
    assert.equal(code(await req(s, CoapCode.POST, '/dev1/3/0/4')), CoapCode.CHANGED);
    assert.equal(ran, 1);
    const created = await req(s, CoapCode.POST, '/dev1/3303', {
      format: ContentFormat.SENML_JSON,
      payload: enc.encode('[{"bn":"/dev1/3303/4/","n":"5700","v":3}]'),
    });
    assert.equal(code(created), CoapCode.CREATED);
    assert.deepEqual(created.options.filter((o) => o.number === CoapOption.LOCATION_PATH).map((o) => dec.decode(o.value)), ['dev1', '3303', '4']);
    assert.equal(s.dev.get('/3303/4/5700'), 3);
    await s.clock.tick(0);
    assert.equal(s.engine.registry.get('/25/0/3'), '</3>;ver=1.1,</3/0>,</3303>;ver=1.1,</3303/0>,</3303/4>');
    assert.equal(code(await req(s, CoapCode.DELETE, '/dev1/3303/4')), CoapCode.DELETED);
    assert.equal(s.dev.registry.hasInstance(3303, 4), false);
  });

  it('answers SenML with prefixed names, Discover without the prefix, LwM2M CBOR with 4.06 / 4.15', async () => {
    const s = setup();
    const json = await req(s, CoapCode.GET, '/dev1/3303/0', { accept: ContentFormat.SENML_JSON });
    assert.deepEqual(
      resolveSenml(readSenmlJson(json.payload)).map((r) => r.name),
      ['/dev1/3303/0/5700', '/dev1/3303/0/5701'],
    );
    const links = dec.decode((await req(s, CoapCode.GET, '/dev1/3303', { accept: ContentFormat.LINK })).payload);
    assert.match(links, /^<\/3303>/);
    assert.doesNotMatch(links, /dev1/);
    assert.equal(code(await req(s, CoapCode.GET, '/dev1/3303/0', { accept: ContentFormat.LWM2M_CBOR })), CoapCode.NOT_ACCEPTABLE);
    assert.equal(code(await req(s, CoapCode.PUT, '/dev1/3303/0', { format: ContentFormat.LWM2M_CBOR, payload: Uint8Array.of(0xa0) })), CoapCode.UNSUPPORTED_CONTENT_FORMAT);
    assert.equal(code(await req(s, CoapCode.PUT, '/dev1/3303/0/5700', { query: 'pmin=5' })), CoapCode.CHANGED);
  });

  it('notifies a device observation when the application changes the value, until the device is removed', async () => {
    const s = setup();
    s.engine.registry.set('/1/0/2', 0);
    const got: IncomingResponse[] = [];
    const obs = await s.server.observe(
      s.ct.local,
      { code: CoapCode.GET, options: buildOptions({ uriPath: '/dev1/3303/0/5700', observe: 0, accept: ContentFormat.SENML_JSON }) },
      { onNotification: (n) => got.push(n) },
    );
    assert.equal(code(obs.response), CoapCode.CONTENT);
    assert.equal(s.dev.engine.observationCount(1), 1);
    s.dev.set('/3303/0/5700', 30);
    await s.clock.tick(0);
    assert.equal(got.length, 1);
    assert.deepEqual(
      resolveSenml(readSenmlJson(got[0]!.payload)).map((r) => [r.name, r.value]),
      [['/dev1/3303/0/5700', { kind: 'v', value: 30, time: false }]],
    );
    s.gw.removeDevice('dev1');
    assert.equal(s.dev.engine.observationCount(), 0);
    assert.equal(code(await req(s, CoapCode.GET, '/dev1/3303/0/5700', { accept: 0 })), CoapCode.NOT_FOUND);
  });

  it('serves composites addressed at the prefix, names with or without it', async () => {
    const s = setup();
    const enc = new TextEncoder();
    const res = await s.server.request(s.ct.local, {
      code: CoapCode.FETCH,
      options: buildOptions({ uriPath: '/dev1', contentFormat: ContentFormat.SENML_JSON, accept: ContentFormat.SENML_JSON }),
      payload: enc.encode('[{"n":"/dev1/3303/0/5700"},{"n":"/3303/0/5701"}]'),
    });
    assert.equal(code(res), CoapCode.CONTENT);
    assert.deepEqual(
      resolveSenml(readSenmlJson(res.payload)).map((r) => r.name),
      ['/dev1/3303/0/5700', '/dev1/3303/0/5701'],
    );
    const patched = await s.server.request(s.ct.local, {
      code: CoapCode.IPATCH,
      options: buildOptions({ uriPath: '/dev1', contentFormat: ContentFormat.SENML_JSON }),
      payload: enc.encode('[{"n":"/dev1/3303/0/5750","vs":"x"}]'),
    });
    assert.equal(code(patched), CoapCode.CHANGED);
    assert.equal(s.dev.get('/3303/0/5750'), 'x');
  });
});

test('a bootstrap server does not reach IoT devices (Gateway TS 1.1 8.1)', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const client = new CoapEndpoint(ct, { clock, random: counterRandom() });
  const server = new CoapEndpoint(st, { clock, random: counterRandom() });
  const engine = new LwM2mEngine({ version: '1.1', clock, endpointName: 'gw' });
  engine.attachServer({ ssid: undefined, bootstrap: true, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  installGateway(engine).addDevice({ deviceId: 'd', prefix: 'dev1' }).create('/3303/0', { 5700: 1 });
  const res = await server.request(ct.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/dev1/3303', accept: ContentFormat.LINK }) });
  assert.equal(res.code, CoapCode.NOT_FOUND);
});
