/** Observe (RFC 7641), both roles, on fake time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/util/clock.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapOption, CoapType } from '../../src/coap/message.ts';
import { buildOptions, encodeUint, getOption, observe, setOption } from '../../src/coap/options.ts';
import { AsyncQueue, FreshnessTracker, ObserveSequence, isNewerNotification } from '../../src/coap/observe.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';
import type { IncomingResponse } from '../../src/coap/incoming.ts';
import { MemoryNetwork, counterRandom, msg, str, text } from './_helpers.ts';

test('freshness rule of RFC 7641 3.4, including 24-bit wrap and the 128 s escape', () => {
  assert.equal(isNewerNotification(5, 0, 6, 1), true);
  assert.equal(isNewerNotification(6, 0, 5, 1), false);
  assert.equal(isNewerNotification(6, 0, 6, 1), false);
  assert.equal(isNewerNotification(0xfffffe, 0, 1, 1), true, 'wrapped');
  assert.equal(isNewerNotification(1, 0, 0xfffffe, 1), false);
  assert.equal(isNewerNotification(6, 0, 5, 128_001), true, 'after 128 s anything is newer');
  const t = new FreshnessTracker();
  assert.equal(t.accept(10, 0), true);
  assert.equal(t.accept(12, 1), true);
  assert.equal(t.accept(11, 2), false);
  assert.equal(t.last, 12);
  const s = new ObserveSequence(0xfffffe);
  assert.deepEqual([s.next(), s.next(), s.next()], [0xfffffe, 0xffffff, 0]);
});

test('AsyncQueue: push before/after read, bounded, end and fail', async () => {
  const q = new AsyncQueue<number>(2);
  q.push(1);
  q.push(2);
  q.push(3);
  assert.equal(q.dropped, 1);
  assert.deepEqual(await q.next(), { value: 2, done: false });
  const pending = q.next();
  q.push(4);
  assert.deepEqual(await pending, { value: 3, done: false });
  q.end();
  assert.deepEqual(await q.next(), { value: 4, done: false });
  assert.deepEqual(await q.next(), { value: undefined, done: true });
  const f = new AsyncQueue<number>();
  const waiting = f.next();
  f.fail(new Error('x'));
  await assert.rejects(waiting, /x/);
});

function setup(serverOptions: CoapEndpointOptions = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const tc = net.transport();
  const ts = net.transport();
  const client = new CoapEndpoint(tc, { clock, random: counterRandom() });
  const server = new CoapEndpoint(ts, { clock, random: counterRandom(), ...serverOptions });
  let current: ServerObservation | undefined;
  let value = 'v0';
  let calls = 0;
  server.onRequest((r) => {
    calls++;
    if (r.observe === 0) current = r.acceptObservation();
    return { code: CoapCode.CONTENT, payload: text(value) };
  });
  const obsRequest = { code: CoapCode.GET, options: buildOptions({ uriPath: '/3303/0/5700' }) };
  return {
    clock,
    net,
    tc,
    ts,
    client,
    server,
    obsRequest,
    get observation() {
      return current;
    },
    set value(v: string) {
      value = v;
    },
    get calls() {
      return calls;
    },
  };
}

async function settleObserve(s: ReturnType<typeof setup>, options = {}) {
  const p = s.client.observe(s.server.local, s.obsRequest, options);
  await s.clock.tick(0);
  return p;
}

async function next(it: AsyncIterator<IncomingResponse>, s: ReturnType<typeof setup>): Promise<IteratorResult<IncomingResponse>> {
  const p = it.next();
  await s.clock.tick(0);
  return p;
}

test('register, notify with increasing sequence numbers, proactive cancel with Observe=1 (RFC 7641 3.1, 3.6, 4.4)', async () => {
  const s = setup();
  const obs = await settleObserve(s);
  assert.equal(obs.registered, true);
  assert.equal(str(obs.response.payload), 'v0');
  const reg = s.tc.sent[0]!.msg;
  assert.equal(observe(reg.options), 0);
  const so = s.observation!;
  assert.equal(so.active, true);
  assert.equal(s.server.observations.length, 1);
  const it = obs[Symbol.asyncIterator]();
  for (const v of ['v1', 'v2', 'v3']) {
    assert.equal(await so.notify({ code: CoapCode.CONTENT, payload: text(v) }), 'sent');
  }
  const got: string[] = [];
  for (let i = 0; i < 3; i++) got.push(str((await next(it, s)).value!.payload));
  assert.deepEqual(got, ['v1', 'v2', 'v3']);
  const seqs = s.ts.messages().map((m) => observe(m.options)!);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, 'increasing');
  const cancel = obs.cancel();
  await s.clock.tick(0);
  const res = await cancel;
  assert.equal(res?.code, CoapCode.CONTENT);
  assert.equal(getOption(res.options, CoapOption.OBSERVE), undefined);
  const dereg = s.tc.sent.at(-1)!.msg;
  assert.equal(observe(dereg.options), 1);
  assert.deepEqual(dereg.token, reg.token, 'same token');
  assert.equal(so.reason, 'deregistered');
  assert.equal(s.server.observations.length, 0);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  assert.equal(obs.endReason, 'cancelled');
  assert.equal(await so.notify({ code: CoapCode.CONTENT }), 'cancelled');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('retarget(): notifications are accepted from the new address only, and cancel goes there', async () => {
  const s = setup();
  const obs = await settleObserve(s);
  const it = obs[Symbol.asyncIterator]();
  const moved = { address: '127.0.0.1', port: 41999 };
  const notification = (seq: number, v: string) =>
    msg({ type: CoapType.CON, code: CoapCode.CONTENT, messageId: 500 + seq, token: obs.token, options: buildOptions({ observe: seq }), payload: text(v) });
  const lastTo = () => s.tc.sent.at(-1)!;
  s.tc.inject(notification(10, 'early'), moved);
  assert.equal(lastTo().msg.type, CoapType.RST, 'not yet: another address is not the observed server');
  obs.retarget(moved);
  assert.deepEqual(obs.peer, moved);
  s.tc.inject(notification(11, 'moved'), moved);
  assert.equal(lastTo().msg.type, CoapType.ACK);
  assert.deepEqual(lastTo().to, moved);
  assert.equal(str((await next(it, s)).value!.payload), 'moved');
  s.tc.inject(notification(12, 'old'), s.server.local);
  assert.equal(lastTo().msg.type, CoapType.RST, 'the old address is rejected now');
  assert.equal(obs.active, true);
  const cancelling = obs.cancel().then(
    () => 'answered',
    (e: unknown) => (e as Error).name,
  );
  await s.clock.tick(0);
  const dereg = s.tc.sent.find((x) => x.msg.code === CoapCode.GET && observe(x.msg.options) === 1)!;
  assert.deepEqual(dereg.to, moved);
  await Promise.all([s.client.close(), s.server.close()]);
  assert.equal(await cancelling, 'AbortedError', 'nobody answers at the made-up address');
});

test('passive cancel: the next notification is answered with RST and the server removes the observation', async () => {
  const s = setup();
  const obs = await settleObserve(s);
  const so = s.observation!;
  obs.forget();
  const result = so.notify({ code: CoapCode.CONTENT, payload: text('x') });
  await s.clock.tick(0);
  assert.equal(await result, 'sent');
  assert.equal(s.tc.sent.at(-1)!.msg.type, CoapType.RST);
  assert.equal(so.reason, 'reset');
  assert.equal(so.signal.aborted, true);
  assert.equal(so.signal.reason, 'reset');
  // CON notification reset.
  const obs2 = await settleObserve(s);
  const so2 = s.observation!;
  assert.notEqual(so2, so);
  obs2.forget();
  const r2 = so2.notify({ code: CoapCode.CONTENT }, { confirmable: true });
  await s.clock.tick(0);
  assert.equal(await r2, 'reset');
  assert.equal(so2.reason, 'reset');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('leaving a for-await loop forgets the observation', async () => {
  const s = setup();
  const obs = await settleObserve(s);
  const so = s.observation!;
  void so.notify({ code: CoapCode.CONTENT, payload: text('a') });
  await s.clock.tick(0);
  for await (const n of obs) {
    assert.equal(str(n.payload), 'a');
    break;
  }
  assert.equal(obs.endReason, 'forgotten');
  void so.notify({ code: CoapCode.CONTENT, payload: text('b') });
  await s.clock.tick(0);
  assert.equal(so.reason, 'reset');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('a CON notification that is never acknowledged ends the observation with reason timeout', async () => {
  const s = setup();
  await settleObserve(s);
  const so = s.observation!;
  const reasons: string[] = [];
  so.onCancel((r) => reasons.push(r));
  s.net.drop = (m) => m.type === CoapType.CON;
  const r = so.notify({ code: CoapCode.CONTENT }, { confirmable: true });
  await s.clock.tick(s.server.params.maxTransmitWait);
  assert.equal(await r, 'timeout');
  assert.deepEqual(reasons, ['timeout']);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('NON notifications become CON every N and every 24 hours (RFC 7641 4.5)', async () => {
  const s = setup({ observeConEvery: 3 });
  await settleObserve(s);
  const so = s.observation!;
  for (let i = 0; i < 6; i++) {
    void so.notify({ code: CoapCode.CONTENT, payload: text(`n${i}`) });
    await s.clock.tick(0);
  }
  const types = s.ts.messages().slice(1).map((m) => (m.type === CoapType.CON ? 'C' : 'N'));
  assert.deepEqual(types, ['N', 'N', 'C', 'N', 'N', 'C']);
  await s.clock.tick(24 * 3600 * 1000);
  void so.notify({ code: CoapCode.CONTENT });
  await s.clock.tick(0);
  assert.equal(s.ts.messages().at(-1)!.type, CoapType.CON, 'a day since the last CON');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('a newer notification takes over an unacknowledged CON one (RFC 7641 4.5.2)', async () => {
  const s = setup();
  await settleObserve(s);
  const so = s.observation!;
  s.net.drop = (m) => m.type === CoapType.ACK;
  const first = so.notify({ code: CoapCode.CONTENT, payload: text('old') }, { confirmable: true });
  await s.clock.tick(2000);
  s.net.drop = undefined;
  const second = so.notify({ code: CoapCode.CONTENT, payload: text('new') });
  assert.equal(await first, 'replaced');
  await s.clock.tick(0);
  const sent = s.ts.messages().slice(1);
  assert.equal(sent.at(-1)!.type, CoapType.CON, 'the newer one is sent as CON');
  assert.equal(str(sent.at(-1)!.payload), 'new');
  assert.equal(await second, 'acknowledged');
  await s.clock.tick(60_000);
  assert.equal(s.ts.messages().filter((m) => str(m.payload) === 'old').length, 2, 'the old one is no longer retransmitted');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('the client drops stale notifications and accepts any after 128 s (RFC 7641 3.4)', async () => {
  const s = setup();
  const peer = { address: '127.0.0.1', port: 5999 };
  const p = s.client.observe(peer, s.obsRequest);
  await s.clock.tick(0);
  const reg = s.tc.sent[0]!.msg;
  const notif = (mid: number, seq: number, v: string, type: 0 | 1 | 2 = CoapType.NON) =>
    msg({ type, code: CoapCode.CONTENT, messageId: mid, token: reg.token, options: [{ number: CoapOption.OBSERVE, value: encodeUint(seq) }], payload: text(v) });
  s.tc.inject(notif(reg.messageId, 10, 'first', CoapType.ACK), peer);
  const obs = await p;
  const got: string[] = [];
  const done = (async () => {
    for await (const n of obs) got.push(str(n.payload));
  })();
  s.tc.inject(notif(100, 12, 'twelve'), peer);
  s.tc.inject(notif(101, 11, 'eleven (stale)'), peer);
  s.tc.inject(notif(102, 13, 'thirteen', CoapType.CON), peer);
  await s.clock.tick(0);
  assert.equal(s.tc.sent.at(-1)!.msg.type, CoapType.ACK, 'CON notifications are acknowledged');
  await s.clock.tick(129_000);
  s.tc.inject(notif(103, 5, 'five, but much later'), peer);
  await s.clock.tick(0);
  // A notification without Observe ends the observation (RFC 7641 3.2).
  s.tc.inject(msg({ type: CoapType.NON, code: CoapCode.CONTENT, messageId: 104, token: reg.token, payload: text('final') }), peer);
  await s.clock.tick(0);
  await done;
  assert.deepEqual(got, ['twelve', 'thirteen', 'five, but much later', 'final']);
  assert.equal(obs.endReason, 'final');
  await s.client.close();
});

test('a registration the server does not accept, or rejects, is not observed', async () => {
  const s = setup();
  s.server.onRequest(() => ({ code: CoapCode.CONTENT, payload: text('plain') }));
  const plain = await settleObserve(s);
  assert.equal(plain.registered, false);
  assert.equal(str(plain.response.payload), 'plain');
  assert.deepEqual(await plain[Symbol.asyncIterator]().next(), { value: undefined, done: true });
  let handle: ServerObservation | undefined;
  s.server.onRequest((r) => {
    handle = r.acceptObservation();
    return { code: CoapCode.NOT_FOUND };
  });
  const rejected = await settleObserve(s);
  assert.equal(rejected.registered, false);
  assert.equal(rejected.response.code, CoapCode.NOT_FOUND);
  assert.equal(handle?.reason, 'rejected');
  assert.equal(s.server.observations.length, 0);
  s.server.onRequest((r) => {
    assert.throws(() => r.acceptObservation(), TypeError);
    return { code: CoapCode.CHANGED };
  });
  await s.client.request(s.server.local, { code: CoapCode.PUT }).then(undefined, () => undefined);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('re-registration with the same token replaces the observation (RFC 7641 4.1)', async () => {
  const s = setup();
  await settleObserve(s);
  const first = s.observation!;
  const token = s.tc.sent[0]!.msg.token;
  const again = s.client.observe(s.server.local, { ...s.obsRequest, token });
  await s.clock.tick(0);
  await again;
  assert.equal(first.reason, 'replaced');
  assert.equal(s.server.observations.length, 1);
  assert.notEqual(s.observation, first);
  await Promise.all([s.client.close(), s.server.close()]);
});

test('large notifications go block-wise; the client reassembles them from the cache (RFC 7959 2.6)', async () => {
  const s = setup();
  s.value = 'x'.repeat(3000);
  const obs = await settleObserve(s);
  assert.equal(obs.response.payload.length, 3000);
  const callsAfterRegistration = s.calls;
  assert.equal(callsAfterRegistration, 1);
  const it = obs[Symbol.asyncIterator]();
  void s.observation!.notify({ code: CoapCode.CONTENT, payload: text('y'.repeat(2500)) });
  const n = await next(it, s);
  assert.equal(str(n.value!.payload), 'y'.repeat(2500));
  assert.equal(s.calls, 1, 'blocks after the first come from the cache');
  const followUps = s.tc.messages((m) => m.code === CoapCode.GET && getOption(m.options, CoapOption.BLOCK2) !== undefined);
  assert.ok(followUps.length >= 4);
  assert.ok(followUps.every((m) => getOption(m.options, CoapOption.OBSERVE) === undefined), 'follow-ups do not re-register');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('notify() before the registration response is sent right after it; an error notification ends the observation', async () => {
  const s = setup();
  let early: Promise<string> | undefined;
  s.server.onRequest((r) => {
    const o = r.acceptObservation();
    early = o.notify({ code: CoapCode.CONTENT, payload: text('early') });
    return { code: CoapCode.CONTENT, payload: text('registration') };
  });
  const obs = await settleObserve(s);
  const it = obs[Symbol.asyncIterator]();
  assert.equal(str((await next(it, s)).value!.payload), 'early');
  assert.equal(await early, 'sent');
  const so = s.server.observations[0]!;
  void so.notify({ code: CoapCode.NOT_FOUND });
  const last = await next(it, s);
  assert.equal(last.value!.code, CoapCode.NOT_FOUND);
  assert.equal(getOption(s.ts.messages().at(-1)!.options, CoapOption.OBSERVE), undefined, 'no Observe on an error notification');
  assert.equal(so.reason, 'final');
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  await Promise.all([s.client.close(), s.server.close()]);
});

test('server cancel() sends a final response; close ends everything with reason closed', async () => {
  const s = setup();
  const obs = await settleObserve(s);
  s.observation!.cancel({ code: CoapCode.SERVICE_UNAVAILABLE });
  await s.clock.tick(0);
  assert.equal(obs.endReason, 'final');
  const obs2 = await settleObserve(s);
  const so2 = s.observation!;
  await s.server.close();
  assert.equal(so2.reason, 'closed');
  await s.client.close();
  assert.equal(obs2.endReason, 'closed');
});

test('aborting the signal given to observe() forgets the observation', async () => {
  const s = setup();
  const ctrl = new AbortController();
  const obs = await settleObserve(s, { signal: ctrl.signal });
  ctrl.abort();
  assert.equal(obs.endReason, 'forgotten');
  void s.observation!.notify({ code: CoapCode.CONTENT });
  await s.clock.tick(0);
  assert.equal(s.observation!.reason, 'reset');
  await Promise.all([s.client.close(), s.server.close()]);
});

test('a GET with Observe=1 for an unknown token is just a GET', async () => {
  const s = setup();
  const res = s.client.request(s.server.local, { code: CoapCode.GET, options: setOption(s.obsRequest.options, CoapOption.OBSERVE, encodeUint(1)) });
  await s.clock.tick(0);
  assert.equal((await res).code, CoapCode.CONTENT);
  await Promise.all([s.client.close(), s.server.close()]);
});
