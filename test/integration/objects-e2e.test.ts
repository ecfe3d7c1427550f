/**
 * The standard objects' behaviour driven by our LwM2M server over real UDP (issue 7): Device reboot,
 * error codes and Reset Error Code, Current Time, a 1 MiB Firmware push over Block1 followed by
 * Update, and an IPSO sensor's min/max with Reset Min/Max.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import { installStandardObjects, installTemperature, type FirmwareSink } from '../../src/client/objects/index.ts';
import { LwM2mServer } from '../../src/server/server.ts';

async function setup(t: TestContext, sink: FirmwareSink, onUpdate: () => void) {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  const endpoint = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  const client = new LwM2mClient({ endpoint });
  const objects = installStandardObjects(client.engine, {
    servers: [{ uri: `coap://127.0.0.1:${server.local.port}`, ssid: 1, lifetime: 300 }],
    device: { manufacturer: 'lwm2m-ts', modelNumber: 'e2e' },
    firmware: { sink, onUpdate },
  });
  const temperature = installTemperature(client.engine, { value: 20, units: 'Cel' });
  t.after(async () => {
    objects.dispose();
    await client.close();
    await server.close();
  });
  await client.start();
  return { server, client, endpoint, objects, temperature };
}

test('Device, Firmware Update and an IPSO sensor against our server', async (t) => {
  const chunks: Uint8Array[] = [];
  let updates = 0;
  const sink: FirmwareSink = {
    write: (chunk) => {
      chunks.push(chunk.slice());
    },
  };
  const { server, endpoint: ep, objects, temperature } = await setup(t, sink, () => {
    updates++;
  });

  // Device: Reboot runs the application callback (after the response went out).
  let reboots = 0;
  objects.device.onReboot(() => {
    reboots++;
  });
  await server.execute(ep, '/3/0/4');
  for (let i = 0; i < 100 && reboots === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(reboots, 1);

  // Error codes and Reset Error Code.
  objects.device.addError(3);
  objects.device.addError(5);
  const errors = await server.read(ep, '/3/0/11');
  assert.deepEqual(errors.records.map((r) => r.value), [3, 5]);
  await server.execute(ep, '/3/0/12');
  assert.deepEqual((await server.read(ep, '/3/0/11')).records.map((r) => r.value), [0]);

  // Current Time: a server write moves the device's clock.
  const target = new Date('2030-01-02T03:04:05Z');
  await server.write(ep, '/3/0/13', target);
  const now = objects.device.now().getTime();
  assert.ok(Math.abs(now - target.getTime()) < 5000, `device time ${objects.device.now().toISOString()}`);

  // Firmware push: 1 MiB over Block1 into the sink, then Update.
  const image = new Uint8Array(1024 * 1024);
  for (let i = 0; i < image.length; i++) image[i] = (i * 31 + 7) & 0xff;
  await server.write(ep, '/5/0/0', image, { format: 42 });
  const received = Buffer.concat(chunks);
  assert.equal(received.length, image.length);
  assert.ok(received.equals(Buffer.from(image)), 'the sink got the image byte for byte');
  assert.equal((await server.read(ep, '/5/0/3')).records[0]?.value, 2, 'State: Downloaded');
  await server.execute(ep, '/5/0/2');
  for (let i = 0; i < 100 && updates === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(updates, 1);

  // IPSO Temperature: min/max follow the values; Reset Min/Max starts over.
  temperature.set(25);
  temperature.set(18);
  const read = async (rid: number): Promise<unknown> => (await server.read(ep, `/3303/0/${rid}`)).records[0]?.value;
  assert.equal(await read(5601), 18);
  assert.equal(await read(5602), 25);
  await server.execute(ep, '/3303/0/5605');
  assert.equal(await read(5601), 18);
  assert.equal(await read(5602), 18);
});
