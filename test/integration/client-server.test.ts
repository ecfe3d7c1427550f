/**
 * Our LwM2M client against our LwM2M server over real UDP on loopback: registration, every kind of
 * device-management request, observe/notify, Send, update and de-registration, end to end.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { RequestRejectedError } from '../../src/errors.ts';

interface Setup {
  server: LwM2mServer;
  client: LwM2mClient;
  events: RdEvent[];
}

async function setup(t: { after: (fn: () => Promise<void>) => void }, version: '1.0' | '1.1' = '1.1', lifetime = 300): Promise<Setup> {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  const client = new LwM2mClient({ endpoint: `it-${version}-${Math.random().toString(36).slice(2, 8)}`, version });
  client.create('/0/0', { 0: `coap://127.0.0.1:${server.local.port}`, 1: false, 2: 3, 10: 1 });
  client.create('/1/0', { 0: 1, 1: lifetime, 6: false, 7: 'U' });
  client.create('/3/0', { 0: 'lwm2m-ts', 1: 'model-1', 2: 'SN-1', 3: '1.0.0', 9: 90, 11: [0], 16: 'U' });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, events };
}

for (const version of ['1.0', '1.1'] as const) {
  describe(`client and server, LwM2M ${version}`, () => {
    test('register, read, write, execute, observe, update, de-register', async (t) => {
      const { server, client, events } = await setup(t, version);
      const registered = server.next('registered');
      await client.start();
      const { registration } = await registered;
      assert.equal(registration.endpoint, client.endpointName);
      assert.equal(registration.version, version);
      assert.deepEqual(events.map((e) => e.type), ['REGISTRATION_COMPLETE']);
      const ep = client.endpointName;

      const read = await server.read(ep, '/3/0/0');
      assert.equal(read.records[0]?.value, 'lwm2m-ts');
      const device = await server.read(ep, '/3/0');
      assert.ok(device.records.some((r) => r.path.toString() === '/3/0/2' && r.value === 'SN-1'));

      await server.write(ep, '/3/0/14', '+02:00');
      assert.equal(client.get('/3/0/14'), '+02:00');

      let rebooted = 0;
      client.onExecute('/3/0/4', () => {
        rebooted++;
      });
      await server.execute(ep, '/3/0/4');
      assert.equal(rebooted, 1);

      await assert.rejects(server.write(ep, '/3/0/0', 'x'), (e: unknown) => e instanceof RequestRejectedError && e.coapCode === 0x85);
      await assert.rejects(server.read(ep, '/3/0/99'), (e: unknown) => e instanceof RequestRejectedError && e.coapCode === 0x84);

      const observation = await server.observe(ep, '/3/0/9');
      assert.equal(observation.initial.records[0]?.value, 90);
      const it = observation[Symbol.asyncIterator]();
      client.set('/3/0/9', 55);
      const note = await it.next();
      assert.equal(note.done, false);
      assert.equal(note.value.records[0]?.value, 55);
      observation.cancel();

      const updated = server.next('updated');
      client.update();
      await updated;
      await client.next('event', (e) => e.type === 'REG_UPDATE_COMPLETE');

      const deregistered = server.next('deregistered');
      await client.stop();
      await deregistered;
      assert.deepEqual(
        events.map((e) => e.type),
        ['REGISTRATION_COMPLETE', 'REG_UPDATE', 'REG_UPDATE_COMPLETE', 'DEREGISTER', 'DISCONNECT'],
      );
      assert.equal(server.registration(ep), undefined);
    });
  });
}

test('Send reaches the server as records (LwM2M 1.1)', async (t) => {
  const { server, client } = await setup(t);
  await client.start();
  const sent = server.next('send');
  await client.send(['/3/0/9', '/3/0/0']);
  const { records } = await sent;
  assert.deepEqual(
    records.map((r) => [r.path.toString(), r.value]),
    [
      ['/3/0/9', 90],
      ['/3/0/0', 'lwm2m-ts'],
    ],
  );
});

test('creating an instance sends an Update with the new object list', async (t) => {
  const { server, client } = await setup(t);
  await client.start();
  const updated = server.next('updated');
  client.create('/3303/0', { 5700: 21.5 });
  const { registration } = await updated;
  assert.ok(registration.links.some((l) => l.target === "/3303/0"), registration.links.map((l) => l.target).join(","));
});

test('a server Disable de-registers and stays away', async (t) => {
  const { server, client, events } = await setup(t);
  await client.start();
  const gone = server.next('deregistered');
  const disabled = client.next('event', (e) => e.type === 'SERVER_DISABLED');
  await server.execute(client.endpointName, '/1/0/4');
  await gone;
  await disabled;
  for (let i = 0; i < 200 && client.servers()[0]?.phase !== 'disabled'; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events.map((e) => e.type), ['REGISTRATION_COMPLETE', 'SERVER_DISABLED']);
  assert.equal(client.servers()[0]?.phase, 'disabled');
});

test('several servers at once: one registration per Server instance, each on its own socket, access control between them', async (t) => {
  const a = await LwM2mServer.start({ address: '127.0.0.1' });
  const b = await LwM2mServer.start({ address: '127.0.0.1' });
  const client = new LwM2mClient({ endpoint: `multi-${Math.random().toString(36).slice(2, 8)}` });
  t.after(async () => {
    await client.close();
    await a.close();
    await b.close();
  });
  client.create('/0/0', { 0: `coap://127.0.0.1:${a.local.port}`, 1: false, 2: 3, 10: 1 });
  client.create('/0/1', { 0: `coap://127.0.0.1:${b.local.port}`, 1: false, 2: 3, 10: 2 });
  client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U' });
  client.create('/1/1', { 0: 2, 1: 600, 6: false, 7: 'U' });
  client.create('/3/0', { 0: 'multi', 16: 'U' });
  // Device: server 1 may read and write, server 2 may only read (LwM2M Core E.3: bits R=1 W=2 E=4).
  client.create('/2/0', { 0: 3, 1: 0, 2: { 1: 3, 2: 1 }, 3: 1 });
  const ra = a.next('registered');
  const rb = b.next('registered');
  await client.start();
  const [regA, regB] = [(await ra).registration, (await rb).registration];
  assert.equal(regA.lifetime, 300);
  assert.equal(regB.lifetime, 600);
  assert.notEqual(regA.address.port, regB.address.port, 'one socket per server');
  assert.deepEqual(client.servers().map((s) => [s.ssid, s.phase]), [
    [1, 'registered'],
    [2, 'registered'],
  ]);
  const ep = client.endpointName;
  assert.equal((await a.read(ep, '/3/0/0')).records[0]?.value, 'multi');
  assert.equal((await b.read(ep, '/3/0/0')).records[0]?.value, 'multi');
  await a.write(ep, '/3/0/14', '+01:00');
  await assert.rejects(b.write(ep, '/3/0/14', '+03:00'), (e: unknown) => e instanceof RequestRejectedError && e.coapCode === 0x81);
  assert.equal(client.get('/3/0/14'), '+01:00');
  const gone = [a.next('deregistered'), b.next('deregistered')];
  await client.stop();
  await Promise.all(gone);
});
