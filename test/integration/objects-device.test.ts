/**
 * Device (object 3) over real UDP, driven by a raw CoAP peer in the server role: Reboot and Factory
 * Reset reach the application, error codes and Reset Error Code, Current Time / UTC Offset /
 * Timezone writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installDevice } from '../../src/client/objects/index.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { codeOf, nextNotification, startEngine, str } from './engine-harness.ts';

const T = { timeout: 15_000 };

test('Reboot (/3/0/4) executes the application callback with its arguments, after answering 2.04', T, async (t) => {
  const h = await startEngine(t);
  const device = installDevice(h.engine);
  const rebooted = new Promise<string>((resolve) => {
    device.onReboot((args) => {
      resolve(args.raw);
    });
  });
  const r = await h.server.post('/3/0/4', { format: ContentFormat.TEXT, payload: "0='fw'" });
  assert.equal(codeOf(r), '2.04');
  assert.equal(await rebooted, "0='fw'");
});

test('Factory Reset (/3/0/5) is 4.04 until the application handles it, then runs the handler', T, async (t) => {
  const h = await startEngine(t);
  const device = installDevice(h.engine);
  assert.equal(codeOf(await h.server.post('/3/0/5')), '4.04');
  const reset = device.next('factory-reset');
  device.onFactoryReset(() => undefined);
  assert.equal(codeOf(await h.server.post('/3/0/5')), '2.04');
  await reset;
  const d = await h.server.get('/3/0', { accept: ContentFormat.LINK });
  assert.ok(h.server.links(d).has('/3/0/5'), 'Discover lists Factory Reset now');
});

test('error codes: application errors are listed, observed, and Reset Error Code (/3/0/12) clears them', T, async (t) => {
  const h = await startEngine(t);
  const device = installDevice(h.engine);
  h.engine.registry.set('/1/0/2', 0);
  const read = async (): Promise<unknown[]> => {
    const r = await h.server.get('/3/0/11', { accept: ContentFormat.SENML_JSON });
    assert.equal(codeOf(r), '2.05');
    return [...h.server.values(r, '/3/0/11').values()];
  };
  assert.deepEqual(await read(), [0]);
  const obs = await h.server.observe('/3/0/11', { accept: ContentFormat.SENML_JSON });
  const next = nextNotification(obs);
  device.addError(1);
  device.addError(7);
  const n = await next;
  assert.ok([...h.server.values(n, '/3/0/11').values()].includes(1), 'the observer learns of the error');
  assert.deepEqual(await read(), [1, 7]);
  device.onResetErrors(() => device.addError(7));
  assert.equal(codeOf(await h.server.post('/3/0/12')), '2.04');
  assert.deepEqual(await read(), [7], 'cleared, then re-evaluated: the IP connectivity failure persists');
  device.removeError(7);
  assert.deepEqual(await read(), [0]);
  await obs.cancel();
});

test('Current Time (/3/0/13) written by the server keeps running; UTC Offset and Timezone writes stay consistent', T, async (t) => {
  const h = await startEngine(t);
  const device = installDevice(h.engine);
  const target = 1_800_000_000;
  assert.equal(codeOf(await h.server.put('/3/0/13', { format: ContentFormat.TEXT, payload: String(target) })), '2.04');
  const read = Number(str((await h.server.get('/3/0/13', { accept: ContentFormat.TEXT })).payload));
  assert.ok(read >= target && read <= target + 1, `read ${read}`);
  assert.ok(Math.abs(device.timeOffsetMs - (target * 1000 - Date.now())) < 2000);
  assert.equal(codeOf(await h.server.put('/3/0/15', { format: ContentFormat.TEXT, payload: 'Asia/Tokyo' })), '2.04');
  assert.equal(str((await h.server.get('/3/0/14', { accept: ContentFormat.TEXT })).payload), '+09:00');
  assert.equal(codeOf(await h.server.put('/3/0/14', { format: ContentFormat.TEXT, payload: '-03:00' })), '2.04');
  assert.equal(str((await h.server.get('/3/0/15', { accept: ContentFormat.TEXT })).payload), 'Etc/GMT+3');
  assert.equal(codeOf(await h.server.put('/3/0/15', { format: ContentFormat.TEXT, payload: 'Atlantis/Capital' })), '4.00');
  assert.equal(codeOf(await h.server.put('/3/0/14', { format: ContentFormat.TEXT, payload: 'three' })), '4.00');
  assert.equal(str((await h.server.get('/3/0/14', { accept: ContentFormat.TEXT })).payload), '-03:00', 'refused writes change nothing');
});

test('battery, memory and power sources set by the application read back over CoAP', T, async (t) => {
  const h = await startEngine(t);
  const device = installDevice(h.engine);
  device.setBattery({ level: 55, status: 1 });
  device.setMemory({ free: 64, total: 256 });
  device.setPowerSource(2, { type: 5, voltage: 5000, current: 500 });
  const r = await h.server.get('/3/0', { accept: ContentFormat.SENML_JSON });
  const v = h.server.values(r, '/3/0');
  assert.deepEqual([v.get('/3/0/9'), v.get('/3/0/20'), v.get('/3/0/10'), v.get('/3/0/21'), v.get('/3/0/6/2'), v.get('/3/0/7/2'), v.get('/3/0/8/2')], [55, 1, 64, 256, 5, 5000, 500]);
  assert.equal(v.get('/3/0/0'), 'lwm2m-ts', 'values set before install are kept');
});
