/**
 * A gateway for gateway tests: our LwM2mServer, and an LwM2mClient with the standard objects and two
 * IoT devices (dev1 with a Device and a Temperature, dev2 with a Device), started; `listed` resolves
 * when the server has read their /25. Everything is closed when the test ends.
 */
import type { TestContext } from 'node:test';
import { LwM2mClient } from '../../src/client/client.ts';
import { installGateway, installStandardObjects } from '../../src/client/objects/index.ts';
import { LwM2mServer } from '../../src/server/server.ts';

export async function startGateway(t: TestContext) {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  const endpoint = `gw-${Math.random().toString(36).slice(2, 8)}`;
  const client = new LwM2mClient({ endpoint });
  const objects = installStandardObjects(client.engine, {
    servers: [{ uri: `coap://127.0.0.1:${server.local.port}`, ssid: 1, lifetime: 300 }],
    device: { manufacturer: 'gateway maker', modelNumber: 'gw' },
  });
  const gw = installGateway(client);
  const dev1 = gw.addDevice({ deviceId: 'urn:dev:ops:1-sensor', prefix: 'dev1' });
  dev1.create('/3/0', { 0: 'Sensor Co', 1: 'S-1' });
  dev1.create('/3303/0', { 5700: 21.5, 5701: 'Cel' });
  const dev2 = gw.addDevice({ deviceId: 'urn:dev:ops:2-meter', prefix: 'dev2' });
  dev2.create('/3/0', { 0: 'Meter Co' });
  t.after(async () => {
    gw.dispose();
    objects.dispose();
    await client.close();
    await server.close();
  });
  const listed = server.next('gateway-devices', (e) => e.registration.endpoint === endpoint);
  await client.start();
  return { server, client, endpoint, gw, dev1, dev2, listed };
}
