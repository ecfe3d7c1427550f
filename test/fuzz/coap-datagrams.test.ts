/**
 * 10,000 hostile datagrams at a live endpoint over UDP: random bytes, mutated valid messages and
 * valid requests with random options. Afterwards the endpoint must still answer, every datagram
 * must be accounted for, and no error may have escaped the socket loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { UdpTransport } from '../../src/transport/udp.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { serialize } from '../../src/coap/serialize.ts';
import { buildOptions } from '../../src/coap/options.ts';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function datagram(rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const kind = int(3);
  if (kind === 0) return bytes(int(64));
  const options = Array.from({ length: int(6) }, () => ({ number: int(3) === 0 ? int(70000) % 65536 : int(64), value: bytes(int(3) === 0 ? int(300) : int(8)) }));
  const code = int(2) === 0 ? 1 + int(7) : int(256);
  const base = serialize({
    type: int(4) as CoapType,
    code,
    messageId: int(65536),
    token: code === 0 ? new Uint8Array(0) : bytes(int(9)),
    options: code === 0 ? [] : options,
    payload: code === 0 ? new Uint8Array(0) : bytes(int(3) === 0 ? int(1500) : int(20)),
  });
  if (kind === 1) return base;
  const out = base.slice();
  for (let i = 0, n = 1 + int(4); i < n && out.length > 0; i++) out[int(out.length)] = int(256);
  return int(4) === 0 ? out.subarray(0, int(out.length + 1)) : out;
}

test('10,000 random datagrams are counted and answered or dropped; the endpoint still answers afterwards', async (t) => {
  const server = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1', receiveBufferSize: 1 << 20 }), { separateResponseDelay: 0 });
  t.after(() => server.close());
  const errors: Error[] = [];
  server.on('error', (e) => errors.push(e));
  let handled = 0;
  server.onRequest((r) => {
    handled++;
    if (r.path[0] === 'slow') return new Promise((resolve) => setTimeout(() => resolve({ code: CoapCode.CHANGED }), 5));
    return { code: CoapCode.CONTENT, payload: new Uint8Array(r.payload.length % 1500) };
  });
  const attacker = createSocket('udp4');
  await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()));
  t.after(() => {
    attacker.close();
  });
  attacker.on('message', () => undefined);
  const rand = prng(20260101);
  const N = 10_000;
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < N; i++) {
    attacker.send(datagram(rand), server.local.port, '127.0.0.1');
    // Flow control: keep few datagrams in flight so the kernel's receive buffer never overflows.
    while (i + 1 - server.counters.datagramsReceived > 16 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  }
  while (server.counters.datagramsReceived < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const c = server.counters;
  assert.equal(c.datagramsReceived, N, 'every datagram reached the endpoint');
  assert.ok(c.malformed > 1000, `malformed: ${c.malformed}`);
  assert.ok(c.resetsSent > 100, `resets: ${c.resetsSent}`);
  assert.ok(handled > 100, `valid requests handled: ${handled}`);
  assert.deepEqual(errors, []);

  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  t.after(() => client.close());
  const res = await client.request(server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/still/alive' }) });
  assert.equal(res.code, CoapCode.CONTENT);
  const ping = await client.ping(server.local);
  assert.ok(ping >= 0);
  // A CON request that is a well-formed message still gets a piggy-backed answer from the same socket.
  const direct = await new Promise<Uint8Array>((resolve) => {
    attacker.removeAllListeners('message');
    attacker.on('message', (m) => resolve(new Uint8Array(m)));
    attacker.send(serialize({ type: CoapType.CON, code: CoapCode.GET, messageId: 7, token: Uint8Array.of(9), options: [], payload: new Uint8Array(0) }), server.local.port, '127.0.0.1');
  });
  assert.equal(direct[1], CoapCode.CONTENT);
});
