/**
 * LwM2M Gateway (object 25, LwM2M Gateway TS 1.1) over real UDP: an LwM2mClient gateway with two
 * IoT devices registers with our LwM2mServer, which lists the devices from /25 and reaches their
 * objects through prefixed paths: Read, Write, Execute, Observe/Notify, Discover, Create,
 * composites; a device removed leads to an Update and 4.04 for its prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { RequestRejectedError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { startGateway } from './_gateway.ts';


async function rejectsWith(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof RequestRejectedError && e.coapCode === code);
}

test('a gateway with two IoT devices, managed by our server through prefixes', async (t) => {
  const { server, endpoint: ep, gw, dev1, listed } = await startGateway(t);

  // Registration: /25 and its instances, none of the devices' objects (Gateway TS 1.1 section 6).
  const reg = server.registration(ep)!;
  assert.deepEqual(reg.objects.find((o) => o.id === 25), { id: 25, version: '2.0', instances: [0, 1] });
  assert.equal(reg.objects.find((o) => o.id === 3303), undefined);

  // The server read /25 after Register.
  const first = await listed;
  assert.deepEqual(
    first.devices.map((d) => [d.deviceId, d.prefix, d.instanceId]),
    [
      ['urn:dev:ops:1-sensor', 'dev1', 0],
      ['urn:dev:ops:2-meter', 'dev2', 1],
    ],
  );
  const devices = await server.gatewayDevices(ep);
  assert.deepEqual(devices[0]!.objects.filter((o) => o.id >= 3).map((o) => [o.id, o.instances]), [
    [3, [0]],
    [3303, [0]],
  ]);

  // Read: prefixed path, and the prefix option; SenML CBOR (default) and SenML JSON names carry the prefix.
  const device = await server.read(ep, '/dev1/3/0');
  assert.equal(device.records.find((r) => r.path.equals(LwM2mPath.of(3, 0, 0)))?.value, 'Sensor Co');
  const other = await server.read(ep, '/3/0/0', { prefix: 'dev2' });
  assert.deepEqual(other.records.map((r) => [r.path.toString(), r.value]), [['/3/0/0', 'Meter Co']]);
  const json = await server.read(ep, '/dev1/3303/0', { format: ContentFormat.SENML_JSON });
  assert.match(Buffer.from(json.payload).toString(), /"bn":"\/dev1\/3303\/0\/"/);
  assert.equal(json.records.find((r) => r.path.resourceId === 5700)?.value, 21.5);
  const gatewayOwn = await server.read(ep, '/3/0/0');
  assert.equal(gatewayOwn.records[0]?.value, 'gateway maker', 'unprefixed paths stay the gateway`s');

  // Write and Execute on a device.
  await server.write(ep, '/dev1/3303/0/5750', 'outdoor');
  assert.equal(dev1.get('/3303/0/5750'), 'outdoor');
  await server.write(ep, '/dev1/3303/0', { 5750: 'roof' }, { partial: true, format: ContentFormat.SENML_JSON });
  assert.equal(dev1.get('/3303/0/5750'), 'roof');
  let reboots = 0;
  dev1.onExecute('/3/0/4', () => {
    reboots++;
  });
  await server.execute(ep, '/dev1/3/0/4');
  assert.equal(reboots, 1);

  // Observe a device resource; the application changes it; the notification arrives with the value.
  const obs = await server.observe(ep, '/dev1/3303/0/5700');
  assert.equal(obs.initial.records[0]?.value, 21.5);
  const notified = server.next('notification', (e) => e.observation === obs);
  dev1.set('/3303/0/5700', 23.25);
  const n = await notified;
  assert.equal(n.notification.error, undefined);
  assert.deepEqual(n.notification.records.map((r) => [r.path.toString(), r.value]), [['/3303/0/5700', 23.25]]);
  await obs.cancel();

  // Discover: links without the prefix (Gateway TS 1.1 8.3.1).
  const links = await server.discover(ep, '/dev1/3303/0');
  assert.ok(links.links.some((l) => l.target === '/3303/0/5700'), JSON.stringify(links.links.map((l) => l.target)));
  assert.ok(links.links.every((l) => !l.target.includes('dev1')));

  // Write-Attributes and composites on a device.
  await server.writeAttributes(ep, '/dev1/3303/0/5700', { pmax: 60 });
  const composite = await server.readComposite(ep, ['/3303/0/5700', '/3/0/1'], { prefix: 'dev1' });
  assert.deepEqual(composite.records.map((r) => [r.path.toString(), r.value]), [
    ['/3303/0/5700', 23.25],
    ['/3/0/1', 'S-1'],
  ]);
  await server.writeComposite(ep, { '/3303/0/5750': 'garden' }, { prefix: 'dev1' });
  assert.equal(dev1.get('/3303/0/5750'), 'garden');

  // Create on a device: the location carries the prefix; /25/0/3 follows (no Update: not in Register).
  const created = await server.create(ep, '/dev1/3303', { 5700: 5 }, { instanceId: 7 });
  assert.equal(created.location?.toString(), '/3303/7');
  assert.equal(dev1.get('/3303/7/5700'), 5);
  const refreshed = await server.gatewayDevices(ep, { refresh: true });
  assert.deepEqual(refreshed[0]!.objects.find((o) => o.id === 3303)?.instances, [0, 7]);
  await server.delete(ep, '/dev1/3303/7');
  assert.equal(dev1.registry.hasInstance(3303, 7), false);

  // Unknown prefix: 4.04.
  await rejectsWith(server.read(ep, '/dev9/3/0'), 0x84);

  // A device goes: /25/1 is deleted, an Update follows, the server re-reads /25, the prefix is 4.04.
  const updated = server.next('updated', (e) => e.registration.endpoint === ep);
  const relisted = server.next('gateway-devices', (e) => e.registration.endpoint === ep);
  assert.equal(gw.removeDevice('dev2'), true);
  const u = await updated;
  assert.deepEqual(u.registration.objects.find((o) => o.id === 25)?.instances, [0]);
  assert.deepEqual((await relisted).devices.map((d) => d.prefix), ['dev1']);
  assert.deepEqual((await server.gatewayDevices(ep)).map((d) => d.prefix), ['dev1']);
  await rejectsWith(server.read(ep, '/dev2/3/0'), 0x84);
  assert.equal(gw.removeDevice('dev2'), false);
});
