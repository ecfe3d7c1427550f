/**
 * Firmware Update deferral (/5/0/13 Maximum Defer Period, object 5 version 1.1): the update callback
 * learns whether it may defer; a deferral (Update Result 11) is refused when the period is 0 or has
 * run out since the image's first deferral; when it runs out, the device starts the update by itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FirmwareDeferralError,
  FirmwareError,
  FirmwareResult,
  FirmwareState,
  installFirmwareUpdate,
  type FirmwareSink,
  type FirmwareUpdateOptions,
  type UpdateContext,
} from '../../../src/client/objects/index.ts';
import { execute, flush, makeEngine, serverWrite } from './_engine.ts';

const sink: FirmwareSink = { open: () => undefined, write: () => undefined };

async function downloaded(options: Partial<FirmwareUpdateOptions>) {
  const { engine, clock } = makeEngine('1.1');
  const contexts: UpdateContext[] = [];
  const errors: Error[] = [];
  let answer: 'defer' | 'install' = 'defer';
  const fw = installFirmwareUpdate(engine, {
    sink,
    onUpdate: (ctx) => {
      contexts.push(ctx);
      if (answer === 'defer') throw new FirmwareError(FirmwareResult.DEFERRED, 'the user said later');
    },
    ...options,
  });
  fw.on('error', (e) => errors.push(e));
  await serverWrite(engine, '/5/0/0', new Uint8Array([1, 2, 3]));
  await flush();
  assert.equal(fw.state, FirmwareState.DOWNLOADED);
  const update = async (): Promise<void> => {
    execute(engine, '/5/0/2');
    await flush();
    await flush();
  };
  return { engine, clock, fw, contexts, errors, update, install: () => (answer = 'install') };
}

test('Maximum Defer Period 0 (the default): deferring is refused and the update counts as failed (8)', async () => {
  const { engine, fw, contexts, errors, update } = await downloaded({});
  assert.equal(engine.registry.get('/5/0/13'), 0);
  await update();
  assert.deepEqual(contexts.map((c) => c.deferrable), [false]);
  assert.equal(fw.state, FirmwareState.DOWNLOADED);
  assert.equal(fw.result, FirmwareResult.UPDATE_FAILED);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof FirmwareDeferralError);
  assert.match(errors[0].message, /deferral is not allowed/);
});

test('within the period the user may defer again; when it runs out the device updates by itself, without prompting', async () => {
  const { clock, fw, contexts, errors, update, install } = await downloaded({ maxDeferPeriod: 60 });
  await update();
  assert.deepEqual([fw.state, fw.result], [FirmwareState.DOWNLOADED, FirmwareResult.DEFERRED]);
  clock.advance(30_000);
  await update(); // deferred again: the period still counts from the first deferral
  assert.deepEqual([fw.state, fw.result], [FirmwareState.DOWNLOADED, FirmwareResult.DEFERRED]);
  clock.advance(29_999);
  await flush();
  assert.equal(contexts.length, 2, 'nothing happens before the period is over');
  install();
  clock.advance(1);
  await flush();
  await flush();
  assert.deepEqual(contexts.map((c) => c.deferrable), [true, true, false]);
  assert.deepEqual([fw.state, fw.result], [FirmwareState.IDLE, FirmwareResult.SUCCESS]);
  assert.deepEqual(errors, []);
});

test('a deferral after the period ran out is refused (8); Cancel or a new image forgets the period', async () => {
  const late = await downloaded({ maxDeferPeriod: 10 });
  await late.update();
  late.clock.advance(10_000); // runs out: the automatic update is deferred again, which is refused
  await flush();
  await flush();
  assert.deepEqual(late.contexts.map((c) => c.deferrable), [true, false]);
  assert.deepEqual([late.fw.state, late.fw.result], [FirmwareState.DOWNLOADED, FirmwareResult.UPDATE_FAILED]);
  assert.match(late.errors[0]?.message ?? '', /Maximum Defer Period \(10 s\) ran out/);

  const cancelled = await downloaded({ maxDeferPeriod: 10 });
  await cancelled.update();
  execute(cancelled.engine, '/5/0/10');
  cancelled.clock.advance(60_000);
  await flush();
  assert.equal(cancelled.contexts.length, 1, 'no automatic update after Cancel');
  assert.deepEqual([cancelled.fw.state, cancelled.fw.result], [FirmwareState.IDLE, FirmwareResult.CANCELLED]);
  await serverWrite(cancelled.engine, '/5/0/0', new Uint8Array([4, 5]));
  await flush();
  await cancelled.update();
  assert.deepEqual(cancelled.contexts.map((c) => c.deferrable), [true, true], 'a new image may be deferred again');
});
