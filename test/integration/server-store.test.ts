/**
 * A server restarted on a FileRegistrationStore over real UDP: our client's Update after the restart
 * is accepted (2.04, REG_UPDATE_COMPLETE, no new Register), the server can read the client at once,
 * a registration whose lifetime ran out while the server was down expires when it starts, and a
 * registration the client removes is gone from the file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { FileRegistrationStore } from '../../src/server/file-store.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { RawClient } from '../server/_raw-client.ts';
import { CoapCode } from '../../src/coap/message.ts';

const T = { timeout: 15_000 };

async function tempFile(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lwm2m-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'registrations.json');
}

test('after a restart on the same store, the client Updates (no new Register) and is readable at once', T, async (t) => {
  const file = await tempFile(t);
  let server = await LwM2mServer.start({ address: '127.0.0.1', store: await FileRegistrationStore.open(file) });
  const port = server.local.port;
  const client = new LwM2mClient({ endpoint: 'persisted-1', localAddress: '127.0.0.1' });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(async () => {
    await client.close();
    await server.close();
  });
  client.create('/0/0', { 0: `coap://127.0.0.1:${port}`, 1: false, 2: 3, 10: 1 });
  client.create('/1/0', { 0: 1, 1: 300, 7: 'U' });
  client.create('/3/0', { 0: 'persisted', 16: 'U' });
  await client.start();
  const before = server.registration('persisted-1');
  assert.ok(before);
  await server.close();

  const saved = JSON.parse(await readFile(file, 'utf8')) as { registrations: { id: string; endpoint: string; links: string }[] };
  assert.deepEqual(saved.registrations.map((r) => [r.id, r.endpoint]), [[before.id, 'persisted-1']]);
  assert.match(saved.registrations[0]!.links, /<\/3\/0>/);

  const reopened = await FileRegistrationStore.open(file);
  server = await LwM2mServer.start({ address: '127.0.0.1', port, store: reopened });
  const restored = server.registration('persisted-1');
  assert.ok(restored);
  assert.equal(restored.id, before.id);
  assert.deepEqual(restored.objects, before.objects);
  assert.deepEqual(restored.contentFormats, before.contentFormats);
  assert.deepEqual(restored.address, before.address);
  assert.ok(Math.abs(restored.expiresAt - before.expiresAt) < 1000, 'the same expiry, within clock rounding');
  assert.equal((await server.read('persisted-1', '/3/0/0')).records[0]?.value, 'persisted');

  const registeredAgain = server.next('registered').then(() => 'registered');
  const updated = server.next('updated');
  const done = client.next('event', (e) => e.type === 'REG_UPDATE_COMPLETE' || e.type === 'REGISTRATION_COMPLETE');
  client.update();
  assert.equal((await done).type, 'REG_UPDATE_COMPLETE');
  assert.equal((await updated).registration.id, before.id);
  assert.equal(await Promise.race([registeredAgain, new Promise((r) => setTimeout(() => r('none'), 200))]), 'none');

  const deregistered = server.next('deregistered');
  await client.stop();
  await deregistered;
  await reopened.flush();
  const after = JSON.parse(await readFile(file, 'utf8')) as { registrations: unknown[] };
  assert.deepEqual(after.registrations, []);
});

test('a registration whose lifetime ran out while the server was down expires when it starts', T, async (t) => {
  const file = await tempFile(t);
  const clock = new FakeClock({ wallStart: Date.UTC(2026, 10, 25, 12) });
  const first = await LwM2mServer.start({ address: '127.0.0.1', clock, expiryGraceMs: 0, store: await FileRegistrationStore.open(file, { clock }) });
  const raw = await RawClient.open(first.local);
  t.after(async () => {
    await raw.close();
    await first.close();
  });
  for (const [ep, lt] of [['short', 60], ['long', 3600]] as const) {
    const { reply } = await raw.exchange(CoapCode.POST, { uriPath: '/rd', contentFormat: 40, uriQuery: [`ep=${ep}`, `lt=${lt}`, 'lwm2m=1.1'] }, '</3/0>');
    assert.equal(reply.msg.code, CoapCode.CREATED);
  }
  await first.close();

  const later = new FakeClock({ wallStart: Date.UTC(2026, 10, 25, 12, 5) }); // five minutes on
  const second = await LwM2mServer.start({ address: '127.0.0.1', clock: later, expiryGraceMs: 0, store: await FileRegistrationStore.open(file, { clock: later }) });
  t.after(() => second.close());
  const expired = second.next('expired');
  later.advance(0);
  assert.equal((await expired).registration.endpoint, 'short');
  assert.deepEqual(second.registrations().map((r) => r.endpoint), ['long']);
  const long = second.registration('long')!;
  assert.equal(long.expiresAt - later.now(), 3600_000 - 300_000, 'the remaining lifetime carries over');
});

test('a damaged or foreign store file is a RegistrationStoreError naming the file and the problem', async (t) => {
  const file = await tempFile(t);
  const { writeFile } = await import('node:fs/promises');
  const cases: [string, RegExp][] = [
    ['{not json', /registrations\.json is not valid: .*JSON/],
    ['{"format":"something else","version":1,"registrations":[]}', /is not a "lwm2m-ts registrations" file/],
    ['{"format":"lwm2m-ts registrations","version":9,"registrations":[]}', /unknown version 9/],
    ['{"format":"lwm2m-ts registrations","version":1,"registrations":[{"id":"a"}]}', /registration 0: "\w+" is not a string/],
    [
      '{"format":"lwm2m-ts registrations","version":1,"registrations":[{"id":"a","endpoint":"e","lifetime":60,"version":"1.1","binding":"U","queueMode":false,"additionalParameters":{},"links":"<3/0","address":{"address":"127.0.0.1","port":1},"listener":"udp","identity":{},"registeredAt":0,"updatedAt":0,"expiresAtWall":null}]}',
      /registration 0: /,
    ],
  ];
  for (const [text, message] of cases) {
    await writeFile(file, text);
    await assert.rejects(FileRegistrationStore.open(file), (e: Error) => e.name === 'RegistrationStoreError' && message.test(e.message));
  }
  await rm(file);
  const empty = await FileRegistrationStore.open(file);
  assert.equal(empty.size, 0, 'a missing file is an empty store');
});
