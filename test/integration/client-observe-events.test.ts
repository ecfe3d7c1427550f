/**
 * The client's observation events (the seed's lwm2m_observe_cb: OBSERVER_ADDED, NOTIFY_ACK,
 * OBSERVER_REMOVED) through our LwM2mServer over real UDP: observe -> 'observer-added', a
 * Confirmable notification acknowledged -> 'notify-ack', cancel (Observe=1) / forget (RST) /
 * de-registration -> 'observer-removed' with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mServer } from '../../src/server/server.ts';

test('observer-added, notify-ack and observer-removed with their reasons', { timeout: 15_000 }, async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  const client = new LwM2mClient({ endpoint: `obs-events-${Math.random().toString(36).slice(2, 8)}`, confirmableNotifications: true });
  client.create('/0/0', { 0: `coap://127.0.0.1:${server.local.port}`, 1: false, 2: 3, 10: 1 });
  client.create('/1/0', { 0: 1, 1: 300, 2: 0, 6: false, 7: 'U' });
  client.create('/3/0', { 0: 'lwm2m-ts', 9: 90, 11: [0], 16: 'U' });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const log: string[] = [];
  client.on('observer-added', (e) => log.push(`added ${e.ssid} ${e.paths.join(',')}`));
  client.on('notify-ack', (e) => log.push(`ack ${e.ssid} ${e.paths.join(',')}`));
  client.on('observer-removed', (e) => log.push(`removed ${e.ssid} ${e.paths.join(',')} ${e.reason}`));
  client.on('notify-timeout', (e) => log.push(`timeout ${e.ssid}`));
  await client.start();
  const ep = client.endpointName;

  // Observe, a change notified as CON and acknowledged, then a proactive cancel (Observe=1).
  const added = client.next('observer-added');
  const battery = await server.observe(ep, '/3/0/9');
  assert.deepEqual((await added).paths.map(String), ['/3/0/9']);
  const ack = client.next('notify-ack');
  client.set('/3/0/9', 80);
  const acked = await ack;
  assert.equal(acked.ssid, 1);
  assert.deepEqual(acked.paths.map(String), ['/3/0/9']);
  const cancelled = client.next('observer-removed');
  await battery.cancel();
  assert.equal((await cancelled).reason, 'cancel');

  // A passive cancel: the server forgets it and answers the next notification with RST.
  const composite = await server.observeComposite(ep, ['/3/0/0', '/3/0/9']);
  composite.forget();
  const reset = client.next('observer-removed');
  client.set('/3/0/9', 70);
  const r = await reset;
  assert.equal(r.reason, 'reset');
  assert.deepEqual(r.paths.map(String), ['/3/0/0', '/3/0/9']);

  // De-registration ends what is left.
  await server.observe(ep, '/3/0/0');
  const gone = client.next('observer-removed');
  await client.stop();
  assert.equal((await gone).reason, 'deregistration');

  assert.deepEqual(log, [
    'added 1 /3/0/9',
    'ack 1 /3/0/9',
    'removed 1 /3/0/9 cancel',
    'added 1 /3/0/0,/3/0/9',
    'removed 1 /3/0/0,/3/0/9 reset',
    'added 1 /3/0/0',
    'removed 1 /3/0/0 deregistration',
  ]);
  assert.equal(client.engine.observationCount(), 0);
});
