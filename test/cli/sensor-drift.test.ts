/**
 * The simulated temperature of the command-line client: each tick moves every 3303 instance by at
 * most 0.25 (never by zero) within -40..85 with Min/Max Measured Value tracked, instances a server
 * creates get a sensor (starting at room temperature), and Reset Min/Max (5605) works on them too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TemperatureSensors } from '../../src/cli/sensor-drift.ts';
import { LwM2mClient } from '../../src/client/client.ts';
import { ExecuteArguments } from '../../src/dm/execute-args.ts';
import { LwM2mPath } from '../../src/model/path.ts';

test('drift steps are small, never zero, bounded, and tracked by min/max (property)', async (t) => {
  const client = new LwM2mClient({ endpoint: 'drift' });
  t.after(() => client.close());
  fc.assert(
    fc.property(fc.double({ min: -40, max: 85, noNaN: true }), fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 1, maxLength: 30 }), (start, randoms) => {
      const v0 = Math.round(start * 100) / 100 || 0;
      client.registry.delete('/3303/0');
      let i = 0;
      const sensors = new TemperatureSensors(client.engine, { random: () => randoms[i++ % randoms.length]! });
      sensors.create({ iid: 0, value: v0 });
      let prev = v0;
      let lo = v0;
      let hi = v0;
      for (let k = 0; k < randoms.length; k++) {
        sensors.tick();
        const v = client.get('/3303/0/5700') as number;
        assert.notEqual(v, prev);
        assert.ok(Math.abs(v - prev) <= 0.2501, `${prev} -> ${v}`);
        assert.ok(v >= -40 && v <= 85, String(v));
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        assert.equal(client.get('/3303/0/5601'), lo);
        assert.equal(client.get('/3303/0/5602'), hi);
        prev = v;
      }
      sensors.dispose();
    }),
  );
});

test('an instance created later gets a sensor at room temperature; Reset Min/Max works on it', async (t) => {
  const client = new LwM2mClient({ endpoint: 'drift2' });
  const sensors = new TemperatureSensors(client.engine, { random: () => 0.9 });
  t.after(async () => {
    sensors.dispose();
    await client.close();
  });
  client.create('/3303/7', { 5750: 'outdoor' });
  await new Promise((r) => setImmediate(r));
  const started = client.get('/3303/7/5700') as number;
  assert.ok(started >= 20 && started <= 21, String(started));
  assert.equal(client.get('/3303/7/5701'), 'Cel');
  assert.equal(client.get('/3303/7/5750'), 'outdoor');
  sensors.tick();
  sensors.tick();
  const now = client.get('/3303/7/5700') as number;
  assert.equal(now, Math.round((started + 0.4) * 100) / 100, 'two steps of +0.2');
  assert.equal(client.get('/3303/7/5601'), started);
  assert.equal(client.get('/3303/7/5602'), now);
  const path = LwM2mPath.parse('/3303/7/5605');
  await client.registry.executeCallback(path)!(ExecuteArguments.NONE, { path, ssid: undefined });
  assert.equal(client.get('/3303/7/5601'), now);
  assert.equal(client.get('/3303/7/5602'), now);
  client.delete('/3303/7');
  sensors.tick();
  assert.equal(client.registry.hasInstance(3303, 7), false, 'a deleted instance is not brought back');
});
