/** The bounded, expiring state containers of the CoAP stack, on fake time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeClock, MAX_TIMEOUT_MS, systemClock } from '../../src/util/clock.ts';
import { VirtualTimeouts } from '../util/_virtual-timeouts.ts';
import { TimerQueue } from '../../src/coap/timer-queue.ts';
import { ExpiringMap } from '../../src/coap/expiring-map.ts';
import { DedupTable } from '../../src/coap/dedup.ts';
import { Reassembler, sliceBlock, transferKey } from '../../src/coap/block.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { CoapCode } from '../../src/coap/message.ts';

test('TimerQueue fires in deadline order on one clock timer, skips cancelled entries, leaves no timer when idle', () => {
  const clock = new FakeClock();
  const q = new TimerQueue(clock);
  const fired: string[] = [];
  q.schedule(300, () => fired.push(`c@${clock.now()}`));
  const b = q.schedule(200, () => fired.push('b'));
  q.schedule(100, { onTimer: () => fired.push(`a@${clock.now()}`) });
  q.schedule(300, () => {
    fired.push(`d@${clock.now()}`);
    q.schedule(50, () => fired.push(`e@${clock.now()}`));
  });
  assert.equal(clock.pending, 1, 'one clock timer for all');
  b.cancel();
  b.cancel();
  clock.advance(1000);
  assert.deepEqual(fired, ['a@100', 'c@300', 'd@300', 'e@350']);
  assert.equal(clock.pending, 0);
  // Many cancelled entries are compacted away.
  for (let i = 0; i < 1000; i++) q.schedule(5000, () => undefined).cancel();
  assert.ok(q.size < 100, `heap holds ${q.size}`);
  clock.advance(10_000);
  assert.equal(q.size, 0);
  assert.equal(clock.pending, 0);
});

test('TimerQueue drops a far-off clock timer as soon as nothing live remains', () => {
  const clock = new FakeClock();
  const q = new TimerQueue(clock);
  q.schedule(93_000, () => undefined).cancel();
  assert.equal(clock.pending, 0, 'a separate-response timeout leaves nothing behind');
  const near = q.schedule(2000, () => undefined);
  const far = q.schedule(93_000, () => undefined);
  far.cancel();
  near.cancel();
  assert.equal(clock.pending, 1, 'a near timer is left to fire (no clearTimeout per request)');
  clock.advance(2000);
  assert.equal(clock.pending, 0);
  assert.equal(q.size, 0);
});

test('TimerQueue on the system clock: a deadline beyond setTimeout range fires on time, without 1 ms re-arming', (t) => {
  const v = new VirtualTimeouts();
  v.install(t);
  const q = new TimerQueue(systemClock, { unref: true });
  const fired: number[] = [];
  const far = 3 * MAX_TIMEOUT_MS + 1234;
  q.schedule(far, () => fired.push(v.now));
  q.schedule(1000, () => fired.push(v.now));
  assert.ok(v.allUnrefed, 'the queue asked for an unref timer');
  const runs = v.runUntil(far - 1);
  assert.deepEqual(fired, [1000]);
  assert.ok(runs <= 5, `${runs} timeouts ran: the queue re-armed in a loop`);
  assert.ok(v.delays.every((d) => d <= MAX_TIMEOUT_MS), `setTimeout got ${v.delays.join(', ')}`);
  v.runUntil(far + 10);
  assert.deepEqual(fired, [1000, far]);
  assert.equal(v.pending, 0);
  q.clear();
});

test('TimerQueue agrees with a sorted reference for random schedules', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean()), { maxLength: 60 }), (items) => {
      const clock = new FakeClock();
      const q = new TimerQueue(clock);
      const fired: number[] = [];
      items.forEach(([ms, cancel], i) => {
        const t = q.schedule(ms, () => fired.push(i));
        if (cancel) t.cancel();
      });
      clock.advance(2000);
      const expected = items
        .map(([ms, cancel], i) => ({ ms, cancel, i }))
        .filter((x) => !x.cancel)
        .sort((x, y) => x.ms - y.ms || x.i - y.i)
        .map((x) => x.i);
      assert.deepEqual(fired, expected);
    }),
  );
});

test('ExpiringMap: expiry, touch, size and byte bounds, one timer only while non-empty', () => {
  const clock = new FakeClock();
  const evicted: string[] = [];
  const m = new ExpiringMap<string, Uint8Array>({
    clock,
    lifetime: 1000,
    maxEntries: 3,
    maxBytes: 100,
    sizeOf: (v) => v.length,
    onEvict: (k, _v, reason) => evicted.push(`${k}:${reason}`),
  });
  m.set('a', new Uint8Array(10));
  m.set('b', new Uint8Array(10));
  assert.equal(clock.pending, 1);
  clock.advance(500);
  m.touch('a');
  clock.advance(600);
  assert.equal(m.get('b'), undefined, 'b expired');
  assert.ok(m.get('a'), 'a was touched');
  m.set('c', new Uint8Array(10));
  m.set('d', new Uint8Array(10));
  m.set('e', new Uint8Array(10));
  assert.equal(m.size, 3);
  assert.ok(evicted.includes('a:evicted'));
  m.set('big', new Uint8Array(90));
  assert.ok(m.bytes <= 100);
  assert.ok(m.has('big'));
  clock.advance(5000);
  assert.equal(m.size, 0);
  assert.equal(clock.pending, 0);
  m.set('x', new Uint8Array(1));
  m.delete('x');
  assert.equal(clock.pending, 0, 'deleting the last entry drops the timer');
});

test('ExpiringMap under steady inserts holds only about what lives: expired slots are not kept by its queue', () => {
  const clock = new FakeClock();
  const map = new ExpiringMap<number, { n: number }>({ clock, lifetime: 1000, maxEntries: 10_000 });
  let peak = 0;
  for (let i = 0; i < 5000; i++) {
    map.set(i & 0xffff, { n: i });
    if (i % 3 === 0) map.delete((i - 7) & 0xffff); // some die before they expire
    clock.advance(10);
    peak = Math.max(peak, map.queued);
  }
  assert.ok(map.size <= 100, `size ${map.size}`);
  // A queue that kept every passed slot would hold thousands here (one slot per insert).
  assert.ok(peak <= 2 * 100 + 64 + 1, `queued peak ${peak}`);
});

test('DedupTable: per peer and message ID, expires, bounded, replaces', () => {
  const clock = new FakeClock();
  const t = new DedupTable(clock, 1000, 3);
  t.add('p1', 1, 'a', 1);
  t.add('p2', 1, 'b', 1);
  assert.equal(t.get('p1', 1)?.token, 'a');
  assert.equal(t.get('p2', 1)?.token, 'b');
  t.add('p1', 1, 'c', 1);
  assert.equal(t.get('p1', 1)?.token, 'c');
  assert.equal(t.size, 2);
  t.add('p1', 2, 'd', 1);
  t.add('p1', 3, 'e', 1);
  assert.equal(t.size, 3);
  assert.equal(t.evictions, 1);
  assert.equal(t.get('p2', 1), undefined, 'oldest evicted');
  clock.advance(1000);
  assert.equal(t.get('p1', 3), undefined, 'expired');
  clock.advance(2000);
  assert.equal(t.size, 0);
  assert.equal(clock.pending, 0);
});

test('block helpers: slicing, reassembly by offset, transfer keys', () => {
  const body = new Uint8Array(100).map((_, i) => i);
  assert.deepEqual(sliceBlock(body, 0, 2)?.more, true);
  assert.deepEqual(sliceBlock(body, 1, 2)?.data, body.subarray(64, 100));
  assert.equal(sliceBlock(body, 1, 2)?.more, false);
  assert.equal(sliceBlock(body, 2, 2), undefined);
  assert.deepEqual(sliceBlock(new Uint8Array(0), 0, 0), { data: new Uint8Array(0), more: false });
  const r = new Reassembler(100);
  assert.equal(r.append(0, body.subarray(0, 32)), 'ok');
  assert.equal(r.append(64, body.subarray(64, 96)), 'gap');
  assert.equal(r.append(32, body.subarray(32, 64)), 'ok');
  assert.equal(r.append(32, body.subarray(32, 64)), 'ok', 'a repeated block is harmless');
  assert.equal(r.append(64, new Uint8Array(40)), 'too-large');
  assert.deepEqual(r.result(), body.subarray(0, 64));
  const k1 = transferKey('p', CoapCode.GET, buildOptions({ uriPath: '/a/b', observe: 0, block2: { num: 3, more: false, szx: 2 } }));
  const k2 = transferKey('p', CoapCode.GET, buildOptions({ uriPath: '/a/b' }));
  assert.equal(k1, k2);
  assert.notEqual(k2, transferKey('p', CoapCode.GET, buildOptions({ uriPath: '/a/c' })));
  assert.notEqual(k2, transferKey('q', CoapCode.GET, buildOptions({ uriPath: '/a/b' })));
  assert.notEqual(transferKey('p', CoapCode.FETCH, [], Uint8Array.of(1)), transferKey('p', CoapCode.FETCH, [], Uint8Array.of(2)));
});
