/**
 * `lwm2m server`'s console and logs with IoT devices behind a gateway (LwM2M Gateway TS 1.1): paths
 * with a device prefix in the commands, the device named in notification and send lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerConsole } from '../server/_console.ts';
import { LwM2mClient } from '../../src/client/client.ts';
import { installGateway, installStandardObjects } from '../../src/client/objects/index.ts';

test('console commands reach an IoT device through its prefix; its Sends and notifications are logged with it', async (t) => {
  const { stdin, waitFor, port } = await startServerConsole(t);
  const until = async (re: RegExp): Promise<string> => (await waitFor(re))[0];

  const client = new LwM2mClient({ endpoint: 'console-gw' });
  const objects = installStandardObjects(client.engine, { servers: [{ uri: `coap://127.0.0.1:${port}`, ssid: 1, lifetime: 300 }] });
  const gw = installGateway(client);
  const dev1 = gw.addDevice({ deviceId: 'urn:dev:ops:1', prefix: 'dev1' });
  dev1.create('/3303/0', { 5700: 21.5, 5701: 'Cel' });
  t.after(async () => {
    gw.dispose();
    objects.dispose();
    await client.close();
  });
  await client.start();
  await until(/registered console-gw /);

  stdin.write('read console-gw /dev1/3303/0/5700\n');
  assert.match(await until(/read console-gw \/dev1\/3303\/0\/5700: 2\.05 Content.*\n.*\n/), /\/3303\/0\/5700 = float 21\.5/);
  stdin.write('write console-gw /dev1/3303/0/5750 roof\n');
  await until(/write console-gw \/dev1\/3303\/0\/5750: 2\.04/);
  assert.equal(dev1.get('/3303/0/5750'), 'roof');

  stdin.write('observe console-gw /dev1/3303/0/5700\n');
  await until(/observe console-gw \/dev1\/3303\/0\/5700: established/);
  dev1.set('/3303/0/5700', 22.75);
  assert.match(await until(/notification console-gw \/dev1\/3303\/0\/5700: 2\.05 Content\n.*\n/), /= float 22\.75/);
  stdin.write('cancel console-gw /3303/0/5700\n');
  await until(/cancel console-gw \/3303\/0\/5700: no such observation/);
  stdin.write('cancel console-gw /dev1/3303/0/5700\n');
  await until(/cancel console-gw \/dev1\/3303\/0\/5700: 1 cancelled/);
  assert.equal(dev1.engine.observationCount(), 0);

  await dev1.send(['/3303/0/5700']);
  assert.match(await until(/send console-gw device dev1 \(senml-cbor\)\n.*\n/), /\/3303\/0\/5700 = float 22\.75/);

  stdin.write('read console-gw /dev9/3/0\n');
  await until(/error: read: Read \/dev9\/3\/0 on 'console-gw' failed with 4\.04/);
});
