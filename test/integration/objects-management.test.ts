/**
 * Software Management (9), Connectivity Statistics (7), Portfolio (16), BinaryAppDataContainer (19),
 * Event Log (20), Location (6) and Connectivity Monitoring (4) over real UDP.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  installBinaryAppDataContainer,
  installConnectivityMonitoring,
  installConnectivityStatistics,
  installEventLog,
  installLocation,
  installPortfolio,
  installSoftwareManagement,
  SoftwareError,
  SoftwareResult,
  SoftwareState,
  type SoftwareManagementObject,
  type SoftwareSink,
} from '../../src/client/objects/index.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { codeOf, startEngine, str, type Harness } from './engine-harness.ts';

const T = { timeout: 15_000 };

function memorySink(verify?: (bytes: Uint8Array) => void): SoftwareSink & { bytes(): Uint8Array } {
  let chunks: Uint8Array[] = [];
  return {
    open: () => {
      chunks = [];
    },
    write: (c) => {
      chunks.push(c.slice());
    },
    finish: () => {
      verify?.(Buffer.concat(chunks));
      return { name: 'pkg', version: '3.1' };
    },
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
  };
}

function states(sw: SoftwareManagementObject): string[] {
  const out: string[] = [];
  sw.on('state', (s) => out.push(`${s.state}/${s.result}${s.active ? '+' : ''}`));
  return out;
}

async function status(h: Harness, iid = 0): Promise<unknown[]> {
  const v = h.server.values(await h.server.get(`/9/${iid}`, { accept: ContentFormat.SENML_JSON }), `/9/${iid}`);
  return [v.get(`/9/${iid}/7`), v.get(`/9/${iid}/9`), v.get(`/9/${iid}/12`), v.get(`/9/${iid}/0`), v.get(`/9/${iid}/1`)];
}

test('Software Management: push, install, activate, deactivate, uninstall, with the spec states and results', T, async (t) => {
  const h = await startEngine(t);
  const calls: string[] = [];
  const sink = memorySink();
  const sw = installSoftwareManagement(h.engine, {
    sink,
    install: () => {
      calls.push('install');
    },
    uninstall: (forUpdate) => {
      calls.push(`uninstall:${forUpdate}`);
    },
    activate: () => {
      calls.push('activate');
    },
    deactivate: () => {
      calls.push('deactivate');
    },
  });
  const seen = states(sw);
  assert.equal(codeOf(await h.server.post('/9/0/4')), '4.05', 'nothing to install');
  const pkg = new Uint8Array(40_000).map((_, i) => i * 7);
  assert.equal(codeOf(await h.server.put('/9/0/2', { format: ContentFormat.OPAQUE, payload: pkg })), '2.04');
  assert.deepEqual(sink.bytes(), pkg);
  assert.deepEqual(await status(h), [SoftwareState.DELIVERED, SoftwareResult.DELIVERED, false, 'pkg', '3.1']);
  assert.equal(codeOf(await h.server.post('/9/0/10')), '4.05', 'Activate needs INSTALLED');
  const installed = sw.next('state', (s) => s.state === SoftwareState.INSTALLED);
  assert.equal(codeOf(await h.server.post('/9/0/4')), '2.04');
  await installed;
  assert.equal(codeOf(await h.server.post('/9/0/10')), '2.04');
  assert.deepEqual(await status(h), [4, 2, true, 'pkg', '3.1']);
  assert.equal(codeOf(await h.server.post('/9/0/11')), '2.04');
  const removed = sw.next('state', (s) => s.state === SoftwareState.INITIAL);
  assert.equal(codeOf(await h.server.post('/9/0/6', { format: ContentFormat.TEXT, payload: '1' })), '2.04');
  await removed;
  assert.deepEqual(calls, ['install', 'activate', 'deactivate', 'uninstall:true']);
  assert.deepEqual(seen, ['1/1', '2/1', '3/3', '4/2', '4/2+', '4/2', '0/0']);
});

test('Software Management: a pull over HTTP with User Name / Password; an integrity failure gives 53', T, async (t) => {
  const h = await startEngine(t);
  const pkg = new Uint8Array(70_000).fill(9);
  const auth: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(200, { 'content-length': pkg.length }).end(Buffer.from(pkg));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  let reject = false;
  const sink = memorySink(() => {
    if (reject) throw new SoftwareError(SoftwareResult.INTEGRITY_FAILURE);
  });
  const sw = installSoftwareManagement(h.engine, { sink });
  const seen = states(sw);
  await h.server.put('/9/0/14', { format: ContentFormat.TEXT, payload: 'fleet' });
  await h.server.put('/9/0/15', { format: ContentFormat.TEXT, payload: 's3cret' });
  let done = sw.next('state', (s) => s.state === SoftwareState.DELIVERED || s.state === SoftwareState.INITIAL);
  assert.equal(codeOf(await h.server.put('/9/0/3', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${port}/pkg` })), '2.04');
  await done;
  assert.deepEqual(auth, [`Basic ${Buffer.from('fleet:s3cret').toString('base64')}`]);
  assert.deepEqual(sink.bytes(), pkg);
  assert.equal(codeOf(await h.server.put('/9/0/3', { format: ContentFormat.TEXT, payload: 'http://x/y' })), '4.05', 'a URI only in INITIAL');
  const removed = sw.next('state', (s) => s.state === SoftwareState.INITIAL);
  await h.server.post('/9/0/6');
  await removed;
  reject = true;
  done = sw.next('state', (s) => s.state === SoftwareState.INITIAL);
  await h.server.put('/9/0/3', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${port}/pkg` });
  await done;
  assert.deepEqual(seen, ['1/1', '2/1', '3/3', '0/0', '1/1', '2/1', '0/53']);
  done = sw.next('state', (s) => s.state === SoftwareState.INITIAL);
  await h.server.put('/9/0/3', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:1/none` });
  await done;
  assert.equal(sw.result, SoftwareResult.CONNECTION_LOST);
});

test('Connectivity Statistics: Start and Stop over CoAP count the client socket traffic', T, async (t) => {
  const h = await startEngine(t);
  const stats = installConnectivityStatistics(h.engine, {
    trafficSource: () => {
      const c = h.client.counters;
      return { bytesSent: c.bytesSent, bytesReceived: c.bytesReceived, datagramsSent: c.datagramsSent, datagramsReceived: c.datagramsReceived };
    },
  });
  assert.equal(codeOf(await h.server.post('/7/0/6')), '2.04');
  for (let i = 0; i < 5; i++) await h.server.get('/3/0');
  const v = h.server.values(await h.server.get('/7/0', { accept: ContentFormat.SENML_JSON }), '/7/0');
  const avg = v.get('/7/0/5') as number;
  assert.ok(avg > 28 && avg < 1500, `average message size ${avg}`);
  assert.equal(codeOf(await h.server.post('/7/0/7')), '2.04');
  const frozen = str((await h.server.get('/7/0/5', { accept: ContentFormat.TEXT })).payload);
  for (let i = 0; i < 3; i++) await h.server.get('/3/0/0');
  assert.equal(str((await h.server.get('/7/0/5', { accept: ContentFormat.TEXT })).payload), frozen, 'frozen after Stop');
  stats.dispose();
});

test('Portfolio GetAuthData, BinaryAppDataContainer writes, Event Log start/stop, Location and Connectivity Monitoring reads', T, async (t) => {
  const h = await startEngine(t);
  installPortfolio(h.engine, { identities: ['host'], getAuthData: (_a, ids) => [new TextEncoder().encode(`auth:${ids.join()}`)] });
  assert.equal(codeOf(await h.server.post('/16/0/1')), '2.04');
  await new Promise((r) => setTimeout(r, 20));
  const pf = h.server.values(await h.server.get('/16/0', { accept: ContentFormat.SENML_JSON }), '/16/0');
  assert.equal(str(pf.get('/16/0/2/0') as Uint8Array), 'auth:host');
  assert.equal(pf.get('/16/0/3'), 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(str((await h.server.get('/16/0/3', { accept: ContentFormat.TEXT })).payload), '0', 'IDLE once AuthData was read');

  const badc = installBinaryAppDataContainer(h.engine);
  const data: string[] = [];
  badc.on('data', (e) => data.push(`${e.path.toString()}:${str(e.data)}`));
  const created = await h.server.post('/19', { format: ContentFormat.SENML_JSON, payload: JSON.stringify([{ bn: '/19/4/', n: '0/0', vd: Buffer.from('hi').toString('base64url') }]) });
  assert.equal(codeOf(created), '2.01');
  assert.equal(codeOf(await h.server.post('/19/4', { format: ContentFormat.SENML_JSON, payload: JSON.stringify([{ bn: '/19/4/', n: '0/1', vd: Buffer.from('yo').toString('base64url') }]) })), '2.04');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(data, ['/19/4/0/0:hi', '/19/4/0/1:yo']);

  const log = installEventLog(h.engine);
  assert.equal(codeOf(await h.server.post('/20/0/4011')), '2.04');
  log.append('boot;');
  log.append('link up;');
  assert.equal(codeOf(await h.server.post('/20/0/4012')), '2.04');
  const el = h.server.values(await h.server.get('/20/0', { accept: ContentFormat.SENML_JSON }), '/20/0');
  assert.deepEqual([el.get('/20/0/4013'), str(el.get('/20/0/4014') as Uint8Array)], [3, 'boot;link up;']);

  installLocation(h.engine, { latitude: 52.52, longitude: 13.405, altitude: 34 });
  installConnectivityMonitoring(h.engine, { ipAddresses: ['192.0.2.7'], radioSignalStrength: -70 });
  const loc = h.server.values(await h.server.get('/6/0', { accept: ContentFormat.SENML_JSON }), '/6/0');
  assert.deepEqual([loc.get('/6/0/0'), loc.get('/6/0/1'), loc.get('/6/0/2')], [52.52, 13.405, 34]);
  const cm = h.server.values(await h.server.get('/4/0', { accept: ContentFormat.SENML_JSON }), '/4/0');
  assert.deepEqual([cm.get('/4/0/0'), cm.get('/4/0/2'), cm.get('/4/0/4/0')], [41, -70, '192.0.2.7']);
});
