import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpTransport } from '../../src/transport/udp.ts';
import { LossyTransport } from '../../src/transport/lossy.ts';

async function pair() {
  const a = new LossyTransport(await UdpTransport.bind({ address: '127.0.0.1' }));
  const b = new LossyTransport(await UdpTransport.bind({ address: '127.0.0.1' }));
  const got: number[] = [];
  b.onDatagram((d) => got.push(d[0]!));
  return { a, b, got };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('drops chosen outgoing datagrams and duplicates others', async () => {
  const { a, b, got } = await pair();
  a.options = { dropOutgoing: (_d, _p, i) => i === 1, duplicateOutgoing: (d) => d[0] === 3 };
  for (const n of [1, 2, 3, 4]) a.send(Uint8Array.of(n), b.local);
  await wait(100);
  assert.deepEqual(got.sort(), [1, 3, 3, 4]);
  assert.deepEqual(a.stats, { sent: 3, received: 0, droppedOutgoing: 1, droppedIncoming: 0, duplicatedOutgoing: 1, duplicatedIncoming: 0 });
  await a.close();
  await b.close();
});

test('dropNext and incoming filters; random loss from an injected source', async () => {
  const { a, b, got } = await pair();
  b.dropNext('incoming', 2);
  b.options = { duplicateIncoming: (d) => d[0] === 5 };
  for (const n of [1, 2, 3, 5]) a.send(Uint8Array.of(n), b.local);
  await wait(100);
  assert.deepEqual(got.sort(), [3, 5, 5]);
  assert.equal(b.stats.droppedIncoming, 2);
  let r = 0;
  a.options = { lossRate: 0.5, random: () => (r++ % 2 === 0 ? 0.1 : 0.9) };
  got.length = 0;
  for (const n of [10, 11, 12, 13]) a.send(Uint8Array.of(n), b.local);
  await wait(100);
  assert.deepEqual(got.sort(), [11, 13]);
  a.dropNext('outgoing');
  a.options = {};
  a.send(Uint8Array.of(20), b.local);
  a.send(Uint8Array.of(21), b.local);
  await wait(100);
  assert.deepEqual(got.sort(), [11, 13, 21]);
  assert.equal(a.local.port, a.inner.local.port);
  await a.close();
  await b.close();
});
