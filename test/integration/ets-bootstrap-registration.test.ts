/**
 * OMA ETS 1.1 bootstrap and registration cases (LightweightM2M-1.1-int-0 ... int-109), our client
 * against our bootstrap server and LwM2M server over real UDP on loopback. Times are scaled down
 * through the client's RD timing and the server's Disable Timeout; the behaviour is the spec's.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient, type LwM2mClientOptions } from '../../src/client/client.ts';
import type { RdEvent, RdEventType } from '../../src/client/rd/events.ts';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { buildOptions } from '../../src/coap/options.ts';

const FAST_COAP = { params: { ackTimeout: 200, ackRandomFactor: 1, maxRetransmit: 2 } };
const FAST_TIMING = { retryBaseMs: 50, maxRetries: 2, recoveryDelayMs: 60_000 };

class Events {
  readonly list: RdEvent[] = [];
  constructor(client: LwM2mClient) {
    client.on('event', (e) => this.list.push(e));
  }
  types(): RdEventType[] {
    return this.list.map((e) => e.type);
  }
  count(type: RdEventType): number {
    return this.list.filter((e) => e.type === type).length;
  }
  async until(type: RdEventType, n = 1, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (this.count(type) < n) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${n}x ${type}; saw ${this.types().join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

interface World {
  server: LwM2mServer;
  bootstrap: BootstrapServer;
  endpoint: string;
  serverUri: string;
  bootstrapUri: string;
}

async function world(t: TestContext, plan: (serverUri: string) => object = defaultPlan): Promise<World> {
  const server = await LwM2mServer.start({ address: '127.0.0.1', coap: FAST_COAP });
  const serverUri = `coap://127.0.0.1:${server.local.port}`;
  const endpoint = `ets-${Math.random().toString(36).slice(2, 10)}`;
  const bootstrap = await BootstrapServer.start({
    address: '127.0.0.1',
    coap: FAST_COAP,
    config: parseBootstrapConfig({ endpoints: { [endpoint]: plan(serverUri) } }),
  });
  t.after(async () => {
    await bootstrap.close();
    await server.close();
  });
  return { server, bootstrap, endpoint, serverUri, bootstrapUri: `coap://127.0.0.1:${bootstrap.local.port}` };
}

function defaultPlan(serverUri: string): object {
  return {
    delete: ['/'],
    security: { '1': { uri: serverUri, securityMode: 'nosec', shortServerId: 1 } },
    servers: { '0': { shortServerId: 1, lifetime: 300, binding: 'U', notificationStoring: false } },
  };
}

function client(t: TestContext, w: World, options: Partial<LwM2mClientOptions> = {}): LwM2mClient {
  const c = new LwM2mClient({ endpoint: w.endpoint, coap: FAST_COAP, timing: FAST_TIMING, ...options });
  c.create('/3/0', { 0: 'lwm2m-ts', 1: 'ets', 2: 'SN-ETS', 16: 'U' });
  t.after(() => c.close());
  return c;
}

function withBootstrapAccount(c: LwM2mClient, w: World): void {
  c.create('/0/0', { 0: w.bootstrapUri, 1: true, 2: 3 });
}

function withServerAccount(c: LwM2mClient, uri: string, lifetime = 300): void {
  c.create('/0/1', { 0: uri, 1: false, 2: 3, 10: 1 });
  c.create('/1/0', { 0: 1, 1: lifetime, 6: false, 7: 'U' });
}

describe('OMA ETS 1.1 bootstrap', () => {
  test('LightweightM2M-1.1-int-0 Client Initiated Bootstrap', async (t) => {
    const w = await world(t);
    const c = client(t, w);
    withBootstrapAccount(c, w);
    const events = new Events(c);
    const request = w.bootstrap.next('request');
    const finished = w.bootstrap.next('finished');
    await c.start({ bootstrap: true });
    const req = await request;
    assert.equal(req.endpoint, w.endpoint);
    assert.equal(req.preferredFormat, 112);
    const { result } = await finished;
    assert.deepEqual(result.steps.at(-1), 'FINISH');
    assert.deepEqual(events.types().slice(0, 3), ['BOOTSTRAP_REG_COMPLETE', 'BOOTSTRAP_TRANSFER_COMPLETE', 'REGISTRATION_COMPLETE']);
  });

  test('Bootstrap-Request pct follows the preferredFormat option (TLV here), and the writes arrive in it', async (t) => {
    const w = await world(t);
    const c = client(t, w, { preferredFormat: 11542 });
    withBootstrapAccount(c, w);
    const request = w.bootstrap.next('request');
    const finished = w.bootstrap.next('finished');
    await c.start({ bootstrap: true });
    assert.equal((await request).preferredFormat, 11542);
    const { result } = await finished;
    assert.equal(result.format, 11542);
    assert.equal(c.get('/1/0/1'), 300);
  });

  test('LightweightM2M-1.1-int-1 Client Initiated Bootstrap Full (NoSec here): the written account registers', async (t) => {
    const w = await world(t);
    const c = client(t, w);
    withBootstrapAccount(c, w);
    const registered = w.server.next('registered');
    await c.start();
    const { registration } = await registered;
    assert.equal(registration.endpoint, w.endpoint);
    assert.equal(registration.lifetime, 300);
    assert.equal(c.get('/0/1/0'), w.serverUri);
    assert.equal(c.get('/1/0/1'), 300);
    assert.equal(c.get('/0/0/1'), true, 'the bootstrap account itself is kept');
  });

  test('LightweightM2M-1.1-int-4 Bootstrap Delete removes the earlier configuration', async (t) => {
    const w = await world(t);
    const c = client(t, w);
    withBootstrapAccount(c, w);
    c.create('/0/7', { 0: 'coap://192.0.2.1:5683', 1: false, 2: 3, 10: 9 });
    c.create('/1/7', { 0: 9, 1: 60, 6: false, 7: 'U' });
    await c.start({ bootstrap: true });
    assert.deepEqual(c.registry.instanceIds(0), [0, 1]);
    assert.deepEqual(c.registry.instanceIds(1), [0]);
    assert.equal(c.get('/3/0/0'), 'lwm2m-ts', 'Device is not deleted by Bootstrap-Delete of /');
    assert.deepEqual(c.servers().map((s) => s.ssid), [1]);
  });

  test('LightweightM2M-1.1-int-5 Server Initiated Bootstrap (Bootstrap-Request Trigger /1/0/9)', async (t) => {
    const w = await world(t);
    const c = client(t, w);
    withBootstrapAccount(c, w);
    withServerAccount(c, w.serverUri);
    const events = new Events(c);
    await c.start();
    assert.equal(events.count('BOOTSTRAP_REG_COMPLETE'), 0);
    const finished = w.bootstrap.next('finished');
    await w.server.execute(w.endpoint, '/1/0/9');
    await finished;
    await events.until('REGISTRATION_COMPLETE', 2);
    assert.deepEqual(events.types(), [
      'REGISTRATION_COMPLETE',
      'BOOTSTRAP_REG_COMPLETE',
      'BOOTSTRAP_TRANSFER_COMPLETE',
      'REGISTRATION_COMPLETE',
    ]);
  });

  test('LightweightM2M-1.1-int-6 Bootstrap Sequence: a usable account registers without bootstrapping', async (t) => {
    const w = await world(t);
    const c = client(t, w);
    withBootstrapAccount(c, w);
    withServerAccount(c, w.serverUri);
    const events = new Events(c);
    let requests = 0;
    w.bootstrap.on('request', () => requests++);
    await c.start();
    assert.equal(requests, 0);
    assert.deepEqual(events.types(), ['REGISTRATION_COMPLETE']);
  });

  test('LightweightM2M-1.1-int-7 Fallback to bootstrap when registration keeps failing', async (t) => {
    const w = await world(t);
    // A server that refuses every registration with 4.03.
    const refusing = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
    refusing.onRequest(() => ({ code: CoapCode.FORBIDDEN }));
    t.after(() => refusing.close());
    const c = client(t, w);
    withBootstrapAccount(c, w);
    withServerAccount(c, `coap://127.0.0.1:${refusing.local.port}`);
    const events = new Events(c);
    const registered = w.server.next('registered');
    await c.start({ wait: false });
    await registered;
    await events.until('REGISTRATION_COMPLETE');
    assert.equal(events.count('REGISTRATION_FAILURE'), FAST_TIMING.maxRetries + 1);
    assert.deepEqual(events.types().slice(-3), ['BOOTSTRAP_REG_COMPLETE', 'BOOTSTRAP_TRANSFER_COMPLETE', 'REGISTRATION_COMPLETE']);
    assert.equal(c.get('/0/1/0'), w.serverUri, 'the bootstrap server replaced the failing account');
  });
});

describe('OMA ETS 1.1 registration', () => {
  async function registered(t: TestContext, options: Partial<LwM2mClientOptions> = {}, lifetime = 300) {
    const w = await world(t);
    const c = client(t, w, options);
    withServerAccount(c, w.serverUri, lifetime);
    const events = new Events(c);
    const reg = w.server.next('registered');
    await c.start();
    return { w, c, events, registration: (await reg).registration };
  }

  test('LightweightM2M-1.1-int-101 Initial Registration', async (t) => {
    const { w, registration } = await registered(t);
    assert.equal(registration.endpoint, w.endpoint);
    assert.equal(registration.version, '1.1');
    assert.equal(registration.binding, 'U');
    assert.equal(registration.lifetime, 300);
    const targets = registration.links.map((l) => l.target);
    assert.ok(targets.includes('/1/0') && targets.includes('/3/0'), targets.join(','));
    assert.ok(!targets.some((x) => x.startsWith('/0/')), 'Security instances are not registered');
    assert.ok(w.server.registration(w.endpoint));
  });

  test('LightweightM2M-1.1-int-102 Registration Update after a lifetime write', async (t) => {
    const { w, c, events } = await registered(t);
    const updated = w.server.next('updated');
    await w.server.write(w.endpoint, '/1/0/1', 310);
    const { registration } = await updated;
    assert.equal(registration.lifetime, 310);
    assert.equal(c.get('/1/0/1'), 310);
    await events.until('REG_UPDATE_COMPLETE');
  });

  test('LightweightM2M-1.1-int-103 Deregistration on Disable, back after the Disable Timeout', async (t) => {
    const { w, c, events } = await registered(t);
    await w.server.write(w.endpoint, '/1/0/5', 1);
    const gone = w.server.next('deregistered');
    const back = w.server.next('registered');
    await w.server.execute(w.endpoint, '/1/0/4');
    await gone;
    assert.equal(w.server.registration(w.endpoint), undefined);
    await back;
    await events.until('REGISTRATION_COMPLETE', 2);
    assert.deepEqual(events.types(), ['REGISTRATION_COMPLETE', 'SERVER_DISABLED', 'REGISTRATION_COMPLETE']);
    assert.ok(c.isRegistered());
  });

  test('LightweightM2M-1.1-int-104 Registration Update Trigger (/1/0/8 and client.update())', async (t) => {
    const { w, c, events } = await registered(t);
    let updates = 0;
    w.server.on('updated', () => updates++);
    await w.server.execute(w.endpoint, '/1/0/8');
    await events.until('REG_UPDATE_COMPLETE', 1);
    c.update();
    await events.until('REG_UPDATE_COMPLETE', 2);
    assert.equal(updates, 2);
  });

  test('LightweightM2M-1.1-int-105 Discarded Register Update: 4.04 leads to a new Register', async (t) => {
    const { w, c, events, registration } = await registered(t);
    // Someone else de-registers this registration behind the client's back.
    const intruder = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
    t.after(() => intruder.close());
    const res = await intruder.request(w.server.local, { code: CoapCode.DELETE, options: buildOptions({ uriPath: ['rd', registration.id] }) });
    assert.equal(res.code, CoapCode.DELETED);
    const again = w.server.next('registered');
    c.update();
    await again;
    await events.until('REGISTRATION_COMPLETE', 2);
    assert.deepEqual(events.types(), ['REGISTRATION_COMPLETE', 'REG_UPDATE', 'REGISTRATION_COMPLETE']);
  });

  test('LightweightM2M-1.1-int-107 Extending the lifetime: periodic Updates keep the registration alive', async (t) => {
    const { w, events } = await registered(t, { timing: { ...FAST_TIMING, updateEarlyMs: 1500, minimumUpdatePeriodMs: 200 } }, 2);
    let expired = false;
    w.server.on('expired', () => (expired = true));
    await events.until('REG_UPDATE_COMPLETE', 3, 5000);
    assert.equal(expired, false);
    assert.ok(w.server.registration(w.endpoint));
  });

  test('LightweightM2M-1.1-int-108 Turn on Queue Mode', async (t) => {
    const { registration } = await registered(t, { queueMode: true });
    assert.equal(registration.queueMode, true);
  });

  test('LightweightM2M-1.1-int-109 Behavior in Queue Mode: RX off, queued request delivered after the wake-up Update', async (t) => {
    const { w, c, events } = await registered(t, { queueMode: true, timing: { ...FAST_TIMING, queueModeUptimeMs: 300 } });
    await events.until('QUEUE_MODE_RX_OFF');
    // The server knows the client sleeps (its own awake window is longer; ask it to queue by waiting).
    const read = w.server.read(w.endpoint, '/3/0/0');
    await new Promise((r) => setTimeout(r, 100));
    c.update();
    const result = await read;
    assert.equal(result.records[0]?.value, 'lwm2m-ts');
    assert.ok(events.count('REG_UPDATE_COMPLETE') >= 1);
  });
});
