import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/util/clock.ts';

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
