/** IPSO objects: min/max sensors, axes, On/Off switch, Push button, Buzzer, Light Control, Time, Filling level. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  installAccelerometer,
  installBuzzer,
  installFillingLevel,
  installLightControl,
  installMagnetometer,
  installOnOffSwitch,
  installPushButton,
  installSensor,
  installTemperature,
  installTime,
  SensorObject,
} from '../../../src/client/objects/index.ts';
import { ValueError } from '../../../src/errors.ts';
import { execute, makeEngine, serverWrite } from './_engine.ts';

test('every min/max sensor tracks min and max since start; Reset (5605) sets both to the current value', () => {
  for (const oid of Object.values(SensorObject)) {
    const { engine } = makeEngine();
    const s = installSensor(engine, oid, { value: 20, minRange: -40, maxRange: 125 });
    for (const v of [22, 18.5, 30, 25]) s.set(v);
    assert.deepEqual([s.value, s.min, s.max], [25, 18.5, 30], `object ${oid}`);
    execute(engine, `/${oid}/0/5605`);
    assert.deepEqual([s.value, s.min, s.max], [25, 25, 25]);
    s.set(24);
    assert.deepEqual([s.min, s.max], [24, 25]);
    assert.throws(() => s.set(200), ValueError, 'outside the sensor range');
    assert.throws(() => s.set(Number.NaN), ValueError);
  }
});

test('property: min and max are the extremes of every value set since the last reset', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.nat(40), (values, resetAt) => {
      const { engine } = makeEngine();
      const s = installTemperature(engine);
      let window: number[] = [];
      values.forEach((v, i) => {
        if (i === resetAt) {
          s.resetMinMax();
          window = [s.value!];
        }
        s.set(v);
        window.push(v);
      });
      assert.equal(s.min, Math.min(...window));
      assert.equal(s.max, Math.max(...window));
    }),
    { numRuns: 100 },
  );
});

test('a sensor value feeds the data cache when it is enabled, with timestamps when asked', () => {
  const { engine, clock } = makeEngine();
  const t = installTemperature(engine, { timestamps: true });
  engine.registry.enableCache('/3303/0/5700', 10);
  t.set(21);
  clock.advance(1250);
  t.set(22);
  assert.equal(engine.registry.cache.size(t.at(5700)), 2);
  assert.equal(engine.registry.get('/3303/0/5701'), 'Cel');
  assert.equal((engine.registry.get('/3303/0/5518') as Date).getTime(), Math.floor(clock.wallTime() / 1000) * 1000);
  assert.equal(engine.registry.get('/3303/0/6050'), 0.25);
});

test('several instances of one object: lowest free instance ids', () => {
  const { engine } = makeEngine();
  const a = installTemperature(engine);
  const b = installTemperature(engine, { units: 'K' });
  assert.deepEqual([a.iid, b.iid], [0, 1]);
  assert.equal(engine.registry.get('/3303/1/5701'), 'K');
});

test('accelerometer and magnetometer set their axes in one change', () => {
  const { engine } = makeEngine();
  const acc = installAccelerometer(engine);
  const mag = installMagnetometer(engine);
  const batches: number[] = [];
  engine.registry.on('change', (p) => batches.push(p.length));
  acc.set({ x: 0.1, y: -9.81, z: 0.2 });
  mag.set({ x: 1e-5, y: 2e-5, z: 3e-5, compass: 270 });
  assert.deepEqual(batches, [3, 4]);
  assert.equal(engine.registry.get('/3314/0/5705'), 270);
  assert.equal(engine.registry.get('/3313/0/5701'), 'm/s2');
});

test('On/Off switch: counter on off -> on, on and off times from the clock, reset by a write', async () => {
  const { engine, clock } = makeEngine();
  const sw = installOnOffSwitch(engine);
  const read = (rid: number): unknown => engine.registry.readResource(3342, 0, rid);
  clock.advance(7000);
  assert.deepEqual([read(5852), read(5854)], [0, 7]);
  sw.setState(true);
  clock.advance(3000);
  assert.deepEqual([read(5500), read(5501), read(5852), read(5854)], [true, 1, 3, 0]);
  await serverWrite(engine, '/3342/0/5852', 0);
  clock.advance(2000);
  assert.equal(read(5852), 2, 'reset by the write, counting again');
  sw.setState(true);
  assert.equal(sw.counter, 1, 'no transition, no count');
  sw.setState(false);
  sw.setState(true);
  assert.equal(sw.counter, 2);
});

test('Push button counts presses', () => {
  const { engine } = makeEngine();
  const b = installPushButton(engine, { timestamps: true });
  b.click();
  b.setState(true);
  assert.deepEqual([b.counter, b.pressed], [2, true]);
  b.setState(true);
  assert.equal(b.counter, 2);
  assert.ok(engine.registry.get('/3347/0/5518') instanceof Date);
});

test('Buzzer: sounds for Delay Duration, each write of true restarts it, Minimum Off-time delays a restart', async () => {
  const { engine, clock } = makeEngine();
  const bz = installBuzzer(engine, { delayDuration: 2, minimumOffTime: 5, level: 50 });
  const events: string[] = [];
  bz.on('change', (e) => events.push(`${e.sounding}:${String(e.level)}`));
  await serverWrite(engine, '/3338/0/5850', true);
  clock.advance(1500);
  await serverWrite(engine, '/3338/0/5850', true);
  clock.advance(1500);
  assert.equal(bz.sounding, true, 'the second write restarted the duration');
  clock.advance(500);
  assert.equal(bz.sounding, false);
  assert.equal(engine.registry.get('/3338/0/5850'), false, 'On/Off goes back to false');
  await serverWrite(engine, '/3338/0/5850', true);
  assert.equal(bz.sounding, false, 'inside the minimum off-time');
  clock.advance(5000);
  assert.equal(bz.sounding, true, 'started when the off-time ended');
  bz.silence();
  assert.deepEqual(events, ['true:50', 'false:50', 'true:50', 'false:50']);
  bz.dispose();
});

test('Light Control: server writes reach the application; On time counts from switching on', async () => {
  const { engine, clock } = makeEngine();
  const light = installLightControl(engine, { dimmer: 30 });
  const seen: unknown[] = [];
  light.on('change', (s) => seen.push(s));
  await serverWrite(engine, '/3311/0/5850', true);
  await serverWrite(engine, '/3311/0/5851', 80);
  clock.advance(4000);
  assert.equal(engine.registry.readResource(3311, 0, 5852), 4);
  light.setState({ on: false });
  assert.equal(light.onTime, 0);
  assert.deepEqual(seen, [
    { on: true, dimmer: 30, colour: undefined },
    { on: true, dimmer: 80, colour: undefined },
  ]);
  light.setPower({ cumulativeActivePower: 12.5, powerFactor: 0.9 });
  assert.equal(engine.registry.get('/3311/0/5805'), 12.5);
});

test('Time (3333): runs with the clock; writes of Current Time and Fractional Time set it', async () => {
  const { engine, clock } = makeEngine();
  const time = installTime(engine);
  const t0 = clock.wallTime();
  await serverWrite(engine, '/3333/0/5506', new Date(t0 + 60_000));
  clock.advance(2000);
  assert.equal((engine.registry.readResource(3333, 0, 5506) as Date).getTime(), t0 + 62_000);
  await serverWrite(engine, '/3333/0/5507', 0.5);
  assert.equal(engine.registry.readResource(3333, 0, 5507), 0.5);
  assert.equal(time.now().getTime(), t0 + 62_500);
});

test('Filling level: percentage and level, full and empty against the thresholds, speed, forecasts, counter', async () => {
  const { engine, clock } = makeEngine();
  const fl = installFillingLevel(engine, { containerHeight: 200, highThreshold: 90, lowThreshold: 10, percentage: 20 });
  assert.deepEqual([fl.full, fl.empty], [false, false]);
  clock.advance(86_400_000);
  fl.setLevel(100);
  assert.equal(fl.percentage, 50);
  assert.equal(engine.registry.get('/3435/0/3'), 100);
  assert.equal(fl.averageSpeed, 30, '30 % in one day');
  const full = engine.registry.get('/3435/0/10') as Date;
  assert.equal(full.getTime(), Math.floor((clock.wallTime() + (40 / 30) * 86_400_000) / 1000) * 1000, 'full in 40/30 days');
  assert.equal(engine.registry.get('/3435/0/11'), undefined);
  fl.setPercentage(95);
  assert.equal(fl.full, true);
  await serverWrite(engine, '/3435/0/4', 99);
  assert.equal(fl.full, false, 're-evaluated against the written threshold');
  execute(engine, '/3435/0/9');
  assert.equal(fl.averageSpeed, 0);
  clock.advance(43_200_000);
  fl.setPercentage(5);
  assert.equal(fl.averageSpeed, -180);
  assert.equal(fl.empty, true);
  fl.countFillingOperation();
  fl.countFillingOperation();
  assert.equal(engine.registry.get('/3435/0/19'), 2);
  execute(engine, '/3435/0/20');
  assert.equal(engine.registry.get('/3435/0/19'), 0);
  assert.throws(() => fl.setLevel(300), ValueError);
  assert.throws(() => fl.setPercentage(-1), ValueError);
  fl.setAlarms({ coverOpen: true });
  assert.equal(engine.registry.get('/3435/0/21'), true);
});
