/** Device (object 3): error codes, Reset Error Code, time and zone, power sources, callbacks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BatteryStatus, DeviceError, installDevice, PowerSourceType } from '../../../src/client/objects/device.ts';
import { fixedZoneFor, formatUtcOffset, isTimeZone, parseUtcOffset, zoneOffsetMinutes } from '../../../src/client/objects/device-time.ts';
import { LwM2mStatusError, ValueError } from '../../../src/errors.ts';
import { execute, flush, makeEngine, serverWrite } from './_engine.ts';

const instances = (v: unknown): [number, unknown][] => [...(v as Map<number, unknown>)];

test('UTC offsets parse and format (ISO 8601), zones resolve through Intl', () => {
  assert.equal(parseUtcOffset('+02:00'), 120);
  assert.equal(parseUtcOffset('-05:30'), -330);
  assert.equal(parseUtcOffset('UTC+01'), 60);
  assert.equal(parseUtcOffset('+0930'), 570);
  assert.equal(parseUtcOffset('Z'), 0);
  for (const bad of ['', '2', '+25:00', '+02:61', 'UTC+1', 'abc']) assert.equal(parseUtcOffset(bad), undefined, bad);
  assert.equal(formatUtcOffset(-330), '-05:30');
  assert.equal(isTimeZone('Europe/Berlin'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
  assert.equal(zoneOffsetMinutes('Europe/Berlin', Date.UTC(2026, 0, 15)), 60);
  assert.equal(zoneOffsetMinutes('Europe/Berlin', Date.UTC(2026, 6, 15)), 120);
  assert.equal(fixedZoneFor(90), undefined);
  fc.assert(
    fc.property(fc.integer({ min: -12, max: 14 }), (h) => {
      const zone = fixedZoneFor(h * 60)!;
      assert.equal(zoneOffsetMinutes(zone, Date.UTC(2026, 3, 1)), h * 60, zone);
      assert.equal(parseUtcOffset(formatUtcOffset(h * 60)), h * 60);
    }),
  );
});

test('every resource 0..22 the definition has, with defaults and the application values', () => {
  const { engine } = makeEngine();
  installDevice(engine, { manufacturer: 'ACME', modelNumber: 'M1', serialNumber: 'S1', firmwareVersion: '1.0', batteryLevel: 80, memoryFree: 100, memoryTotal: 512, deviceType: 'sensor', hardwareVersion: 'hw', softwareVersion: 'sw', batteryStatus: BatteryStatus.normal, timezone: 'Europe/Berlin', extDevInfo: [{ oid: 3, iid: 1 }], powerSources: [{ type: PowerSourceType.internalBattery, voltage: 3700, current: 20 }, { type: PowerSourceType.usb, voltage: 5000, current: 400 }] });
  const present = engine.registry.presentResources(3, 0);
  assert.deepEqual(present, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22], 'Factory Reset appears with its handler');
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[0, 0]]);
  assert.equal(engine.registry.get('/3/0/16'), 'U');
  assert.deepEqual(instances(engine.registry.get('/3/0/7')), [[0, 3700], [1, 5000]]);
  assert.equal(engine.registry.readResource(3, 0, 14), '+01:00', 'UTC Offset follows the zone (January)');
});

test('error codes: the first replaces the 0 instance, more get instances, removal and Reset Error Code', async () => {
  const { engine } = makeEngine();
  const device = installDevice(engine);
  const changes: string[] = [];
  engine.registry.on('change', (paths) => changes.push(paths.map(String).join(',')));
  assert.equal(device.addError(DeviceError.lowBattery), true);
  assert.equal(device.addError(DeviceError.lowBattery), false, 'listed once');
  device.addError(DeviceError.outOfMemory);
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[0, 1], [1, 5]]);
  assert.deepEqual(device.errors(), [1, 5]);
  device.removeError(1);
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[1, 5]], 'the instance of the ended error goes');
  device.addError(DeviceError.lowSignal);
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[0, 4], [1, 5]]);
  device.removeError(4);
  device.removeError(5);
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[0, 0]], 'no error left: one instance holding 0');
  device.addError(2);
  device.addError(7);
  device.onResetErrors(() => device.addError(DeviceError.externalPowerOff));
  let resets = 0;
  device.on('errors-reset', () => resets++);
  changes.length = 0;
  execute(engine, '/3/0/12');
  assert.deepEqual(device.errors(), [2], 'cleared, then the conditions still present are re-added');
  assert.equal(resets, 1);
  assert.equal(changes.length, 1, 'one change batch for the reset');
  assert.ok(changes[0]!.startsWith('/3/0/11'));
  assert.throws(() => device.addError(0), ValueError);
  assert.throws(() => device.addError(40), ValueError, 'Device 1.1 error codes are 0..8');
  await flush();
});

test('Reboot and Factory Reset run their callbacks after the response; none registered answers 5.01', async () => {
  const { engine } = makeEngine();
  const device = installDevice(engine);
  assert.throws(() => execute(engine, '/3/0/4'), (e: unknown) => e instanceof LwM2mStatusError && e.coapCode === 0xa1);
  const calls: string[] = [];
  device.onReboot((args) => {
    calls.push(`reboot:${args.raw}`);
  });
  const off = device.onFactoryReset(() => {
    calls.push('factory');
  });
  execute(engine, '/3/0/4', "0='now'");
  execute(engine, '/3/0/5');
  assert.deepEqual(calls, [], 'not before the response');
  await flush();
  assert.deepEqual(calls, ["reboot:0='now'", 'factory']);
  off();
  assert.equal(engine.registry.hasResource(3, 0, 5), false, 'without a handler Factory Reset is not present');
  const errors: Error[] = [];
  device.on('error', (e) => errors.push(e));
  device.onReboot(() => {
    throw new Error('boom');
  });
  execute(engine, '/3/0/4');
  await flush();
  assert.equal(errors[0]?.message, 'boom');
});

test('Current Time: the clock plus the offset a server write sets; UTC Offset and Timezone stay consistent', async () => {
  const { engine, clock } = makeEngine();
  const device = installDevice(engine, { timezone: 'Europe/Berlin' });
  const t0 = clock.wallTime();
  assert.equal((engine.registry.readResource(3, 0, 13) as Date).getTime(), t0);
  const times: number[] = [];
  device.on('time-changed', (e) => times.push(e.offsetMs));
  await serverWrite(engine, '/3/0/13', new Date(t0 + 3_600_000));
  assert.deepEqual(times, [3_600_000]);
  clock.advance(10_500);
  assert.equal((engine.registry.readResource(3, 0, 13) as Date).getTime(), t0 + 3_610_000, 'keeps running, whole seconds');
  assert.equal(device.now().getTime(), t0 + 3_610_500);
  // A UTC offset that disagrees with the zone replaces the zone by the fixed zone of that offset.
  await serverWrite(engine, '/3/0/14', '+05:00');
  assert.equal(device.timezone, 'Etc/GMT-5');
  assert.equal(engine.registry.get('/3/0/15'), 'Etc/GMT-5');
  assert.equal(engine.registry.readResource(3, 0, 14), '+05:00');
  await serverWrite(engine, '/3/0/14', '+05:30');
  assert.equal(device.timezone, undefined, 'no IANA zone has +05:30 as a fixed offset here');
  assert.equal(engine.registry.get('/3/0/15'), undefined);
  await serverWrite(engine, '/3/0/15', 'America/New_York');
  assert.equal(engine.registry.readResource(3, 0, 14), '-05:00');
  assert.throws(() => serverWrite(engine, '/3/0/15', 'Nowhere/Land'), (e: unknown) => e instanceof LwM2mStatusError && e.coapCode === 0x80);
  assert.throws(() => serverWrite(engine, '/3/0/14', 'noon'), (e: unknown) => e instanceof LwM2mStatusError && e.coapCode === 0x80);
  assert.equal(device.timezone, 'America/New_York', 'a refused write changes nothing');
});

test('power sources keep their resource instance ids aligned; battery and memory in one change each', () => {
  const { engine } = makeEngine();
  const device = installDevice(engine);
  device.setPowerSource(3, { type: PowerSourceType.solar, voltage: 12000, current: 100 });
  assert.deepEqual(instances(engine.registry.get('/3/0/6')), [[0, 0], [3, 7]]);
  assert.deepEqual(instances(engine.registry.get('/3/0/7')), [[3, 12000]]);
  assert.equal(device.removePowerSource(3), true);
  assert.deepEqual(instances(engine.registry.get('/3/0/6')), [[0, 0]]);
  const changes: number[] = [];
  engine.registry.on('change', (p) => changes.push(p.length));
  device.setBattery({ level: 42, status: BatteryStatus.charging });
  device.setMemory({ free: 10, total: 100 });
  assert.deepEqual(changes, [2, 2]);
  assert.equal(engine.registry.get('/3/0/9'), 42);
  assert.throws(() => device.setBattery({ level: 101 }), ValueError);
});

test('installing over an existing /3/0 keeps the values already set', () => {
  const { engine } = makeEngine('1.0');
  engine.registry.create('/3/0', { 0: 'Mine', 16: 'UQ' });
  installDevice(engine, { manufacturer: 'Other' });
  assert.equal(engine.registry.get('/3/0/0'), 'Mine');
  assert.equal(engine.registry.get('/3/0/16'), 'UQ');
  assert.deepEqual(instances(engine.registry.get('/3/0/11')), [[0, 0]]);
});
