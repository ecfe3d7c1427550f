/** Server role on fake time: option checks, handler errors, request fields, Block1/Block2 both roles (RFC 7252 5, RFC 7959). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/util/clock.ts';
import { LwM2mStatusError } from '../../src/errors.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import type { IncomingRequest } from '../../src/coap/incoming.ts';
import type { RequestHandler } from '../../src/coap/server-role.ts';
import { CoapCode, CoapOption, CoapType, type CoapMessage } from '../../src/coap/message.ts';
import { block1, block2, blockSize, buildOptions, encodeBlock, etag, getOption, size1, size2, uintOption } from '../../src/coap/options.ts';
import { MemoryNetwork, counterRandom, fromHex, msg, str, text } from './_helpers.ts';

function setup(serverOptions: CoapEndpointOptions = {}, clientOptions: CoapEndpointOptions = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const tc = net.transport();
  const ts = net.transport();
  const client = new CoapEndpoint(tc, { clock, random: counterRandom(), ...clientOptions });
  const server = new CoapEndpoint(ts, { clock, random: counterRandom(), ...serverOptions });
  const errors: Error[] = [];
  server.on('error', (e) => errors.push(e));
  /** Runs a request to completion on fake time. */
  const run = async (p: Promise<unknown>): Promise<void> => {
    const state = { done: false };
    void p.then(
      () => (state.done = true),
      () => (state.done = true),
    );
    for (let i = 0; i < 500; i++) {
      await clock.tick(0);
      if (state.done) return;
    }
    throw new Error('request did not settle');
  };
  return { clock, net, tc, ts, client, server, errors, run };
}

const from = { address: '127.0.0.1', port: 6000 };

async function answer(s: ReturnType<typeof setup>, m: CoapMessage): Promise<CoapMessage> {
  const before = s.ts.sent.length;
  s.ts.inject(m, from);
  await s.clock.tick(0);
  assert.equal(s.ts.sent.length, before + 1, 'exactly one answer');
  return s.ts.sent.at(-1)!.msg;
}

test('unknown critical options get 4.02 (RST for NON), unknown elective ones are ignored, Proxy-Uri gets 5.05 (RFC 7252 5.4.1, 5.10.2)', async () => {
  const s = setup();
  let calls = 0;
  s.server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT };
  });
  const critical = await answer(s, msg({ code: CoapCode.GET, messageId: 1, token: fromHex('01'), options: [{ number: 2049, value: new Uint8Array(0) }] }));
  assert.equal(critical.type, CoapType.ACK);
  assert.equal(critical.code, CoapCode.BAD_OPTION);
  assert.equal(critical.messageId, 1);
  assert.equal((await answer(s, msg({ code: CoapCode.GET, messageId: 2, options: [{ number: CoapOption.OSCORE, value: new Uint8Array(0) }] }))).code, CoapCode.BAD_OPTION);
  assert.equal((await answer(s, msg({ code: CoapCode.GET, messageId: 3, options: [{ number: 2048, value: new Uint8Array(1) }] }))).code, CoapCode.CONTENT);
  const proxy = await answer(s, msg({ code: CoapCode.GET, messageId: 4, options: buildOptions({ proxyUri: 'coap://example.com/x' }) }));
  assert.equal(proxy.code, CoapCode.PROXYING_NOT_SUPPORTED);
  const nonBad = await answer(s, msg({ type: CoapType.NON, code: CoapCode.GET, messageId: 5, options: [{ number: 2049, value: new Uint8Array(0) }] }));
  assert.equal(nonBad.type, CoapType.RST, 'a NON request with an unknown critical option is rejected');
  assert.equal(nonBad.messageId, 5);
  assert.equal(calls, 1);
  await s.server.close();
});

test('handler exceptions answer 5.00 and emit error; status errors choose the code; bad responses are 5.00', async () => {
  const s = setup();
  const handlers: RequestHandler[] = [
    () => {
      throw new Error('boom');
    },
    () => Promise.reject(new Error('async boom')),
    () => {
      throw new LwM2mStatusError(CoapCode.BAD_REQUEST, 'value out of range');
    },
    () => ({ code: 1 }),
  ];
  let i = 0;
  s.server.onRequest((r) => handlers[i++]!(r));
  assert.equal((await answer(s, msg({ code: CoapCode.PUT, messageId: 10 }))).code, CoapCode.INTERNAL_SERVER_ERROR);
  assert.equal((await answer(s, msg({ code: CoapCode.PUT, messageId: 11 }))).code, CoapCode.INTERNAL_SERVER_ERROR);
  const status = await answer(s, msg({ code: CoapCode.PUT, messageId: 12 }));
  assert.equal(status.code, CoapCode.BAD_REQUEST);
  assert.equal(str(status.payload), 'value out of range');
  assert.equal((await answer(s, msg({ code: CoapCode.PUT, messageId: 13 }))).code, CoapCode.INTERNAL_SERVER_ERROR);
  assert.deepEqual(
    s.errors.map((e) => e.message),
    ['boom', 'async boom', 'request handler returned an invalid response'],
  );
  assert.equal(s.server.counters.handlerErrors, 3);
  await s.server.close();
});

test('without a handler requests get 4.04; bad UTF-8 in Uri-Path gets 4.00; SZX 7 gets 4.00', async () => {
  const s = setup();
  assert.equal((await answer(s, msg({ code: CoapCode.GET, messageId: 20 }))).code, CoapCode.NOT_FOUND);
  s.server.onRequest(() => ({ code: CoapCode.CONTENT }));
  assert.equal((await answer(s, msg({ code: CoapCode.GET, messageId: 21, options: [{ number: CoapOption.URI_PATH, value: Uint8Array.of(0xc3, 0x28) }] }))).code, CoapCode.BAD_REQUEST);
  assert.equal((await answer(s, msg({ code: CoapCode.GET, messageId: 22, options: [{ number: CoapOption.BLOCK2, value: Uint8Array.of(0x07) }] }))).code, CoapCode.BAD_REQUEST);
  await s.server.close();
});

test('the request object exposes what the handler needs', async () => {
  const s = setup();
  let seen: IncomingRequest | undefined;
  s.server.onRequest((r) => {
    seen = r;
    return { code: CoapCode.CHANGED };
  });
  const options = buildOptions({ uriPath: '/rd/ab12', uriQuery: 'lt=60&b=U', contentFormat: 40, accept: 11542 });
  await answer(s, msg({ type: CoapType.NON, code: CoapCode.POST, messageId: 30, token: fromHex('a1b2'), options, payload: text('</1/0>') }));
  assert.ok(seen);
  assert.equal(seen.method, CoapCode.POST);
  assert.equal(seen.confirmable, false);
  assert.deepEqual(seen.path, ['rd', 'ab12']);
  assert.deepEqual(seen.query, ['lt=60', 'b=U']);
  assert.equal(seen.contentFormat, 40);
  assert.equal(seen.accept, 11542);
  assert.equal(seen.observe, undefined);
  assert.equal(str(seen.payload), '</1/0>');
  assert.equal(Buffer.from(seen.token).toString('hex'), 'a1b2');
  assert.deepEqual(seen.peer, from);
  assert.deepEqual(seen.channel, { secure: false });
  assert.equal(seen.signal.aborted, false);
  await s.server.close();
  assert.equal(seen.signal.aborted, true);
});

test('a request signal first read after the endpoint closed is aborted too', async () => {
  const s = setup();
  let seen: IncomingRequest | undefined;
  s.server.onRequest((r) => {
    seen = r;
    return new Promise(() => undefined); // never answers
  });
  s.ts.inject(msg({ code: CoapCode.GET, messageId: 31, options: buildOptions({ uriPath: '/slow' }) }), from);
  await s.clock.tick(0);
  assert.ok(seen);
  await s.server.close();
  assert.equal(seen.signal.aborted, true);
  assert.equal((seen.signal.reason as Error).name, 'AbortedError');
});

test('Block1 upload: blocks are reassembled and the handler sees the whole body once (RFC 7959 2.5)', async () => {
  const s = setup();
  const bodies: Uint8Array[] = [];
  s.server.onRequest((r) => {
    bodies.push(r.payload);
    return { code: CoapCode.CHANGED };
  });
  const body = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
  const p = s.client.request(s.server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0', contentFormat: 42 }), payload: body });
  await s.run(p);
  const res = await p;
  assert.equal(res.code, CoapCode.CHANGED);
  assert.deepEqual(block1(res.options), { num: 2, more: false, szx: 6 });
  assert.equal(bodies.length, 1);
  assert.deepEqual(bodies[0], body);
  const requests = s.tc.messages((m) => m.code === CoapCode.PUT);
  assert.deepEqual(
    requests.map((m) => [block1(m.options)?.num, block1(m.options)?.more, m.payload.length]),
    [
      [0, true, 1024],
      [1, true, 1024],
      [2, false, 952],
    ],
  );
  assert.equal(size1(requests[0]!.options), 3000, 'Size1 announces the total');
  assert.deepEqual(
    s.ts.messages().map((m) => m.code),
    [CoapCode.CONTINUE, CoapCode.CONTINUE, CoapCode.CHANGED],
  );
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block1 negotiation: the server asks for smaller blocks and the client follows (RFC 7959 Figure 9)', async () => {
  const s = setup({ preferredBlockSize: 256 });
  let got = 0;
  s.server.onRequest((r) => {
    got = r.payload.length;
    return { code: CoapCode.CHANGED };
  });
  const p = s.client.request(s.server.local, { code: CoapCode.POST, options: buildOptions({ uriPath: 'up' }), payload: new Uint8Array(2000).fill(1) });
  await s.run(p);
  assert.equal((await p).code, CoapCode.CHANGED);
  assert.equal(got, 2000);
  const blocks = s.tc.messages((m) => m.code === CoapCode.POST).map((m) => block1(m.options)!);
  assert.deepEqual(blocks[0], { num: 0, more: true, szx: 6 });
  assert.deepEqual(blocks[1], { num: 4, more: true, szx: 4 }, 'block 4 of 256 bytes follows the first 1024 bytes');
  assert.equal(blocks.length, 1 + Math.ceil((2000 - 1024) / 256));
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block1 errors: 4.08 for missing blocks and gaps, 4.13 with Size1 when too big, 4.00 for a short block', async () => {
  const s = setup({ maxReassemblySize: 2048 });
  s.server.onRequest(() => ({ code: CoapCode.CHANGED }));
  const put = (mid: number, b: { num: number; more: boolean; szx: number }, payload: Uint8Array, extra: object = {}) =>
    msg({ code: CoapCode.PUT, messageId: mid, options: buildOptions({ uriPath: 'fw', block1: b, ...extra }), payload });
  const k = new Uint8Array(1024);
  assert.equal((await answer(s, put(40, { num: 1, more: true, szx: 6 }, k))).code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
  assert.equal((await answer(s, put(41, { num: 0, more: true, szx: 6 }, k))).code, CoapCode.CONTINUE);
  assert.equal((await answer(s, put(42, { num: 2, more: true, szx: 6 }, k))).code, CoapCode.REQUEST_ENTITY_INCOMPLETE, 'gap');
  assert.equal((await answer(s, put(43, { num: 1, more: true, szx: 6 }, k))).code, CoapCode.REQUEST_ENTITY_INCOMPLETE, 'state was dropped');
  const tooBig = await answer(s, put(44, { num: 0, more: true, szx: 6 }, k, { size1: 5000 }));
  assert.equal(tooBig.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  assert.equal(size1(tooBig.options), 2048);
  assert.equal((await answer(s, put(45, { num: 0, more: true, szx: 6 }, k))).code, CoapCode.CONTINUE);
  assert.equal((await answer(s, put(46, { num: 1, more: true, szx: 6 }, k))).code, CoapCode.CONTINUE);
  const grown = await answer(s, put(47, { num: 2, more: false, szx: 6 }, new Uint8Array(10)));
  assert.equal(grown.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  assert.equal(size1(grown.options), 2048);
  assert.equal((await answer(s, put(48, { num: 0, more: true, szx: 6 }, new Uint8Array(100)))).code, CoapCode.BAD_REQUEST);
  await s.server.close();
});

test('Block1 streaming: the selected transfer reaches the handler block by block with offset and total size', async () => {
  const seen: { offset: number; more: boolean; total: number | undefined; len: number }[] = [];
  const s = setup({ block1Stream: (r) => r.path.join('/') === '5/0/0' });
  s.server.onRequest((r) => {
    if (r.block1 === undefined) return { code: CoapCode.BAD_REQUEST };
    seen.push({ offset: r.block1.offset, more: r.block1.more, total: r.block1.totalSize, len: r.payload.length });
    return { code: CoapCode.CHANGED };
  });
  const image = new Uint8Array(10_000).fill(9);
  const p = s.client.request(s.server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0' }), payload: image });
  await s.run(p);
  assert.equal((await p).code, CoapCode.CHANGED);
  assert.equal(seen.length, 10);
  assert.deepEqual(seen[0], { offset: 0, more: true, total: 10_000, len: 1024 });
  assert.deepEqual(seen[9], { offset: 9216, more: false, total: 10_000, len: 784 });
  assert.ok(seen.every((b, i) => b.offset === i * 1024));
  assert.deepEqual(
    s.ts.messages().map((m) => m.code).slice(0, 2),
    [CoapCode.CONTINUE, CoapCode.CONTINUE],
  );
  // Out of order: 4.08.
  const gap = await answer(s, msg({ code: CoapCode.PUT, messageId: 99, options: buildOptions({ uriPath: '/5/0/0', block1: { num: 0, more: true, szx: 6 } }), payload: new Uint8Array(1024) }));
  assert.equal(gap.code, CoapCode.CONTINUE);
  const gap2 = await answer(s, msg({ code: CoapCode.PUT, messageId: 100, options: buildOptions({ uriPath: '/5/0/0', block1: { num: 3, more: true, szx: 6 } }), payload: new Uint8Array(1024) }));
  assert.equal(gap2.code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
  // A handler error ends the transfer with that code.
  s.server.onRequest(() => ({ code: CoapCode.INTERNAL_SERVER_ERROR }));
  const err = await answer(s, msg({ code: CoapCode.PUT, messageId: 101, options: buildOptions({ uriPath: '/5/0/0', block1: { num: 0, more: true, szx: 6 } }), payload: new Uint8Array(1024) }));
  assert.equal(err.code, CoapCode.INTERNAL_SERVER_ERROR);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block1 streaming is not bound by maxReassemblySize: 9 MiB streams through; 9 MiB to be reassembled gets 4.13 with Size1', async () => {
  const s = setup({ block1Stream: (r) => r.path.join('/') === '5/0/0' });
  const MiB = 1024 * 1024;
  let received = 0;
  let announced: number | undefined;
  let wholeCalls = 0;
  s.server.onRequest((r) => {
    if (r.block1 === undefined) {
      wholeCalls++;
      return { code: CoapCode.CHANGED };
    }
    if (r.block1.offset !== received) return { code: CoapCode.REQUEST_ENTITY_INCOMPLETE };
    announced ??= r.block1.totalSize;
    received += r.payload.length;
    return { code: CoapCode.CHANGED };
  });
  const image = new Uint8Array(9 * MiB);
  const streamed = s.client.request(s.server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0' }), payload: image });
  await s.run(streamed);
  const res = await streamed;
  assert.equal(res.code, CoapCode.CHANGED);
  assert.equal(received, 9 * MiB, 'every byte reached the handler');
  assert.equal(announced, 9 * MiB, 'the handler saw Size1 to decide itself');
  assert.equal(s.ts.messages((m) => m.code === CoapCode.REQUEST_ENTITY_TOO_LARGE).length, 0);

  const whole = s.client.request(s.server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/1' }), payload: image });
  await s.run(whole);
  const refused = await whole;
  assert.equal(refused.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  assert.equal(size1(refused.options), 8 * MiB, 'Size1 tells the largest body the server takes');
  assert.equal(wholeCalls, 0);
  const pathOf = (m: CoapMessage): string => m.options.filter((o) => o.number === CoapOption.URI_PATH).map((o) => str(o.value)).join('/');
  const refusedPuts = s.tc.messages((m) => m.code === CoapCode.PUT && pathOf(m) === '5/0/1');
  assert.equal(refusedPuts.length, 1, 'the client stops after the refused first block');
  assert.deepEqual(block1(refusedPuts[0]!.options), { num: 0, more: true, szx: 6 });
  assert.equal(size1(refusedPuts[0]!.options), 9 * MiB);
  assert.deepEqual(s.errors, []);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block2: large responses are sliced with ETag and Size2, later blocks come from the cache; the client reassembles', async () => {
  const s = setup();
  let calls = 0;
  const body = new Uint8Array(5000).map((_, i) => i & 0xff);
  s.server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: 42 }), payload: body };
  });
  const p = s.client.request(s.server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'big' }) });
  await s.run(p);
  const res = await p;
  assert.deepEqual(res.payload, body);
  assert.equal(getOption(res.options, CoapOption.BLOCK2), undefined, 'the assembled response has no Block2');
  assert.equal(getOption(res.options, CoapOption.CONTENT_FORMAT)?.[0], 42);
  assert.equal(calls, 1, 'later blocks do not re-run the handler');
  const responses = s.ts.messages();
  assert.equal(responses.length, 5);
  assert.equal(size2(responses[0]!.options), 5000);
  const tags = new Set(responses.map((m) => Buffer.from(etag(m.options)!).toString('hex')));
  assert.equal(tags.size, 1);
  assert.deepEqual(
    responses.map((m) => [block2(m.options)!.num, block2(m.options)!.more]),
    [
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ],
  );
  await Promise.all([s.client.close(), s.server.close()]);
});

test('one Block2 block by number (RequestOptions.block2, or a Block2 option with num > 0): that block as it came, not reassembled', async () => {
  const s = setup();
  let calls = 0;
  const body = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
  s.server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: 42 }), payload: body };
  });
  const get = async (num: number, szx: number, extra: Parameters<typeof buildOptions>[0] = {}) => {
    const p = s.client.request(s.server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'img', ...extra }) }, { block2: { num, szx } });
    await s.run(p);
    return p;
  };
  const first = await get(0, 6, { size2: 0 });
  assert.deepEqual(block2(first.options), { num: 0, more: true, szx: 6 });
  assert.deepEqual(first.payload, body.subarray(0, 1024), 'block 0 alone, the rest not fetched');
  assert.equal(size2(first.options), 5000);
  const tag = Buffer.from(etag(first.options)!).toString('hex');
  assert.equal(s.tc.messages((m) => m.code === CoapCode.GET).length, 1);

  const third = await get(3, 6);
  assert.deepEqual(block2(third.options), { num: 3, more: true, szx: 6 });
  assert.deepEqual(third.payload, body.subarray(3072, 4096));
  assert.equal(Buffer.from(etag(third.options)!).toString('hex'), tag, 'served from the same representation');
  const last = await get(4, 6);
  assert.deepEqual(block2(last.options), { num: 4, more: false, szx: 6 });
  assert.deepEqual(last.payload, body.subarray(4096));
  const small = await get(5, 4);
  assert.deepEqual(block2(small.options), { num: 5, more: true, szx: 4 });
  assert.deepEqual(small.payload, body.subarray(1280, 1536));

  // The same through an explicit Block2 option (it used to throw "response starts at block 2").
  const p = s.client.request(s.server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'img', block2: { num: 2, more: false, szx: 6 } }) });
  await s.run(p);
  const explicit = await p;
  assert.deepEqual(block2(explicit.options), { num: 2, more: true, szx: 6 });
  assert.deepEqual(explicit.payload, body.subarray(2048, 3072));

  // Every request was one exchange; the handler ran once (later blocks came from the cache).
  assert.equal(s.tc.messages((m) => m.code === CoapCode.GET).length, 5);
  assert.equal(calls, 1);

  // A small body: the whole representation, without Block2.
  s.server.onRequest(() => ({ code: CoapCode.CONTENT, payload: text('tiny') }));
  const whole = await get(0, 6, { uriPath: 'tiny' });
  assert.equal(block2(whole.options), undefined);
  assert.equal(str(whole.payload), 'tiny');

  await assert.rejects(s.client.request(s.server.local, { code: CoapCode.GET }, { block2: { num: -1, szx: 6 } }), RangeError);
  await assert.rejects(s.client.request(s.server.local, { code: CoapCode.GET }, { block2: { num: 1, szx: 7 } }), RangeError);
  await assert.rejects(s.client.request(s.server.local, { code: CoapCode.FETCH, payload: new Uint8Array(2000) }, { block2: { num: 1, szx: 6 } }), RangeError);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block2 early negotiation and late negotiation by the client (RFC 7959 Figures 3 and 4)', async () => {
  const s = setup();
  const body = new Uint8Array(300).fill(5);
  s.server.onRequest(() => ({ code: CoapCode.CONTENT, payload: body }));
  const p = s.client.request(s.server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'status' }) }, { blockSize: 64 });
  await s.run(p);
  assert.deepEqual((await p).payload, body);
  assert.deepEqual(
    s.ts.messages().map((m) => [block2(m.options)!.num, blockSize(block2(m.options)!.szx)]),
    [
      [0, 64],
      [1, 64],
      [2, 64],
      [3, 64],
      [4, 64],
    ],
  );
  // Late negotiation: after a 1024-byte first block, ask for 256-byte block 4 (offset 1024).
  const big = new Uint8Array(2000).fill(3);
  s.server.onRequest(() => ({ code: CoapCode.CONTENT, payload: big }));
  const first = await answer(s, msg({ code: CoapCode.GET, messageId: 70, options: buildOptions({ uriPath: 'late' }) }));
  assert.deepEqual(block2(first.options), { num: 0, more: true, szx: 6 });
  const late = await answer(s, msg({ code: CoapCode.GET, messageId: 71, options: buildOptions({ uriPath: 'late', block2: { num: 4, more: false, szx: 4 } }) }));
  assert.deepEqual(block2(late.options), { num: 4, more: true, szx: 4 });
  assert.equal(late.payload.length, 256);
  const beyond = await answer(s, msg({ code: CoapCode.GET, messageId: 72, options: buildOptions({ uriPath: 'late', block2: { num: 40, more: false, szx: 4 } }) }));
  assert.equal(beyond.code, CoapCode.BAD_OPTION);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('Block2 without cached state: GET re-runs the handler; POST answers 4.08', async () => {
  const s = setup();
  let calls = 0;
  s.server.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, payload: new Uint8Array(2000).fill(calls) };
  });
  const get = await answer(s, msg({ code: CoapCode.GET, messageId: 80, options: buildOptions({ uriPath: 'x', block2: { num: 1, more: false, szx: 6 } }) }));
  assert.equal(get.code, CoapCode.CONTENT);
  assert.deepEqual(block2(get.options), { num: 1, more: false, szx: 6 });
  assert.equal(calls, 1);
  const post = await answer(s, msg({ code: CoapCode.POST, messageId: 81, options: buildOptions({ uriPath: 'x', block2: { num: 1, more: false, szx: 6 } }) }));
  assert.equal(post.code, CoapCode.REQUEST_ENTITY_INCOMPLETE);
  assert.equal(calls, 1);
  await s.server.close();
});

test('client restarts a Block2 transfer when the ETag changes (RFC 7959 2.4)', async () => {
  const s = setup();
  const peer = { address: '127.0.0.1', port: 6100 };
  const p = s.client.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: 'changing' }) }, { blockSize: 16 });
  const replyTo = async (m: CoapMessage, tag: string, num: number, more: boolean, fillByte: number): Promise<void> => {
    s.tc.inject(
      msg({
        type: CoapType.ACK,
        code: CoapCode.CONTENT,
        messageId: m.messageId,
        token: m.token,
        options: buildOptions({ etag: fromHex(tag), block2: { num, more, szx: 0 } }),
        payload: new Uint8Array(more ? 16 : 4).fill(fillByte),
      }),
      peer,
    );
    await s.clock.tick(0);
  };
  await s.clock.tick(0);
  await replyTo(s.tc.sent.at(-1)!.msg, 'aa', 0, true, 1);
  await replyTo(s.tc.sent.at(-1)!.msg, 'bb', 1, true, 2); // changed: restart
  const restart = s.tc.sent.at(-1)!.msg;
  assert.equal(block2(restart.options)!.num, 0);
  await replyTo(restart, 'bb', 0, true, 2);
  await replyTo(s.tc.sent.at(-1)!.msg, 'bb', 1, false, 2);
  const res = await p;
  assert.equal(res.payload.length, 20);
  assert.ok(res.payload.every((b) => b === 2));
  await s.client.close();
});

test('Block1 and Block2 together: a big POST with a big response (RFC 7959 Figure 10)', async () => {
  const s = setup();
  s.server.onRequest((r) => ({ code: CoapCode.CHANGED, payload: r.payload.slice().reverse() }));
  const body = new Uint8Array(4000).map((_, i) => i % 251);
  const p = s.client.request(s.server.local, { code: CoapCode.POST, options: buildOptions({ uriPath: 'soap' }), payload: body });
  await s.run(p);
  const res = await p;
  assert.equal(res.code, CoapCode.CHANGED);
  assert.deepEqual(res.payload, body.slice().reverse());
  const followUps = s.tc.messages((m) => block2(m.options) !== undefined);
  assert.ok(followUps.length >= 3);
  assert.ok(followUps.every((m) => m.payload.length === 0 && block1(m.options) === undefined), 'no payload and no Block1 when fetching Block2');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('a 4.13 to a plain request makes the client retry with Block1 of the hinted size (RFC 7959 2.9.3)', async () => {
  const s = setup();
  const peer = { address: '127.0.0.1', port: 6200 };
  const p = s.client.request(peer, { code: CoapCode.PUT, options: buildOptions({ uriPath: 'r' }), payload: new Uint8Array(200) });
  await s.clock.tick(0);
  const first = s.tc.sent.at(-1)!.msg;
  assert.equal(block1(first.options), undefined);
  s.tc.inject(
    msg({ type: CoapType.ACK, code: CoapCode.REQUEST_ENTITY_TOO_LARGE, messageId: first.messageId, token: first.token, options: [uintOption(CoapOption.BLOCK1, 0x02), uintOption(CoapOption.SIZE1, 1000)] }),
    peer,
  );
  await s.clock.tick(0);
  const retry = s.tc.sent.at(-1)!.msg;
  assert.deepEqual(block1(retry.options), { num: 0, more: true, szx: 2 });
  assert.equal(retry.payload.length, 64);
  await s.client.close();
  await assert.rejects(p);
});

test('responses with an unsupported critical option are rejected (RST for CON, ignored for NON)', async () => {
  const s = setup();
  const peer = { address: '127.0.0.1', port: 6300 };
  const p = s.client.request(peer, { code: CoapCode.GET });
  await s.clock.tick(0);
  const req = s.tc.sent.at(-1)!.msg;
  s.tc.inject(msg({ type: CoapType.CON, code: CoapCode.CONTENT, messageId: 0x999, token: req.token, options: [{ number: 2049, value: new Uint8Array(0) }] }), peer);
  await s.clock.tick(0);
  assert.equal(s.tc.sent.at(-1)!.msg.type, CoapType.RST);
  s.tc.inject(msg({ type: CoapType.NON, code: CoapCode.CONTENT, messageId: 0x99a, token: req.token, options: [{ number: 2049, value: new Uint8Array(0) }] }), peer);
  await s.clock.tick(0);
  assert.equal(s.tc.sent.at(-1)!.msg.messageId, 0x999, 'no answer to the NON one');
  s.tc.inject(msg({ type: CoapType.ACK, code: CoapCode.CONTENT, messageId: req.messageId, token: req.token, payload: text('ok') }), peer);
  assert.equal(str((await p).payload), 'ok');
  await s.client.close();
});

test('block2 request option encoding helper stays consistent with the endpoint', () => {
  assert.equal(Buffer.from(encodeBlock({ num: 1, more: false, szx: 6 })).toString('hex'), '16');
});
