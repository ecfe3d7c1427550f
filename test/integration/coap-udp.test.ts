/** Two of our endpoints over real UDP on loopback: both roles on one socket, loss, duplicates, separate responses, Observe, block-wise. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { UdpTransport } from '../../src/transport/udp.ts';
import { LossyTransport, type LossyTransportOptions } from '../../src/transport/lossy.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { parse } from '../../src/coap/parse.ts';
import { buildOptions, observe } from '../../src/coap/options.ts';
import type { IncomingRequest } from '../../src/coap/incoming.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';

const FAST = { ackTimeout: 40, ackRandomFactor: 1.5, maxRetransmit: 4 };
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Endpoints are closed when the test ends, whatever happened. */
let current: TestContext | undefined;

async function endpoint(options: CoapEndpointOptions = {}, lossy: LossyTransportOptions = {}, address = '127.0.0.1') {
  const transport = new LossyTransport(await UdpTransport.bind({ address }), lossy);
  const ep = new CoapEndpoint(transport, { params: FAST, ...options });
  current?.after(() => ep.close());
  return { transport, ep };
}

function it(name: string, fn: () => Promise<void>): void {
  test(name, async (t) => {
    current = t;
    await fn();
  });
}

it('request/response in both directions on one socket each (IPv4 and IPv6)', async () => {
  for (const address of ['127.0.0.1', '::1']) {
    const { ep: a } = await endpoint({}, {}, address);
    const { ep: b } = await endpoint({}, {}, address);
    const seenByB: IncomingRequest[] = [];
    const seenByA: IncomingRequest[] = [];
    a.onRequest((r) => {
      seenByA.push(r);
      return { code: CoapCode.CONTENT, payload: text(`a:${r.path.join('/')}`) };
    });
    b.onRequest(async (r) => {
      seenByB.push(r);
      // While answering, b asks a back over the same socket.
      const back = await b.request(r.peer, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/0' }) });
      return { code: CoapCode.CONTENT, payload: text(`b:${str(back.payload)}`) };
    });
    const res = await a.request(b.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/rd' }) });
    assert.equal(str(res.payload), 'b:a:3/0/0');
    assert.equal(seenByB[0]!.peer.port, a.local.port, 'b sees a at the port a sends from');
    assert.equal(seenByA[0]!.peer.port, b.local.port);
    await a.close();
    await b.close();
  }
});

it('retransmission under injected loss: lost requests and lost ACKs', async () => {
  const { ep: server, transport: st } = await endpoint();
  let calls = 0;
  server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, payload: text('ok') };
  });
  // Drop the first two copies of the request at the client and the first ACK at the server.
  const { ep: client } = await endpoint({}, { dropOutgoing: (_d, _p, i) => i < 2 });
  st.dropNext('outgoing', 1);
  const res = await client.request(server.local, { code: CoapCode.GET });
  assert.equal(str(res.payload), 'ok');
  assert.equal(client.counters.retransmissions, 3);
  assert.equal(calls, 1, 'the handler ran once');
  assert.equal(server.counters.duplicates, 1);
  await client.close();
  await server.close();
});

it('random 20% loss both ways: every CON request still completes, each handled once', async () => {
  // mulberry32: a deterministic, well-mixed source of loss decisions.
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const params = { ackTimeout: 10, ackRandomFactor: 1, maxRetransmit: 10, nstart: 4 };
  const { ep: server } = await endpoint({ params }, { lossRate: 0.2, random });
  const handled = new Map<string, number>();
  server.onRequest((r) => {
    const k = r.query[0]!;
    handled.set(k, (handled.get(k) ?? 0) + 1);
    return { code: CoapCode.CHANGED };
  });
  const { ep: client } = await endpoint({ params }, { lossRate: 0.2, random });
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => client.request(server.local, { code: CoapCode.POST, options: buildOptions({ uriQuery: `n=${i}` }) })),
  );
  assert.ok(results.every((r) => r.code === CoapCode.CHANGED));
  assert.equal(handled.size, 30);
  assert.ok([...handled.values()].every((n) => n === 1), 'no request handled twice');
  assert.ok(client.counters.retransmissions > 0);
  await client.close();
  await server.close();
});

it('duplicated datagrams are detected: the handler runs once and the same response is repeated', async () => {
  const { ep: server, transport: st } = await endpoint();
  let calls = 0;
  server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, payload: text(`call ${calls}`) };
  });
  const { ep: client } = await endpoint({}, { duplicateOutgoing: () => true });
  for (let i = 0; i < 5; i++) {
    const r = await client.request(server.local, { code: CoapCode.GET }, { confirmable: i % 2 === 0 });
    assert.equal(str(r.payload), `call ${i + 1}`);
  }
  await wait(50);
  assert.equal(calls, 5);
  assert.equal(server.counters.duplicates, 5);
  assert.equal(st.stats.sent, 10, 'each duplicate got the cached response again');
  await client.close();
  await server.close();
});

it('separate response over UDP: empty ACK first, then a CON response that the client acknowledges', async () => {
  const { ep: server, transport: st } = await endpoint({ separateResponseDelay: 20 });
  const sent: number[] = [];
  const origSend = st.send.bind(st);
  st.send = (d, p) => {
    sent.push(parse(d).type);
    origSend(d, p);
  };
  server.onRequest(async () => {
    await wait(150);
    return { code: CoapCode.CONTENT, payload: text('slow') };
  });
  const { ep: client } = await endpoint();
  const res = await client.request(server.local, { code: CoapCode.GET });
  assert.equal(str(res.payload), 'slow');
  await wait(100);
  assert.deepEqual(sent, [CoapType.ACK, CoapType.CON]);
  assert.equal(server.counters.separateResponses, 1);
  assert.equal(server.counters.retransmissions, 0, 'the client acknowledged the CON response');
  await client.close();
  await server.close();
});

it('Observe over UDP: register, notify, cancel by Observe=1 and by RST', async () => {
  const { ep: server } = await endpoint();
  const observations: ServerObservation[] = [];
  server.onRequest((r) => {
    if (r.observe === 0) observations.push(r.acceptObservation());
    return { code: CoapCode.CONTENT, payload: text('0') };
  });
  const { ep: client } = await endpoint();
  const request = { code: CoapCode.GET, options: buildOptions({ uriPath: '/3303/0/5700' }) };

  const obs = await client.observe(server.local, request);
  assert.equal(obs.registered, true);
  const so = observations[0]!;
  const received: string[] = [];
  const loop = (async () => {
    for await (const n of obs) received.push(str(n.payload));
  })();
  for (let i = 1; i <= 3; i++) await so.notify({ code: CoapCode.CONTENT, payload: text(String(i)) }, { confirmable: i === 3 });
  await wait(50);
  const res = await obs.cancel();
  assert.equal(res?.code, CoapCode.CONTENT);
  assert.equal(observe(res.options), undefined);
  await loop;
  assert.deepEqual(received, ['1', '2', '3']);
  assert.equal(so.reason, 'deregistered');

  const obs2 = await client.observe(server.local, request);
  const so2 = observations[1]!;
  obs2.forget();
  await so2.notify({ code: CoapCode.CONTENT, payload: text('after forget') });
  await wait(50);
  assert.equal(so2.reason, 'reset');
  assert.equal(server.observations.length, 0);
  await client.close();
  await server.close();
});

it('Block1 and Block2 of 100 KiB over UDP, with some loss', async () => {
  const KiB100 = 100 * 1024;
  const upload = new Uint8Array(KiB100).map((_, i) => (i * 31) & 0xff);
  const download = new Uint8Array(KiB100).map((_, i) => (i * 17) & 0xff);
  const { ep: server } = await endpoint({}, { dropOutgoing: (_d, _p, i) => i % 37 === 5 });
  let received: Uint8Array | undefined;
  server.onRequest((r) => {
    if (r.method === CoapCode.PUT) {
      received = r.payload;
      return { code: CoapCode.CHANGED };
    }
    return { code: CoapCode.CONTENT, payload: download };
  });
  const { ep: client } = await endpoint({}, { dropOutgoing: (_d, _p, i) => i % 41 === 7 });
  const put = await client.request(server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0' }), payload: upload });
  assert.equal(put.code, CoapCode.CHANGED);
  assert.deepEqual(received, upload);
  const get = await client.request(server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/big' }) });
  assert.equal(get.payload.length, KiB100);
  assert.deepEqual(get.payload, download);
  assert.ok(client.counters.retransmissions > 0 && server.counters.retransmissions === 0);
  await client.close();
  await server.close();
});
