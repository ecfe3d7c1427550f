import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, MAX_TIMEOUT_MS, systemClock } from '../../src/util/clock.ts';
import { VirtualTimeouts } from './_virtual-timeouts.ts';

test('fake clock fires timers in time order, including ones scheduled while firing', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimer(100, () => {
    fired.push(`a@${clock.now()}`);
    clock.setTimer(50, () => fired.push(`c@${clock.now()}`));
  });
  clock.setTimer(120, () => fired.push(`b@${clock.now()}`));
  const cancelled = clock.setTimer(130, () => fired.push('never'));
  cancelled.cancel();
  clock.advance(149);
  assert.deepEqual(fired, ['a@100', 'b@120']);
  clock.advance(1);
  assert.deepEqual(fired, ['a@100', 'b@120', 'c@150']);
  assert.equal(clock.pending, 0);
});

test('tick lets promise continuations run between timers', async () => {
  const clock = new FakeClock();
  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));
  const seen: number[] = [];
  const task = (async () => {
    await sleep(10);
    seen.push(clock.now());
    await sleep(10);
    seen.push(clock.now());
  })();
  await clock.tick(25);
  await task;
  assert.deepEqual(seen, [10, 20]);
});

describe('systemClock and delays beyond setTimeout range', () => {
  const MAX = 0x7fff_ffff;

  test('a delay above 2^31-1 ms runs once, after the whole delay, through chained timeouts', (t) => {
    const v = new VirtualTimeouts();
    v.install(t);
    const fired: number[] = [];
    const delay = 2 * MAX + 5000;
    systemClock.setTimer(delay, () => fired.push(v.now));
    assert.ok(v.delays.every((d) => d <= MAX), `setTimeout got ${v.delays.join(', ')}`);
    const runs = v.runUntil(delay - 1);
    assert.deepEqual(fired, [], 'nothing fires before the delay (no overflow to 1 ms)');
    assert.equal(runs, 2, 'two full-range timeouts, no 1 ms re-arming');
    v.runUntil(3 * MAX);
    assert.deepEqual(fired, [delay]);
    assert.equal(v.pending, 0);
    assert.ok(v.delays.every((d) => d <= MAX));
    assert.equal(MAX_TIMEOUT_MS, MAX);
  });

  test('a long timer can be cancelled in any link of its chain; unref carries to every link', (t) => {
    const v = new VirtualTimeouts();
    v.install(t);
    let fired = 0;
    const timer = systemClock.setTimer(3 * MAX, () => fired++, { unref: true });
    assert.ok(v.allUnrefed);
    v.runUntil(MAX + 10);
    assert.equal(v.pending, 1, 'the second link is armed');
    assert.ok(v.allUnrefed, 'the re-armed link is unref too');
    timer.cancel();
    assert.equal(v.pending, 0);
    v.runUntil(10 * MAX);
    assert.equal(fired, 0);
  });

  test('an infinite delay never fires; short, zero, negative and NaN delays go straight to setTimeout', (t) => {
    const v = new VirtualTimeouts();
    v.install(t);
    const fired: string[] = [];
    const never = systemClock.setTimer(Infinity, () => fired.push('never'));
    systemClock.setTimer(MAX, () => fired.push(`max@${v.now}`));
    systemClock.setTimer(0, () => fired.push('zero'));
    systemClock.setTimer(-5, () => fired.push('negative'));
    systemClock.setTimer(Number.NaN, () => fired.push('nan'));
    assert.deepEqual(v.delays.slice(1), [MAX, 0, 0, 0]);
    v.runUntil(5 * MAX);
    assert.deepEqual(fired, ['zero', 'negative', 'nan', `max@${MAX}`]);
    never.cancel();
    assert.equal(v.pending, 0);
  });
});
