/** IPSO Timer (3340): every mode, the rearm delay, counters, cumulative time and remaining time, on a FakeClock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installTimer, TimerMode } from '../../../src/client/objects/ipso/timer.ts';
import { execute, makeEngine, serverWrite } from './_engine.ts';

function setup(mode: TimerMode, delay = 5, extra: { minimumOffTime?: number } = {}) {
  const { engine, clock } = makeEngine();
  const timer = installTimer(engine, { mode, delayDuration: delay, ...extra });
  const outputs: boolean[] = [];
  timer.on('output', (e) => outputs.push(e.on));
  const read = (rid: number): unknown => engine.registry.readResource(3340, timer.iid, rid);
  return { engine, clock, timer, outputs, read };
}

test('one-shot: on for Delay Duration from the rising edge whatever the input does; edges meanwhile ignored', () => {
  const { clock, timer, outputs, read } = setup(TimerMode.oneShot);
  timer.setInput(true);
  assert.equal(read(5543), true);
  clock.advance(1000);
  timer.setInput(false);
  timer.setInput(true);
  assert.equal(read(5538), 4, 'Remaining Time');
  clock.advance(3999);
  assert.equal(timer.output, true);
  clock.advance(1);
  assert.equal(read(5543), false);
  assert.equal(read(5538), 0);
  assert.deepEqual(outputs, [true, false]);
  assert.equal(read(5534), 1, 'Counter: one output 0 -> 1 transition');
  assert.equal(read(5501), 2, 'Digital Input Counter: two rising edges');
});

test('one-shot by Trigger (5523), with Minimum Off-time as the rearm delay', () => {
  const { engine, clock, timer, outputs } = setup(TimerMode.oneShot, 2, { minimumOffTime: 3 });
  execute(engine, `/3340/${timer.iid}/5523`);
  assert.equal(timer.output, true);
  assert.equal(timer.input, false, 'a trigger does not change the input');
  clock.advance(2000);
  assert.equal(timer.output, false);
  execute(engine, `/3340/${timer.iid}/5523`);
  assert.equal(timer.output, false, 'within the rearm delay');
  clock.advance(3000);
  execute(engine, `/3340/${timer.iid}/5523`);
  assert.equal(timer.output, true);
  assert.deepEqual(outputs, [true, false, true]);
});

test('on-time (interval): off after Delay Duration, or earlier when the input falls', () => {
  const { clock, timer, outputs } = setup(TimerMode.onTime, 5);
  timer.setInput(true);
  clock.advance(5000);
  assert.equal(timer.output, false, 'the interval ended although the input is still on');
  timer.setInput(false);
  timer.setInput(true);
  clock.advance(2000);
  timer.setInput(false);
  assert.equal(timer.output, false, 'the input fell first');
  assert.equal(timer.remainingTime, 0);
  clock.advance(10_000);
  assert.deepEqual(outputs, [true, false, true, false]);
  assert.equal(timer.counter, 2);
});

test('delay on pick-up: on once the input was on for Delay Duration, off with the input; a short input gives nothing', () => {
  const { clock, timer, outputs, read } = setup(TimerMode.delayOnPickup, 3);
  timer.setInput(true);
  clock.advance(2000);
  assert.equal(timer.output, false);
  assert.equal(read(5538), 1);
  timer.setInput(false);
  clock.advance(5000);
  assert.deepEqual(outputs, [], 'the input did not stay on long enough');
  timer.setInput(true);
  clock.advance(2000);
  timer.trigger();
  clock.advance(2000);
  assert.equal(timer.output, false, 'the trigger restarted the pick-up delay');
  clock.advance(1000);
  assert.equal(timer.output, true);
  clock.advance(60_000);
  assert.equal(timer.output, true, 'stays on while the input is on');
  timer.setInput(false);
  assert.deepEqual(outputs, [true, false]);
});

test('delay on drop-out: on with the input, off Delay Duration after it falls; a new rise cancels the drop-out', () => {
  const { clock, timer, outputs } = setup(TimerMode.delayOnDropout, 4);
  timer.setInput(true);
  assert.equal(timer.output, true);
  timer.setInput(false);
  clock.advance(3000);
  assert.equal(timer.output, true);
  timer.setInput(true);
  clock.advance(10_000);
  assert.equal(timer.output, true, 'the drop-out delay was cancelled');
  timer.setInput(false);
  clock.advance(4000);
  assert.equal(timer.output, false);
  timer.trigger();
  assert.equal(timer.output, true, 'a trigger with the input off: one drop-out period');
  clock.advance(4000);
  assert.equal(timer.output, false);
  assert.deepEqual(outputs, [true, false, true, false]);
});

test('mode 0: the output follows the input; switching modes cancels a running operation', async () => {
  const { engine, clock, timer, outputs } = setup(TimerMode.off);
  timer.setInput(true);
  timer.setInput(false);
  assert.deepEqual(outputs, [true, false]);
  await serverWrite(engine, `/3340/${timer.iid}/5526`, TimerMode.oneShot);
  timer.setInput(true);
  assert.equal(timer.output, true);
  await serverWrite(engine, `/3340/${timer.iid}/5526`, TimerMode.off);
  assert.equal(timer.output, true, 'mode 0 follows the input, which is on');
  clock.advance(10_000);
  assert.equal(timer.output, true, 'the one-shot timer was cancelled');
});

test('Cumulative Time counts the seconds the input is on; Counter and Cumulative Time reset by a write of 0', async () => {
  const { engine, clock, timer, read } = setup(TimerMode.oneShot, 1);
  await serverWrite(engine, `/3340/${timer.iid}/5850`, true);
  clock.advance(3000);
  await serverWrite(engine, `/3340/${timer.iid}/5850`, false);
  clock.advance(5000);
  timer.setInput(true);
  clock.advance(1500);
  assert.equal(read(5544), 4.5);
  await serverWrite(engine, `/3340/${timer.iid}/5544`, 0);
  clock.advance(500);
  assert.equal(read(5544), 0.5);
  assert.equal(read(5534), 2);
  await serverWrite(engine, `/3340/${timer.iid}/5534`, 0);
  assert.equal(read(5534), 0);
  timer.setInput(false);
  clock.advance(5000);
  timer.setInput(true);
  assert.equal(read(5534), 1, 'counting resumes from the written value');
  timer.dispose();
});
