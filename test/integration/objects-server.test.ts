/**
 * Server accounts built with addServerAccount over real UDP: Disable, Registration Update Trigger,
 * Bootstrap-Request Trigger and lifetime writes produce the engine's events; Mute Send; and Access
 * Control with two servers (the second server reaches what its rights allow, 4.01 otherwise).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addServerAccount, installAccessControl, installDevice, installServer, installTemperature } from '../../src/client/objects/index.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { AclBit } from '../../src/dm/access-control.ts';
import { SendError } from '../../src/dm/errors.ts';
import { addServer, codeOf, startEngine, str } from './engine-harness.ts';

const T = { timeout: 15_000 };

test('Disable and Registration Update Trigger of an account from addServerAccount produce the engine events', T, async (t) => {
  const h = await startEngine(t, { populate: false });
  addServerAccount(h.engine, { uri: 'coap://127.0.0.1:5683', ssid: 1, disableTimeout: 600 });
  installDevice(h.engine);
  installServer(h.engine);
  const disable = h.engine.next('disable');
  assert.equal(codeOf(await h.server.post('/1/0/4')), '2.04');
  assert.deepEqual(await disable, { ssid: 1, timeout: 600 });
  const update = h.engine.next('update-trigger');
  assert.equal(codeOf(await h.server.post('/1/0/8')), '2.04');
  assert.deepEqual(await update, { ssid: 1 });
  const bootstrap = h.engine.next('bootstrap-trigger');
  assert.equal(codeOf(await h.server.post('/1/0/9')), '2.04');
  assert.deepEqual(await bootstrap, { ssid: 1 });
  const lifetime = h.engine.next('lifetime-changed');
  assert.equal(codeOf(await h.server.put('/1/0/1', { format: ContentFormat.TEXT, payload: '120' })), '2.04');
  assert.deepEqual(await lifetime, { ssid: 1, lifetime: 120 });
  const r = await h.server.get('/1/0', { accept: ContentFormat.SENML_JSON });
  const v = h.server.values(r, '/1/0');
  assert.deepEqual([v.get('/1/0/5'), v.get('/1/0/6'), v.get('/1/0/7'), v.get('/1/0/23')], [600, true, 'U', false]);
  assert.equal(codeOf(await h.server.get('/0/0')), '4.01', 'a server never reads the Security object');
});

test('Mute Send (/1/x/23) written by the server stops Send to it', T, async (t) => {
  const h = await startEngine(t, { populate: false });
  addServerAccount(h.engine, { uri: 'coap://127.0.0.1:5683', ssid: 1 });
  installDevice(h.engine);
  assert.equal(codeOf(await h.server.put('/1/0/23', { format: ContentFormat.TEXT, payload: '1' })), '2.04');
  await assert.rejects(h.engine.send(1, ['/3/0/0']), (e: unknown) => e instanceof SendError && e.reason === 'muted');
});

test('Access Control with two servers: the owner has full rights, the other what the ACL grants', T, async (t) => {
  const h = await startEngine(t, { populate: false });
  addServerAccount(h.engine, { uri: 'coap://127.0.0.1:1', ssid: 1 });
  addServerAccount(h.engine, { uri: 'coap://127.0.0.1:2', ssid: 2 });
  installDevice(h.engine, { manufacturer: 'ACME' });
  const temp = installTemperature(h.engine, { value: 21 });
  const ac = installAccessControl(h.engine, { defaultRights: AclBit.READ, createRights: { 3303: { 2: AclBit.CREATE } } });
  const second = await addServer(t, h.engine, 2);
  assert.equal(codeOf(await second.server.get('/3/0/0')), '2.05', 'read through the default rights');
  assert.equal(codeOf(await second.server.put('/3/0/13', { format: ContentFormat.TEXT, payload: '1800000000' })), '4.01');
  assert.equal(codeOf(await h.server.put('/3/0/13', { format: ContentFormat.TEXT, payload: '1800000000' })), '2.04', 'the owner writes');
  assert.equal(codeOf(await second.server.post('/3303/0/5605')), '4.01', 'no Execute right');
  ac.grant(3303, temp.iid, 2, AclBit.READ | AclBit.EXECUTE);
  assert.equal(codeOf(await second.server.post('/3303/0/5605')), '2.04');
  const aiid = h.engine.acl.aclInstance(3303, temp.iid)!;
  assert.equal(codeOf(await second.server.put(`/2/${aiid}/3`, { format: ContentFormat.TEXT, payload: '2' })), '4.01', 'only the owner changes an ACL');
  const created = await second.server.post('/3303', { format: ContentFormat.SENML_JSON, payload: JSON.stringify([{ bn: '/3303/1/', n: '5700', v: 3 }]) });
  assert.equal(codeOf(created), '2.01', `Create granted: ${str(created.payload)}`);
  const owner = h.engine.acl.owner(h.engine.acl.aclInstance(3303, 1)!);
  assert.equal(owner, 2, 'the creating server owns the new instance');
  assert.equal(codeOf(await h.server.delete('/3303/1')), '4.01', 'server 1 has no rights on server 2 instance');
  assert.equal(codeOf(await second.server.delete('/3303/1')), '2.02');
  ac.dispose();
});
