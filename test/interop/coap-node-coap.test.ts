/**
 * Interop with the npm `coap` package (node-coap) as a third-party peer, both directions over real
 * UDP: request/response, NON, separate responses, Observe (notify, cancel by RST and by Observe=1),
 * Block1 and Block2 of 100 KiB, retransmission under loss and duplicate handling.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import * as coap from 'coap';
import { UdpTransport } from '../../src/transport/udp.ts';
import { LossyTransport, type LossyTransportOptions } from '../../src/transport/lossy.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions, contentFormat } from '../../src/coap/options.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';

// node-coap's timing is global to this test process: fast retransmissions keep the loss tests short.
coap.updateTiming({ ackTimeout: 0.1, ackRandomFactor: 1.0, maxRetransmit: 4, piggybackReplyMs: 50 });

const KiB100 = 100 * 1024;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FAST = { ackTimeout: 100, ackRandomFactor: 1.0, maxRetransmit: 4 };

async function ours(t: TestContext, options: CoapEndpointOptions = {}, lossy: LossyTransportOptions = {}) {
  const transport = new LossyTransport(await UdpTransport.bind({ address: '127.0.0.1' }), lossy);
  const ep = new CoapEndpoint(transport, { params: FAST, ...options });
  t.after(() => ep.close());
  return { ep, transport };
}

type Handler = (req: coap.IncomingMessage, res: coap.OutgoingMessage) => void;

async function theirServer(t: TestContext, handler: Handler): Promise<{ port: number; server: coap.Server }> {
  const server = coap.createServer({ piggybackReplyMs: 50 });
  server.on('request', handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server as unknown as { _sock: { address(): { port: number } } })._sock.address().port;
  return { port, server };
}

interface TheirResponse {
  code: string;
  payload: Buffer;
}

function theirRequest(params: coap.CoapRequestParams, payload?: Uint8Array, setup?: (req: coap.OutgoingMessage) => void): Promise<TheirResponse> {
  return new Promise((resolve, reject) => {
    const req = coap.request({ host: '127.0.0.1', agent: false, ...params });
    setup?.(req);
    req.on('response', (res: coap.IncomingMessage) => {
      resolve({ code: res.code, payload: res.payload });
    });
    req.on('error', reject);
    req.on('timeout', reject);
    req.end(payload === undefined ? undefined : Buffer.from(payload));
  });
}

// --- our client, node-coap server ------------------------------------------------------------

test('our client -> node-coap server: CON and NON requests with options and payloads', async (t) => {
  const seen: string[] = [];
  const { port } = await theirServer(t, (req, res) => {
    seen.push(`${req.method} ${req.url} ${req.payload.toString()}`);
    res.setOption('Content-Format', 'text/plain');
    res.end(`hello ${req.url}`);
  });
  const { ep } = await ours(t);
  const peer = { address: '127.0.0.1', port };
  const get = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/0', uriQuery: 'a=1' }) });
  assert.equal(get.code, CoapCode.CONTENT);
  assert.equal(str(get.payload), 'hello /3/0/0?a=1');
  assert.equal(contentFormat(get.options), 0);
  const put = await ep.request(peer, { code: CoapCode.PUT, options: buildOptions({ uriPath: 'x' }), payload: text('body') });
  assert.equal(str(put.payload), 'hello /x');
  const non = await ep.request(peer, { code: CoapCode.POST, options: buildOptions({ uriPath: 'n' }), payload: text('nb') }, { confirmable: false });
  assert.equal(str(non.payload), 'hello /n');
  assert.deepEqual(seen, ['GET /3/0/0?a=1 ', 'PUT /x body', 'POST /n nb']);
});

test('our client -> node-coap server: separate response after an empty ACK', async (t) => {
  const { port } = await theirServer(t, (_req, res) => {
    setTimeout(() => res.end('slow'), 250);
  });
  const { ep } = await ours(t);
  const res = await ep.request({ address: '127.0.0.1', port }, { code: CoapCode.GET, options: buildOptions({ uriPath: 'slow' }) });
  assert.equal(str(res.payload), 'slow');
  assert.equal(ep.counters.retransmissions, 0, 'the empty ACK stopped retransmission');
  await wait(300);
  assert.equal(ep.counters.resetsSent, 0);
});

test('our client -> node-coap server: Observe notifications, cancel by RST and by Observe=1', async (t) => {
  const streams: { res: coap.OutgoingMessage; finished: boolean }[] = [];
  const { port } = await theirServer(t, (req, res) => {
    if (req.headers.Observe !== 0) {
      res.end('plain');
      return;
    }
    const entry = { res, finished: false };
    streams.push(entry);
    res.on('finish', () => (entry.finished = true));
    res.write('0');
  });
  const { ep } = await ours(t);
  const peer = { address: '127.0.0.1', port };
  const request = { code: CoapCode.GET, options: buildOptions({ uriPath: '/3303/0/5700' }) };

  const obs = await ep.observe(peer, request);
  assert.equal(obs.registered, true);
  assert.equal(str(obs.response.payload), '0');
  const got: string[] = [];
  const loop = (async () => {
    for await (const n of obs) got.push(str(n.payload));
  })();
  for (const v of ['1', '2', '3']) {
    streams[0]!.res.write(v);
    await wait(30);
  }
  const cancel = await obs.cancel();
  assert.equal(str(cancel!.payload), 'plain', 'the Observe=1 request is answered without Observe');
  await loop;
  assert.deepEqual(got, ['1', '2', '3']);

  const obs2 = await ep.observe(peer, request);
  obs2.forget();
  streams[1]!.res.write('after forget');
  await wait(100);
  assert.equal(streams[1]!.finished, true, 'node-coap ended the stream after our RST');
  assert.ok(ep.counters.resetsSent >= 1);
});

test('our client -> node-coap server: Block2 and Block1 of 100 KiB', async (t) => {
  const download = Buffer.alloc(KiB100, 0).map((_, i) => (i * 7) & 0xff);
  let uploaded: Buffer | undefined;
  const { port } = await theirServer(t, (req, res) => {
    if (req.method === 'PUT') {
      uploaded = req.payload;
      res.code = '2.04';
      res.end();
      return;
    }
    res.end(download);
  });
  const { ep } = await ours(t);
  const peer = { address: '127.0.0.1', port };
  const get = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: 'big' }) });
  assert.equal(get.payload.length, KiB100);
  assert.deepEqual(Buffer.from(get.payload), download);
  const upload = new Uint8Array(KiB100).map((_, i) => (i * 13) & 0xff);
  const put = await ep.request(peer, { code: CoapCode.PUT, options: buildOptions({ uriPath: 'fw' }), payload: upload });
  assert.equal(put.code, CoapCode.CHANGED);
  assert.deepEqual(new Uint8Array(uploaded!), upload);
});

test('our client -> node-coap server: retransmission under loss, duplicates handled once', async (t) => {
  let calls = 0;
  const { port } = await theirServer(t, (_req, res) => {
    calls++;
    res.end(`call ${calls}`);
  });
  const { ep } = await ours(t, {}, { dropOutgoing: (_d, _p, i) => i < 2 });
  const res = await ep.request({ address: '127.0.0.1', port }, { code: CoapCode.GET, options: buildOptions({ uriPath: 'lossy' }) });
  assert.equal(str(res.payload), 'call 1');
  assert.equal(ep.counters.retransmissions, 2);
  const { ep: dup } = await ours(t, {}, { duplicateOutgoing: () => true });
  const r2 = await dup.request({ address: '127.0.0.1', port }, { code: CoapCode.GET, options: buildOptions({ uriPath: 'dup' }) });
  assert.equal(str(r2.payload), 'call 2');
  await wait(100);
  assert.equal(calls, 2, 'node-coap answered the duplicate from its cache');
});

// --- node-coap client, our server ------------------------------------------------------------

test('node-coap client -> our server: CON, NON and separate responses', async (t) => {
  const { ep } = await ours(t, { separateResponseDelay: 20 });
  ep.onRequest(async (r) => {
    if (r.path[0] === 'slow') await wait(200);
    return { code: r.method === CoapCode.GET ? CoapCode.CONTENT : CoapCode.CHANGED, options: buildOptions({ contentFormat: 0 }), payload: text(`${r.path.join('/')}:${str(r.payload)}`) };
  });
  const port = ep.local.port;
  const get = await theirRequest({ port, pathname: '/3/0/0' });
  assert.equal(get.code, '2.05');
  assert.equal(get.payload.toString(), '3/0/0:');
  const put = await theirRequest({ port, pathname: '/x', method: 'PUT' }, text('v'));
  assert.equal(put.code, '2.04');
  assert.equal(put.payload.toString(), 'x:v');
  const non = await theirRequest({ port, pathname: '/n', method: 'POST', confirmable: false }, text('q'));
  assert.equal(non.payload.toString(), 'n:q');
  const slow = await theirRequest({ port, pathname: '/slow' });
  assert.equal(slow.payload.toString(), 'slow:');
  assert.equal(ep.counters.separateResponses, 1);
  await wait(150);
  assert.equal(ep.counters.retransmissions, 0, 'node-coap acknowledged the CON separate response');
});

test('node-coap client -> our server: Observe, passive and proactive cancel', async (t) => {
  const { ep } = await ours(t);
  const observations: ServerObservation[] = [];
  ep.onRequest((r) => {
    if (r.observe === 0) observations.push(r.acceptObservation());
    return { code: CoapCode.CONTENT, payload: text('v0') };
  });
  const port = ep.local.port;
  // node-coap closes an agent's own socket when its last observation closes, before sending the
  // deregistration; an agent on a socket we own stays usable for it.
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const agent = new coap.Agent({ socket });
  t.after(() => {
    agent.close();
    socket.close();
  });
  const open = () =>
    new Promise<coap.ObserveReadStream>((resolve, reject) => {
      const req = coap.request({ host: '127.0.0.1', port, pathname: '/3303/0/5700', observe: true, agent });
      req.on('response', (res: coap.ObserveReadStream) => resolve(res));
      req.on('error', reject);
      req.end();
    });
  const stream = await open();
  const got: string[] = [];
  stream.on('data', (d: Buffer) => got.push(d.toString()));
  const so = observations[0]!;
  for (const v of ['v1', 'v2']) {
    assert.equal(await so.notify({ code: CoapCode.CONTENT, payload: text(v) }), 'sent');
    await wait(30);
  }
  assert.equal(await so.notify({ code: CoapCode.CONTENT, payload: text('v3') }, { confirmable: true }), 'acknowledged');
  await wait(30);
  assert.deepEqual(got, ['v0', 'v1', 'v2', 'v3']);
  stream.close(true); // proactive: GET with Observe=1 and the same token
  await wait(200);
  assert.equal(so.reason, 'deregistered');

  const stream2 = await open();
  stream2.on('data', () => undefined);
  const so2 = observations[1]!;
  stream2.close(); // passive: node-coap forgets the token and rejects the next notification
  const outcome = await so2.notify({ code: CoapCode.CONTENT, payload: text('after close') }, { confirmable: true });
  assert.equal(outcome, 'reset');
  assert.equal(so2.reason, 'reset');
  assert.equal(ep.observations.length, 0);
});

test('node-coap client -> our server: Block2 and Block1 of 100 KiB', async (t) => {
  const { ep } = await ours(t);
  const download = new Uint8Array(KiB100).map((_, i) => (i * 3) & 0xff);
  let uploaded: Uint8Array | undefined;
  ep.onRequest((r) => {
    if (r.method === CoapCode.PUT) {
      uploaded = r.payload;
      return { code: CoapCode.CHANGED };
    }
    return { code: CoapCode.CONTENT, payload: download };
  });
  const port = ep.local.port;
  const get = await theirRequest({ port, pathname: '/big' });
  assert.equal(get.payload.length, KiB100);
  assert.deepEqual(new Uint8Array(get.payload), download);
  const upload = new Uint8Array(KiB100).map((_, i) => (i * 5) & 0xff);
  const put = await theirRequest({ port, pathname: '/fw', method: 'PUT' }, upload, (req) => req.setOption('Block1', Buffer.of(0x06)));
  assert.equal(put.code, '2.04');
  assert.deepEqual(uploaded, upload);
});

test('node-coap client -> our server: a lost ACK and duplicated requests reach the handler once', async (t) => {
  let calls = 0;
  const { ep, transport } = await ours(t);
  ep.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, payload: text(`call ${calls}`) };
  });
  // Our first ACK is lost: node-coap retransmits, our dedup answers from the cache.
  transport.dropNext('outgoing', 1);
  const res = await theirRequest({ port: ep.local.port, pathname: '/once' });
  assert.equal(res.payload.toString(), 'call 1');
  assert.equal(calls, 1);
  assert.equal(ep.counters.duplicates, 1);
  // Every datagram from node-coap arrives twice.
  transport.options = { duplicateIncoming: () => true };
  const res2 = await theirRequest({ port: ep.local.port, pathname: '/twice', method: 'POST' }, text('p'));
  assert.equal(res2.payload.toString(), 'call 2');
  assert.equal(calls, 2);
  assert.equal(ep.counters.duplicates, 2);
});
