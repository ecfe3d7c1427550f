/**
 * Closing a client while its registration runner is opening a socket: the socket that arrives after
 * close() is closed too, and nothing of the client keeps the process alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mServer } from '../../src/server/server.ts';

const udpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

test('close() during start(): the socket being opened is closed as well', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  t.after(() => server.close());
  const baseline = udpHandles();
  for (let i = 0; i < 5; i++) {
    const client = new LwM2mClient({ endpoint: `closing-${i}`, localAddress: '127.0.0.1' });
    client.create('/0/0', { 0: `coap://127.0.0.1:${server.local.port}`, 1: false, 2: 3, 10: 1 });
    client.create('/1/0', { 0: 1, 1: 300, 7: 'U' });
    client.create('/3/0', { 0: 'closing', 16: 'U' });
    const started = client.start().catch((e: unknown) => e);
    // Let the runner reach the socket opening, then close before the bind resolves.
    await Promise.resolve();
    await client.close();
    await started;
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(udpHandles(), baseline, 'no socket left open');
});
