/** Message layer on fake time: retransmission schedule, dedup, NSTART, RST rules (RFC 7252 4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/util/clock.ts';
import { AbortedError, RequestRejectedError, TimeoutError } from '../../src/errors.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { MemoryNetwork, counterRandom, fromHex, msg, text, type MemoryTransport } from './_helpers.ts';

function setup(options: CoapEndpointOptions = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ta = net.transport();
  const tb = net.transport();
  const a = new CoapEndpoint(ta, { clock, random: counterRandom(), ...options });
  const b = new CoapEndpoint(tb, { clock, random: counterRandom(), ...options });
  return { clock, net, ta, tb, a, b };
}

const GET = { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/0' }) };
const nowhere = { address: '127.0.0.1', port: 9 };

function track<T>(p: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let done = false;
  const result = p.finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  return { settled: () => done, result };
}

test('CON retransmission schedule: 2, 4, 8, 16 s, then TimeoutError at MAX_TRANSMIT_WAIT span (RFC 7252 4.2)', async () => {
  const { clock, ta, a } = setup();
  const p = track(a.request(nowhere, GET));
  await clock.tick(61_999);
  assert.deepEqual(
    ta.sent.map((s) => s.at),
    [0, 2000, 6000, 14000, 30000],
  );
  assert.ok(new Set(ta.sent.map((s) => s.msg.messageId)).size === 1, 'retransmissions keep the message ID');
  assert.equal(p.settled(), false);
  await clock.tick(1);
  await assert.rejects(p.result, TimeoutError);
  assert.equal(a.counters.retransmissions, 4);
  assert.equal(a.counters.transmitTimeouts, 1);
  await a.close();
});

test('the initial timeout is random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]; the worst case gives up at MAX_TRANSMIT_WAIT', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const t = net.transport();
  const ep = new CoapEndpoint(t, { clock, random: (b) => b.fill(0xff) });
  assert.equal(ep.params.maxTransmitWait, 93_000);
  const p = track(ep.request(nowhere, GET));
  await clock.tick(92_990);
  const times = t.sent.map((s) => Math.round(s.at));
  assert.deepEqual(times, [0, 3000, 9000, 21000, 45000]);
  assert.equal(p.settled(), false);
  await clock.tick(10);
  await assert.rejects(p.result, TimeoutError);
  await ep.close();
});

test('transmission parameters are per endpoint, not global', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const fast = net.transport();
  const slow = net.transport();
  const a = new CoapEndpoint(fast, { clock, random: counterRandom(), params: { ackTimeout: 500, maxRetransmit: 2 } });
  const b = new CoapEndpoint(slow, { clock, random: counterRandom() });
  const pa = track(a.request(nowhere, GET));
  const pb = track(b.request(nowhere, GET));
  await clock.tick(3500);
  assert.deepEqual(
    fast.sent.map((s) => s.at),
    [0, 500, 1500],
  );
  await assert.rejects(pa.result, TimeoutError);
  assert.deepEqual(
    slow.sent.map((s) => s.at),
    [0, 2000],
  );
  assert.equal(pb.settled(), false);
  await a.close();
  await b.close();
  await assert.rejects(pb.result, AbortedError);
});

test('a lost request is retransmitted and answered (RFC 7252 Figure 18)', async () => {
  const { clock, net, a, b, ta } = setup();
  b.onRequest(() => ({ code: CoapCode.CONTENT, payload: text('22.3 C') }));
  let drops = 1;
  net.drop = (m) => m.code === CoapCode.GET && drops-- > 0;
  const p = a.request(b.local, GET);
  await clock.tick(2000);
  const res = await p;
  assert.equal(res.code, CoapCode.CONTENT);
  assert.equal(ta.sent.length, 2);
  assert.equal(ta.sent[1]!.at, 2000);
  await a.close();
  await b.close();
});

test('a lost ACK: the duplicate request gets the cached response, the handler runs once (RFC 7252 4.5, Figure 19)', async () => {
  const { clock, net, a, b, tb } = setup();
  let calls = 0;
  b.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT, payload: text(`call ${calls}`) };
  });
  let drops = 1;
  net.drop = (m) => m.type === CoapType.ACK && drops-- > 0;
  const p = a.request(b.local, GET);
  await clock.tick(2000);
  const res = await p;
  assert.equal(new TextDecoder().decode(res.payload), 'call 1');
  assert.equal(calls, 1);
  assert.equal(b.counters.duplicates, 1);
  assert.deepEqual(tb.sent[0]!.data, tb.sent[1]!.data, 'the same ACK bytes are sent again');
  await a.close();
  await b.close();
});

test('dedup: duplicates while processing get nothing, then the empty ACK; NON duplicates are dropped; entries expire after EXCHANGE_LIFETIME', async () => {
  const { clock, b, tb } = setup({ separateResponseDelay: 1000 });
  let calls = 0;
  let release: () => void = () => undefined;
  b.onRequest(() => {
    calls++;
    return new Promise((resolve) => {
      release = () => resolve({ code: CoapCode.CHANGED });
    });
  });
  const from = { address: '127.0.0.1', port: 7777 };
  const req = msg({ type: CoapType.CON, code: CoapCode.PUT, messageId: 0x100, token: fromHex('aa') });
  tb.inject(req, from);
  tb.inject(req, from);
  await clock.tick(0);
  assert.equal(tb.sent.length, 0, 'still processing: nothing is sent for the duplicate');
  await clock.tick(1000);
  assert.equal(tb.sent.length, 1);
  assert.equal(tb.sent[0]!.msg.type, CoapType.ACK);
  assert.equal(tb.sent[0]!.msg.code, 0);
  tb.inject(req, from);
  await clock.tick(0);
  assert.equal(tb.sent.length, 2, 'the empty ACK again');
  assert.equal(tb.sent[1]!.msg.code, 0);
  release();
  await clock.tick(0);
  assert.equal(tb.sent.length, 3);
  assert.equal(tb.sent[2]!.msg.type, CoapType.CON, 'separate response');
  assert.equal(tb.sent[2]!.msg.code, CoapCode.CHANGED);
  assert.equal(calls, 1);

  const non = msg({ type: CoapType.NON, code: CoapCode.POST, messageId: 0x200, token: fromHex('bb') });
  b.onRequest(() => {
    calls++;
    return { code: CoapCode.CHANGED };
  });
  tb.inject(non, from);
  tb.inject(non, from);
  await clock.tick(0);
  assert.equal(calls, 2);
  const nonResponses = tb.messages((m) => m.type === CoapType.NON);
  assert.equal(nonResponses.length, 2, 'the cached NON response is sent again for the duplicate');
  assert.deepEqual(nonResponses[0], nonResponses[1]);

  // A new token under a reused message ID is a new request, not a duplicate.
  tb.inject({ ...non, token: fromHex('cc') }, from);
  await clock.tick(0);
  assert.equal(calls, 3);

  await clock.tick(b.params.exchangeLifetime);
  tb.inject(non, from);
  await clock.tick(0);
  assert.equal(calls, 4, 'after EXCHANGE_LIFETIME the message ID is fresh again');
  assert.equal(b.counters.duplicates, 3);
  await b.close();
});

test('the dedup table is bounded', async () => {
  const { clock, b, tb } = setup({ maxDedupEntries: 100 });
  let calls = 0;
  b.onRequest(() => {
    calls++;
    return { code: CoapCode.CONTENT };
  });
  const from = { address: '127.0.0.1', port: 7777 };
  for (let i = 0; i < 300; i++) tb.inject(msg({ type: CoapType.NON, code: CoapCode.GET, messageId: i, token: Uint8Array.of(i & 0xff) }), from);
  await clock.tick(0);
  assert.equal(calls, 300);
  assert.equal(b.counters.dedupEvictions, 200);
  // Message 299 is still remembered; message 0 was evicted.
  tb.inject(msg({ type: CoapType.NON, code: CoapCode.GET, messageId: 299, token: Uint8Array.of(299 & 0xff) }), from);
  tb.inject(msg({ type: CoapType.NON, code: CoapCode.GET, messageId: 0, token: Uint8Array.of(0) }), from);
  await clock.tick(0);
  assert.equal(calls, 301);
  await b.close();
});

test('NSTART 1 per peer: the second request waits for the first; other peers are not blocked (RFC 7252 4.7)', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ta = net.transport();
  const a = new CoapEndpoint(ta, { clock, random: counterRandom() });
  const b = new CoapEndpoint(net.transport(), { clock, random: counterRandom(), separateResponseDelay: 100 });
  const c = new CoapEndpoint(net.transport(), { clock, random: counterRandom() });
  const releases = new Map<string, () => void>();
  b.onRequest(
    (req) =>
      new Promise((resolve) => {
        releases.set(req.path.join('/'), () => {
          resolve({ code: CoapCode.CONTENT, payload: text(req.path.join('/')) });
        });
      }),
  );
  c.onRequest(() => ({ code: CoapCode.CONTENT }));
  const p1 = a.request(b.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'one' }) });
  const p2 = a.request(b.local, { code: CoapCode.GET, options: buildOptions({ uriPath: 'two' }) });
  const p3 = a.request(c.local, GET);
  await clock.tick(0);
  assert.equal((await p3).code, CoapCode.CONTENT, 'another peer is served meanwhile');
  assert.equal(ta.messages((m) => m.code === CoapCode.GET && m.options.length === 1).length, 1, 'only the first request to b is out');
  // The empty ACK ends the outstanding interaction, the second request may go (RFC 7252 4.7).
  await clock.tick(100);
  assert.equal(ta.messages((m) => m.code === CoapCode.GET).length, 3);
  releases.get('one')!();
  await clock.tick(0);
  assert.equal(new TextDecoder().decode((await p1).payload), 'one');
  releases.get('two')!();
  await clock.tick(0);
  assert.equal(new TextDecoder().decode((await p2).payload), 'two');
  await Promise.all([a.close(), b.close(), c.close()]);
});

test('NSTART can be raised per endpoint', async () => {
  const { clock, ta, a } = setup({ params: { nstart: 3 } });
  const ps = [1, 2, 3, 4].map(() => track(a.request(nowhere, GET)));
  await clock.tick(0);
  assert.equal(ta.sent.length, 3);
  await a.close();
  for (const p of ps) await assert.rejects(p.result, AbortedError);
});

test('RST rules: CON ping, malformed CON, reserved codes, unexpected responses; ACK and RST silently ignored when unmatched', async () => {
  const { clock, b, tb } = setup();
  b.onRequest(() => ({ code: CoapCode.CONTENT }));
  const from = { address: '127.0.0.1', port: 7000 };
  const expectRst = async (data: Uint8Array, mid: number): Promise<void> => {
    const before = tb.sent.length;
    tb.deliver(data, from);
    await clock.tick(0);
    assert.equal(tb.sent.length, before + 1, `one answer to ${Buffer.from(data).toString('hex')}`);
    const m = tb.sent.at(-1)!.msg;
    assert.equal(m.type, CoapType.RST);
    assert.equal(m.messageId, mid);
  };
  const expectSilence = async (data: Uint8Array): Promise<void> => {
    const before = tb.sent.length;
    tb.deliver(data, from);
    await clock.tick(0);
    assert.equal(tb.sent.length, before, `no answer to ${Buffer.from(data).toString('hex')}`);
  };
  await expectRst(fromHex('40 00 1234'), 0x1234); // CoAP ping
  await expectRst(fromHex('40 01 1235 ff'), 0x1235); // malformed CON: marker without payload
  await expectRst(fromHex('49 01 1236'), 0x1236); // malformed CON: token length 9
  await expectRst(fromHex('40 c1 1237'), 0x1237); // reserved class 6
  await expectRst(fromHex('40 21 1238'), 0x1238); // reserved class 1
  await expectRst(fromHex('41 45 1239 77'), 0x1239); // CON 2.05 matching no request
  await expectRst(fromHex('51 45 123a 77'), 0x123a); // NON 2.05 matching no request (how passive cancel works)
  await expectSilence(fromHex('50 01 1300 ff')); // malformed NON
  await expectSilence(fromHex('50 00 1301')); // empty NON
  await expectSilence(fromHex('60 00 1302')); // unmatched ACK
  await expectSilence(fromHex('70 00 1303')); // unmatched RST
  await expectSilence(fromHex('61 01 1304 aa')); // ACK carrying a request: dropped
  await expectSilence(fromHex('80 01 1305')); // version 2
  await expectSilence(fromHex('40 01')); // truncated header
  assert.equal(b.counters.malformed, 9);
  assert.equal(b.counters.unmatchedResponses, 2);
  assert.equal(b.counters.unmatchedAcks, 2);
  await b.close();
});

test('a RST to a CON request rejects with RequestRejectedError code 0; to a NON request too', async () => {
  const { clock, ta, a } = setup();
  const peer = { address: '127.0.0.1', port: 7100 };
  const p = a.request(peer, GET);
  const q = a.request({ ...peer, port: 7101 }, GET, { confirmable: false });
  await clock.tick(0);
  ta.deliver(fromHex(`70 00 ${ta.sent[0]!.msg.messageId.toString(16).padStart(4, '0')}`), peer);
  ta.deliver(fromHex(`70 00 ${ta.sent[1]!.msg.messageId.toString(16).padStart(4, '0')}`), { ...peer, port: 7101 });
  await assert.rejects(p, (e: unknown) => e instanceof RequestRejectedError && e.coapCode === 0);
  await assert.rejects(q, (e: unknown) => e instanceof RequestRejectedError && e.coapCode === 0);
  await a.close();
});

test('an ACK or RST from another peer with the same message ID does not match', async () => {
  const { clock, ta, a } = setup();
  const peer = { address: '127.0.0.1', port: 7200 };
  const p = track(a.request(peer, GET));
  await clock.tick(0);
  const mid = ta.sent[0]!.msg.messageId.toString(16).padStart(4, '0');
  ta.deliver(fromHex(`70 00 ${mid}`), { ...peer, port: 7201 });
  await clock.tick(0);
  assert.equal(p.settled(), false);
  await a.close();
});

test('separate response: empty ACK after the delay, CON response retransmitted until ACKed; the client ACKs it', async () => {
  const { clock, net, a, b, ta, tb } = setup({ separateResponseDelay: 500 });
  b.onRequest(
    () =>
      new Promise((resolve) => {
        clock.setTimer(3000, () => {
          resolve({ code: CoapCode.CONTENT, payload: text('late') });
        });
      }),
  );
  let dropAcks = 1;
  net.drop = (m, from) => from.port === a.local.port && m.type === CoapType.ACK && dropAcks-- > 0;
  const p = a.request(b.local, GET);
  await clock.tick(500);
  assert.deepEqual(
    tb.sent.map((s) => [s.msg.type, s.msg.code, s.at]),
    [[CoapType.ACK, 0, 500]],
  );
  await clock.tick(2500);
  const res = await p;
  assert.equal(new TextDecoder().decode(res.payload), 'late');
  // The client's first ACK of the CON response was lost: the server retransmits, the client ACKs again.
  await clock.tick(3000);
  const cons = tb.sent.filter((s) => s.msg.type === CoapType.CON);
  assert.equal(cons.length, 2);
  assert.equal(cons[1]!.at - cons[0]!.at, 2000);
  const acks = ta.sent.filter((s) => s.msg.type === CoapType.ACK);
  assert.equal(acks.length, 2, 'a duplicate CON separate response is ACKed again, not reset');
  assert.equal(a.counters.resetsSent, 0);
  await clock.tick(60_000);
  assert.equal(tb.sent.filter((s) => s.msg.type === CoapType.CON).length, 2, 'no retransmission after the ACK');
  assert.equal(b.counters.separateResponses, 1);
  await a.close();
  await b.close();
});

test('the separate response may arrive before the empty ACK; a missing separate response times out', async () => {
  const { clock, ta, a } = setup({ responseTimeout: 10_000 });
  const peer = { address: '127.0.0.1', port: 7300 };
  const p = a.request(peer, GET);
  await clock.tick(0);
  const req = ta.sent[0]!.msg;
  ta.inject(msg({ type: CoapType.CON, code: CoapCode.CONTENT, messageId: 0x4444, token: req.token, payload: text('first') }), peer);
  const res = await p;
  assert.equal(new TextDecoder().decode(res.payload), 'first');
  await clock.tick(10_000);
  assert.equal(ta.sent.length, 2, 'no retransmission: the response acknowledged the request');

  const q = track(a.request(peer, GET));
  await clock.tick(0);
  ta.inject(msg({ type: CoapType.ACK, code: 0, messageId: ta.sent[2]!.msg.messageId }), peer);
  await clock.tick(9_999);
  assert.equal(q.settled(), false);
  await clock.tick(1);
  await assert.rejects(q.result, TimeoutError);
  await a.close();
});

test('abort: rejects with AbortedError, stops retransmitting, frees the NSTART slot', async () => {
  const { clock, ta, a } = setup();
  const ctrl = new AbortController();
  const p = track(a.request(nowhere, GET, { signal: ctrl.signal }));
  const queued = track(a.request(nowhere, GET));
  await clock.tick(2000);
  assert.equal(ta.sent.length, 2);
  ctrl.abort();
  await assert.rejects(p.result, AbortedError);
  await clock.tick(0);
  assert.equal(ta.sent.length, 3, 'the queued request went out');
  await clock.tick(2000);
  assert.equal(ta.sent.filter((s) => s.msg.messageId === ta.sent[0]!.msg.messageId).length, 2, 'the aborted one was not retransmitted');
  await assert.rejects(a.request(nowhere, GET, { signal: AbortSignal.abort() }), AbortedError);
  await a.close();
  await assert.rejects(queued.result, AbortedError);
});

test('close() rejects pending requests and leaves no timer behind', async () => {
  const { clock, a, b } = setup();
  b.onRequest(() => new Promise(() => undefined));
  const p = track(a.request(b.local, GET));
  const ping = track(a.ping(nowhere));
  await clock.tick(5000);
  await a.close();
  await b.close();
  await assert.rejects(p.result, AbortedError);
  await assert.rejects(ping.result, AbortedError);
  await assert.rejects(a.request(b.local, GET), AbortedError);
  assert.equal(clock.pending, 0);
});

test('idle endpoints hold no timers once old exchanges have expired', async () => {
  const { clock, a, b } = setup();
  b.onRequest(() => ({ code: CoapCode.CONTENT }));
  await Promise.all([a.request(b.local, GET), clock.tick(0)]);
  await clock.tick(a.params.exchangeLifetime + 5000);
  assert.equal(clock.pending, 0);
  await a.close();
  await b.close();
});

test('message IDs are sequential from a random start; tokens are random and unique', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const t = net.transport();
  const ep = new CoapEndpoint(t, { clock, params: { nstart: 50 } });
  const ps = Array.from({ length: 20 }, () => track(ep.request(nowhere, GET)));
  await clock.tick(0);
  const mids = t.sent.map((s) => s.msg.messageId);
  for (let i = 1; i < mids.length; i++) assert.equal(mids[i], (mids[0]! + i) & 0xffff);
  const tokens = new Set(t.sent.map((s) => Buffer.from(s.msg.token).toString('hex')));
  assert.equal(tokens.size, 20);
  for (const s of t.sent) assert.equal(s.msg.token.length, 8);
  await ep.close();
  for (const p of ps) await assert.rejects(p.result, AbortedError);
});

test('ping resolves on RST', async () => {
  const { clock, a, b } = setup();
  const p = a.ping(b.local);
  await clock.tick(0);
  assert.equal(typeof (await p), 'number');
  await a.close();
  await b.close();
});

test('a NON request that gets no response times out after the response timeout', async () => {
  const { clock, ta, a } = setup();
  const p = track(a.request(nowhere, GET, { confirmable: false, responseTimeout: 5000 }));
  await clock.tick(4999);
  assert.equal(ta.sent.length, 1);
  assert.equal(ta.sent[0]!.msg.type, CoapType.NON);
  assert.equal(p.settled(), false);
  await clock.tick(1);
  await assert.rejects(p.result, TimeoutError);
  await a.close();
});

export type { MemoryTransport };
