/**
 * IPSO objects over real UDP: min/max tracking and Reset Min and Max (5605) of a Temperature sensor
 * with notifications, and the Timer (3340) modes driven by a server's writes and executes, timed on a
 * FakeClock (the engine's clock; the sockets are real).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installOnOffSwitch, installTemperature, installTimer, TimerMode } from '../../src/client/objects/index.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { codeOf, nextNotification, startEngine, str } from './engine-harness.ts';

const T = { timeout: 15_000 };

test('Temperature: min and max follow the values the application pushes; Reset Min/Max sets both to the current value', T, async (t) => {
  const h = await startEngine(t);
  h.engine.registry.set('/1/0/2', 0);
  const temp = installTemperature(h.engine, { value: 20.5, minRange: -40, maxRange: 85 });
  const obs = await h.server.observe('/3303/0/5602', { accept: ContentFormat.TEXT });
  const maxNote = nextNotification(obs);
  for (const v of [19.25, 23.5, 21]) temp.set(v);
  assert.equal(str((await maxNote).payload), '23.5', 'the observer of Max Measured Value is told');
  const read = async (): Promise<Map<string, unknown>> => h.server.values(await h.server.get('/3303/0', { accept: ContentFormat.SENML_CBOR }), '/3303/0');
  let v = await read();
  assert.deepEqual([v.get('/3303/0/5700'), v.get('/3303/0/5601'), v.get('/3303/0/5602'), v.get('/3303/0/5701')], [21, 19.25, 23.5, 'Cel']);
  assert.equal(codeOf(await h.server.post('/3303/0/5605')), '2.04');
  v = await read();
  assert.deepEqual([v.get('/3303/0/5601'), v.get('/3303/0/5602')], [21, 21]);
  assert.equal(codeOf(await h.server.put('/3303/0/5601', { format: ContentFormat.TEXT, payload: '1' })), '4.05', 'Min Measured Value is read-only');
  await obs.cancel();
});

test('Timer modes set by the server: one-shot by Trigger, delay on pick-up and drop-out from On/Off writes', T, async (t) => {
  const clock = new FakeClock();
  const h = await startEngine(t, { clock });
  const timer = installTimer(h.engine, { delayDuration: 10 });
  const text = async (path: string): Promise<string> => str((await h.server.get(path, { accept: ContentFormat.TEXT })).payload);
  const write = async (path: string, value: string): Promise<void> => {
    assert.equal(codeOf(await h.server.put(path, { format: ContentFormat.TEXT, payload: value })), '2.04', `${path} = ${value}`);
  };
  // One-shot from the Trigger.
  assert.equal(codeOf(await h.server.post('/3340/0/5523')), '2.04');
  assert.equal(await text('/3340/0/5543'), '1');
  clock.advance(4000);
  assert.equal(await text('/3340/0/5538'), '6', 'Remaining Time');
  clock.advance(6000);
  assert.equal(await text('/3340/0/5543'), '0');
  // Delay on pick-up.
  await write('/3340/0/5526', String(TimerMode.delayOnPickup));
  await write('/3340/0/5850', '1');
  clock.advance(9000);
  assert.equal(await text('/3340/0/5543'), '0');
  clock.advance(1000);
  assert.equal(await text('/3340/0/5543'), '1');
  await write('/3340/0/5850', '0');
  assert.equal(await text('/3340/0/5543'), '0');
  // Delay on drop-out.
  await write('/3340/0/5526', String(TimerMode.delayOnDropout));
  await write('/3340/0/5850', '1');
  assert.equal(await text('/3340/0/5543'), '1');
  await write('/3340/0/5850', '0');
  clock.advance(9999);
  assert.equal(await text('/3340/0/5543'), '1');
  clock.advance(1);
  assert.equal(await text('/3340/0/5543'), '0');
  assert.equal(await text('/3340/0/5534'), '3', 'three output 0 -> 1 transitions');
  assert.equal(await text('/3340/0/5544'), '10', 'the input was on for 10 s in all');
  await write('/3340/0/5534', '0');
  assert.equal(timer.counter, 0);
  timer.dispose();
});

test('On/Off switch: state, counter and on time read over CoAP', T, async (t) => {
  const clock = new FakeClock();
  const h = await startEngine(t, { clock });
  const sw = installOnOffSwitch(h.engine);
  sw.setState(true);
  clock.advance(42_000);
  const v = h.server.values(await h.server.get('/3342/0', { accept: ContentFormat.SENML_JSON }), '/3342/0');
  assert.deepEqual([v.get('/3342/0/5500'), v.get('/3342/0/5501'), v.get('/3342/0/5852'), v.get('/3342/0/5854')], [true, 1, 42, 0]);
});
