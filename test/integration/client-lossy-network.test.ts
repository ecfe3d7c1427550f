/**
 * Our client and server over a link that loses 20% of the datagrams in each direction: registration,
 * updates, observe and Send still complete, and no Send record is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { LossyTransport } from '../../src/transport/lossy.ts';
import { prng as seeded } from '../_prng.ts';


const COAP = { params: { ackTimeout: 60, ackRandomFactor: 1.5, maxRetransmit: 6 } };

test('20% loss both ways: register, update, observe and Send complete; no Send record is lost', async (t) => {
  const seed = Number(process.env.LOSS_SEED ?? 20261125);
  const random = seeded(seed);
  const links: LossyTransport[] = [];
  const server = await LwM2mServer.start({ address: '127.0.0.1', coap: COAP });
  const client = new LwM2mClient({
    endpoint: 'lossy-1',
    coap: COAP,
    confirmableNotifications: true,
    timing: { retryBaseMs: 50, maxRetries: 20 },
    wrapTransport: (inner) => {
      const lossy = new LossyTransport(inner, { lossRate: 0.2, random });
      links.push(lossy);
      return lossy;
    },
  });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  client.create('/0/0', { 0: `coap://127.0.0.1:${server.local.port}`, 1: false, 2: 3, 10: 1 });
  client.create('/1/0', { 0: 1, 1: 300, 6: true, 7: 'U' });
  client.create('/3/0', { 0: 'lossy', 9: 50, 16: 'U' });

  await client.start();
  assert.ok(server.registration('lossy-1'), `registered (seed ${seed})`);

  for (let i = 0; i < 3; i++) {
    const done = client.next('event', (e) => e.type === 'REG_UPDATE_COMPLETE' || e.type === 'REGISTRATION_COMPLETE');
    client.update();
    await done;
  }

  const observation = await retry(() => server.observe('lossy-1', '/3/0/9'));
  const seen: number[] = [];
  const watching = (async () => {
    for await (const n of observation) {
      const v = n.records[0]?.value;
      if (typeof v === 'number') seen.push(v);
      if (v === 100) break;
    }
  })();
  for (const level of [60, 70, 80, 90, 100]) {
    client.set('/3/0/9', level);
    await new Promise((r) => setTimeout(r, 30));
  }
  await watching;
  assert.equal(seen.at(-1), 100, `the last value arrives (seen ${seen.join(',')})`);

  const received = new Set<number>();
  server.on('send', ({ records }) => {
    for (const r of records) if (r.path.toString() === '/3/0/9' && typeof r.value === 'number') received.add(r.value);
  });
  for (let v = 1; v <= 20; v++) {
    client.set('/3/0/9', v);
    await retry(() => client.send(['/3/0/9']));
  }
  assert.deepEqual([...received].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1), 'every Send record arrived');

  const dropped = links.reduce((n, l) => n + l.stats.droppedIncoming + l.stats.droppedOutgoing, 0);
  const total = links.reduce((n, l) => n + l.stats.sent + l.stats.received, 0);
  assert.ok(dropped > 0.1 * total, `loss happened: ${dropped} of ${total} datagrams dropped`);
});

/** The application's side of "nothing lost": an operation that timed out is tried again. */
async function retry<T>(op: () => Promise<T>, attempts = 5): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await op();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}
