/**
 * The Bootstrap interface on the client and Access Control with several servers, over real UDP.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { locationPath } from '../../src/coap/options.ts';
import { ContentFormat as CF, encode } from '../../src/codec/index.ts';
import type { LwM2mEngine } from '../../src/dm/engine.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { ResourceValue } from '../../src/model/resource-type.ts';
import { addServer, codeOf, startEngine, str, wait, type Harness } from './engine-harness.ts';

function payload(engine: LwM2mEngine, base: string, format: number, values: [string, ResourceValue][]): Uint8Array {
  return encode(values.map(([p, v]) => ({ path: LwM2mPath.parse(p), value: v })), { format, basePath: base, definitions: engine.catalogue });
}

/** A client that knows only its bootstrap account and its Device instance, talking to its bootstrap server. */
async function bootstrapClient(t: Parameters<typeof startEngine>[0], version: '1.0' | '1.1' = '1.1'): Promise<Harness> {
  const h = await startEngine(t, { version, populate: false, bootstrap: true });
  const reg = h.engine.registry;
  reg.create('/0/0', { 0: 'coap://bs.example:5683', 1: true, 2: 3, 3: new Uint8Array(0), 4: new Uint8Array(0), 5: new Uint8Array(0) });
  reg.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
  reg.supportObject(1);
  reg.supportObject(2);
  return h;
}

const SERVER_ACCOUNT: [string, ResourceValue][] = [
  ['/0/1/0', 'coap://dm.example:5683'],
  ['/0/1/1', false],
  ['/0/1/2', 3],
  ['/0/1/3', new Uint8Array(0)],
  ['/0/1/4', new Uint8Array(0)],
  ['/0/1/5', new Uint8Array(0)],
  ['/0/1/10', 101],
];
const SERVER_INSTANCE: [string, ResourceValue][] = [
  ['/1/0/0', 101],
  ['/1/0/1', 300],
  ['/1/0/6', false],
  ['/1/0/7', 'U'],
];

describe('Bootstrap interface', () => {
  test('Bootstrap-Write creates instances, writes resources no LwM2M Server may write, and Finish accepts a consistent configuration', async (t) => {
    const h = await bootstrapClient(t);
    const activity: string[] = [];
    h.engine.on('bootstrap-activity', (e) => activity.push(`${e.method} ${e.path}`));
    let finished = 0;
    h.engine.on('bootstrap-finish', () => {
      finished++;
    });
    assert.equal(codeOf(await h.server.put('/0/1', { format: CF.TLV, payload: payload(h.engine, '/0/1', CF.TLV, SERVER_ACCOUNT) })), '2.04');
    assert.equal(codeOf(await h.server.post('/bs')), '4.06', 'a Security instance without Server instance');
    assert.equal(finished, 0);
    assert.equal(codeOf(await h.server.put('/1/0', { format: CF.SENML_CBOR, payload: payload(h.engine, '/1/0', CF.SENML_CBOR, SERVER_INSTANCE) })), '2.04');
    assert.equal(codeOf(await h.server.put('/1/0/0', { format: CF.TEXT, payload: '101' })), '2.04', 'read-only for servers, writable in bootstrap');
    assert.equal(h.engine.registry.get('/0/1/10'), 101);
    assert.equal(h.engine.registry.get('/1/0/1'), 300);
    const r = await h.server.post('/bs');
    assert.equal(codeOf(r), '2.04', str(r.payload));
    await wait(20);
    assert.equal(finished, 1);
    assert.deepEqual(activity, ['3 /0/1', '2 /bs', '3 /1/0', '3 /1/0/0', '2 /bs']);
  });

  test('Bootstrap-Write on an object writes several instances', async (t) => {
    const h = await bootstrapClient(t);
    const values: [string, ResourceValue][] = [...SERVER_INSTANCE, ['/1/1/0', 102], ['/1/1/1', 60], ['/1/1/6', true], ['/1/1/7', 'UQ']];
    assert.equal(codeOf(await h.server.put('/1', { format: CF.TLV, payload: payload(h.engine, '/1', CF.TLV, values) })), '2.04');
    assert.deepEqual(h.engine.registry.instanceIds(1), [0, 1]);
    assert.equal(h.engine.registry.get('/1/1/7'), 'UQ');
  });

  test('Bootstrap-Discover lists the objects with lwm2m, ver, ssid and uri', async (t) => {
    const h = await bootstrapClient(t);
    await h.server.put('/0/1', { format: CF.TLV, payload: payload(h.engine, '/0/1', CF.TLV, SERVER_ACCOUNT) });
    await h.server.put('/1/0', { format: CF.TLV, payload: payload(h.engine, '/1/0', CF.TLV, SERVER_INSTANCE) });
    const r = await h.server.get('/', { accept: CF.LINK });
    assert.equal(codeOf(r), '2.05');
    assert.equal(str(r.payload), '</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri="coap://bs.example:5683",</0/1>;ssid=101;uri="coap://dm.example:5683",</1>;ver=1.1,</1/0>;ssid=101,</2>,</3>;ver=1.1,</3/0>');
    assert.equal(str((await h.server.get('/1', { accept: CF.LINK })).payload), '</>;lwm2m=1.1,</1>;ver=1.1,</1/0>;ssid=101');
    assert.equal(codeOf(await h.server.get('/1/0', { accept: CF.LINK })), '4.00');
    const h10 = await bootstrapClient(t, '1.0');
    await h10.server.put('/0/1', { format: CF.TLV, payload: payload(h10.engine, '/0/1', CF.TLV, SERVER_ACCOUNT) });
    assert.equal(str((await h10.server.get('/0', { accept: CF.LINK })).payload), '</>;lwm2m=1.0,</0/0>,</0/1>;ssid=101');
  });

  test('Bootstrap-Read reaches the Server and Access Control objects only (1.1), not at all in 1.0', async (t) => {
    const h = await bootstrapClient(t);
    await h.server.put('/1/0', { format: CF.TLV, payload: payload(h.engine, '/1/0', CF.TLV, SERVER_INSTANCE) });
    const r = await h.server.get('/1', { accept: CF.SENML_JSON });
    assert.equal(codeOf(r), '2.05');
    assert.equal(h.server.values(r, '/1').get('/1/0/1'), 300);
    assert.equal(codeOf(await h.server.get('/3/0')), '4.01');
    assert.equal(codeOf(await h.server.get('/0/0')), '4.01');
    const h10 = await bootstrapClient(t, '1.0');
    assert.equal(codeOf(await h10.server.get('/1')), '4.05');
  });

  test('Bootstrap-Delete keeps the Bootstrap-Server account and the Device instance', async (t) => {
    const h = await bootstrapClient(t);
    await h.server.put('/0/1', { format: CF.TLV, payload: payload(h.engine, '/0/1', CF.TLV, SERVER_ACCOUNT) });
    await h.server.put('/1/0', { format: CF.TLV, payload: payload(h.engine, '/1/0', CF.TLV, SERVER_INSTANCE) });
    h.engine.registry.create('/16/0');
    assert.equal(codeOf(await h.server.delete('/0/0')), '4.00');
    assert.equal(codeOf(await h.server.delete('/16/0')), '2.02');
    assert.equal(codeOf(await h.server.delete('/')), '2.02');
    assert.deepEqual(h.engine.registry.instanceIds(0), [0]);
    assert.deepEqual(h.engine.registry.instanceIds(1), []);
    assert.deepEqual(h.engine.registry.instanceIds(3), [0]);
    assert.equal(codeOf(await h.server.delete('/1/0/1')), '4.00');
  });

  test('operations outside the Bootstrap interface answer 4.05', async (t) => {
    const h = await bootstrapClient(t);
    assert.equal(codeOf(await h.server.post('/3/0/4')), '4.05');
    assert.equal(codeOf(await h.server.fetch(['/3'], CF.SENML_JSON)), '4.05');
  });
});

describe('Access Control with two servers', () => {
  async function twoServers(t: Parameters<typeof startEngine>[0]) {
    const h = await startEngine(t);
    const reg = h.engine.registry;
    reg.create('/0/1', { 0: 'coap://second', 1: false, 2: 3, 3: new Uint8Array(0), 4: new Uint8Array(0), 5: new Uint8Array(0), 10: 2 });
    reg.create('/1/1', { 0: 2, 1: 86400, 6: false, 7: 'U' });
    // /3/0: owner 1; server 2 may only read.
    reg.create('/2/0', { 0: 3, 1: 0, 2: { 2: 1 }, 3: 1 });
    // Create on object 16: only server 2.
    reg.create('/2/1', { 0: 16, 1: 65535, 2: { 2: 16 }, 3: 1 });
    // /16/5: default ACL (instance 0) read for everyone, owner 1.
    reg.create('/16/5', { 0: ['x'] });
    reg.create('/2/2', { 0: 16, 1: 5, 2: { 0: 1 }, 3: 1 });
    const second = await addServer(t, h.engine, 2);
    return { h, s1: h.server, s2: second.server };
  }

  test('rights come from the server entry, ownership or the default entry; 4.01 otherwise', async (t) => {
    const { s1, s2 } = await twoServers(t);
    assert.equal(codeOf(await s2.get('/3/0/0')), '2.05');
    assert.equal(codeOf(await s2.put('/3/0/13', { format: CF.TEXT, payload: '5' })), '4.01');
    assert.equal(codeOf(await s2.post('/3/0/4')), '4.01');
    assert.equal(codeOf(await s1.put('/3/0/13', { format: CF.TEXT, payload: '5' })), '2.04', 'the owner has full rights');
    assert.equal(codeOf(await s1.post('/3/0/4')), '2.04');
    assert.equal(codeOf(await s2.get('/16/5/0/0')), '2.05', 'the default entry grants Read');
    assert.equal(codeOf(await s2.put('/16/5/0/0', { format: CF.TEXT, payload: 'y' })), '4.01');
    assert.equal(codeOf(await s2.put('/3/0', { query: 'pmin=5' })), '2.04', 'Write-Attributes needs Read');
    assert.equal(codeOf(await s2.get('/1/0')), '4.01', 'no Access Control instance: no access');
    const obj = await s2.get('/16', { accept: CF.SENML_JSON });
    assert.equal(codeOf(obj), '2.05');
    assert.deepEqual([...s2.values(obj, '/16').keys()], ['/16/5/0/0']);
  });

  test('Create needs the C bit; the creator owns the new instance and its Access Control instance goes with it', async (t) => {
    const { h, s1, s2 } = await twoServers(t);
    assert.equal(codeOf(await s1.post('/16')), '4.01');
    const r = await s2.post('/16');
    assert.equal(codeOf(r), '2.01');
    const iid = Number(locationPath(r.options)[1]);
    const acl = h.engine.acl.aclInstance(16, iid);
    assert.ok(acl !== undefined);
    assert.equal(h.engine.acl.owner(acl), 2);
    assert.equal(codeOf(await s1.get(`/16/${iid}`)), '4.01');
    assert.equal(codeOf(await s2.get(`/16/${iid}`)), '2.05');
    assert.equal(codeOf(await s1.delete(`/16/${iid}`)), '4.01');
    assert.equal(codeOf(await s2.delete(`/16/${iid}`)), '2.02');
    assert.equal(h.engine.acl.aclInstance(16, iid), undefined);
  });

  test('an Access Control instance is written by its owner only; the bootstrap server bypasses Access Control', async (t) => {
    const { h, s1, s2 } = await twoServers(t);
    assert.equal(codeOf(await s2.put('/2/0/2/2', { format: CF.TEXT, payload: '3' })), '4.01');
    assert.equal(codeOf(await s1.put('/2/0/2/2', { format: CF.TEXT, payload: '3' })), '2.04');
    assert.equal(codeOf(await s2.put('/3/0/13', { format: CF.TEXT, payload: '7' })), '2.04', 'server 2 now holds Write');
    assert.equal(codeOf(await s2.get('/2/0')), '2.05');
    const bs = await addServer(t, h.engine, 0, true);
    assert.equal(codeOf(await bs.server.put('/16/5/0', { format: CF.SENML_JSON, payload: payload(h.engine, '/16/5/0', CF.SENML_JSON, [['/16/5/0/0', 'z']]) })), '2.04');
    assert.equal(h.engine.registry.get('/16/5/0/0'), 'z');
  });

  test('a single server has full access without Access Control instances', async (t) => {
    const h = await startEngine(t);
    assert.ok(!h.engine.acl.active());
    assert.equal(codeOf(await h.server.put('/3/0/13', { format: CF.TEXT, payload: '5' })), '2.04');
  });
});
