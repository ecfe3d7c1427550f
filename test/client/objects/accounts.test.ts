/** Security / Server accounts with their defaults, the Server object upkeep, and Access Control instances. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addBootstrapAccount, addServerAccount, installAccessControl, installServer, SERVER_DEFAULTS, securityValues } from '../../../src/client/objects/index.ts';
import { AclBit, CREATE_INSTANCE_ID } from '../../../src/dm/access-control.ts';
import { ValueError } from '../../../src/errors.ts';
import { flush, makeEngine } from './_engine.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a server account: Security and Server instances with every default of LwM2M 1.1', () => {
  const { engine } = makeEngine('1.1');
  const paths = addServerAccount(engine, { uri: 'coaps://lwm2m.example:5684', ssid: 101, pskIdentity: 'dev', pskKey: utf8('secret') });
  assert.deepEqual([paths.security.toString(), paths.server.toString()], ['/0/0', '/1/0']);
  const reg = engine.registry;
  assert.equal(reg.get('/0/0/2'), 0, 'PSK chosen from the credentials');
  assert.deepEqual(reg.get('/0/0/3'), utf8('dev'));
  assert.deepEqual(reg.get('/0/0/5'), utf8('secret'));
  assert.equal(reg.get('/0/0/1'), false);
  assert.equal(reg.get('/0/0/10'), 101);
  assert.equal(reg.get('/0/0/11'), 0);
  const server = Object.fromEntries(reg.presentResources(1, 0).map((rid) => [rid, reg.get(`/1/0/${rid}`)]));
  assert.deepEqual(server, {
    0: 101,
    1: SERVER_DEFAULTS.lifetime,
    2: 1,
    3: 0,
    4: undefined,
    5: 86400,
    6: true,
    7: 'U',
    8: undefined,
    9: undefined,
    14: 0,
    15: false,
    16: true,
    17: 5,
    18: 60,
    19: 86400,
    20: 1,
    21: false,
    23: false,
  });
  assert.throws(() => addServerAccount(engine, { uri: 'coap://other', ssid: 101 }), ValueError, 'Short Server ID in use');
  assert.equal(reg.instanceCount(0), 1, 'nothing created by the refused account');
});

test('LwM2M 1.0 accounts only get the resources of the 1.0 objects; NoSec for coap://', () => {
  const { engine } = makeEngine('1.0');
  addServerAccount(engine, { uri: 'coap://127.0.0.1:5683', ssid: 1, lifetime: 300, binding: 'UQ' });
  const reg = engine.registry;
  assert.equal(reg.get('/0/0/2'), 3);
  assert.deepEqual(reg.presentResources(1, 0), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(reg.get('/1/0/7'), 'UQ');
  assert.equal(reg.get('/1/0/1'), 300);
});

test('the bootstrap account; credentials that do not fit the mode are refused', () => {
  const { engine } = makeEngine();
  const p = addBootstrapAccount(engine, { uri: 'coap://bs.example:5683', holdOffTime: 10, accountTimeout: 3600 });
  assert.equal(engine.registry.get(`${p.toString()}/1`), true);
  assert.equal(engine.registry.get(`${p.toString()}/11`), 10);
  assert.equal(engine.registry.get(`${p.toString()}/12`), 3600);
  assert.throws(() => addBootstrapAccount(engine, { uri: 'coap://bs2' }), ValueError, 'one bootstrap account');
  assert.throws(() => securityValues({ uri: 'coaps://x', ssid: 1 }), ValueError, 'a secure URI needs credentials');
  assert.throws(() => securityValues({ uri: 'coaps://x', ssid: 1, securityMode: 'psk', pskKey: utf8('k') }), ValueError, 'PSK without identity');
  assert.throws(() => securityValues({ uri: 'coap://x' }), ValueError, 'no Short Server ID');
  const cert = securityValues({ uri: 'coaps://x', ssid: 2, publicKeyOrIdentity: utf8('cert'), secretKey: utf8('key'), serverPublicKey: utf8('ca') });
  assert.deepEqual([cert[2], cert[13], cert[15]], [2, 0, 3], 'certificate mode: Matching Type 0, Certificate Usage 3');
});

test('Last Bootstrapped is set on Bootstrap-Finish; TLS alert codes and Mute Send per server', async () => {
  const { engine, clock } = makeEngine();
  addServerAccount(engine, { uri: 'coap://a', ssid: 1 });
  addServerAccount(engine, { uri: 'coap://b', ssid: 2 });
  const server = installServer(engine);
  (engine as unknown as { emit: (e: string, v: unknown) => void }).emit('bootstrap-finish', { at: 0 });
  const at = Math.floor(clock.wallTime() / 1000) * 1000;
  assert.equal((engine.registry.get('/1/0/12') as Date).getTime(), at);
  assert.equal((engine.registry.get('/1/1/12') as Date).getTime(), at);
  server.setAlertCode(2, 40);
  assert.equal(engine.registry.get('/1/1/11'), 40);
  server.setMuteSend(1, true);
  assert.equal(engine.registry.get('/1/0/23'), true);
  assert.throws(() => server.setMuteSend(9, true), ValueError);
  server.dispose();
  await flush();
});

test('Access Control: nothing with one server; with two, an instance per object instance, owners and rights', async () => {
  const { engine } = makeEngine();
  const reg = engine.registry;
  addServerAccount(engine, { uri: 'coap://a', ssid: 1 });
  reg.create('/3/0', { 16: 'U' });
  const ac = installAccessControl(engine, { defaultRights: AclBit.READ, rights: { 2: AclBit.READ | AclBit.WRITE }, createRights: { 3303: { 2: AclBit.CREATE } } });
  assert.equal(reg.instanceCount(2), 0, 'one server: no access control needed');
  addServerAccount(engine, { uri: 'coap://b', ssid: 2 });
  await flush();
  const num = (path: string): number => reg.get(path) as number;
  const targets = reg.instanceIds(2).map((i) => `${num(`/2/${i}/0`)}/${num(`/2/${i}/1`)}:${num(`/2/${i}/3`)}`);
  assert.deepEqual(targets.sort(), ['1/0:1', '1/1:2', '3/0:1', `3303/${CREATE_INSTANCE_ID}:1`].sort(), 'each Server instance owned by its server, the rest by the first');
  const acl = engine.acl;
  assert.equal(acl.rights(1, 3, 0), AclBit.READ | AclBit.WRITE | AclBit.EXECUTE | AclBit.DELETE, 'the owner');
  assert.equal(acl.rights(2, 3, 0), AclBit.READ | AclBit.WRITE);
  assert.equal(acl.allows(2, 3303, CREATE_INSTANCE_ID, AclBit.CREATE), true);
  reg.create('/3303/0', { 5700: 1 });
  await flush();
  assert.notEqual(acl.aclInstance(3303, 0), undefined, 'a new application instance gets one');
  reg.delete('/3303/0');
  await flush();
  assert.equal(acl.aclInstance(3303, 0), undefined, 'and loses it with the instance');
  ac.grant(3, 0, 2, AclBit.READ | AclBit.EXECUTE);
  assert.equal(acl.rights(2, 3, 0), AclBit.READ | AclBit.EXECUTE);
  ac.dispose();
});

test('Access Control waits while the bootstrap server provisions object 2', async () => {
  const { engine } = makeEngine();
  const reg = engine.registry;
  installAccessControl(engine);
  const emit = (engine as unknown as { emit: (e: string, v: unknown) => void }).emit.bind(engine);
  emit('bootstrap-activity', { method: 3, path: '/1' });
  addServerAccount(engine, { uri: 'coap://a', ssid: 1 });
  addServerAccount(engine, { uri: 'coap://b', ssid: 2 });
  await flush();
  assert.equal(reg.instanceCount(2), 0);
  emit('bootstrap-finish', { at: 0 });
  assert.equal(reg.instanceCount(2), 2);
});
