/** The Firmware Update State / Update Result machine (LwM2M Core 1.1.1 E.6) as a pure function. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FirmwareResult as R, FirmwareState as S, firmwareStep, type FirmwareEvent, type FirmwareStatus } from '../../../src/client/objects/firmware/state.ts';

const idle: FirmwareStatus = { state: S.IDLE, result: R.INITIAL };

function run(events: readonly FirmwareEvent[], from = idle): (FirmwareStatus | undefined)[] {
  const out: (FirmwareStatus | undefined)[] = [];
  let s: FirmwareStatus = from;
  for (const e of events) {
    const next = firmwareStep(s, e);
    out.push(next);
    if (next !== undefined) s = next;
  }
  return out;
}

test('the happy path: Idle -> Downloading -> Downloaded -> Updating -> Idle / 1', () => {
  assert.deepEqual(run([{ type: 'start' }, { type: 'downloaded' }, { type: 'update' }, { type: 'updated' }]), [
    { state: S.DOWNLOADING, result: R.INITIAL },
    { state: S.DOWNLOADED, result: R.INITIAL },
    { state: S.UPDATING, result: R.INITIAL },
    { state: S.IDLE, result: R.SUCCESS },
  ]);
});

test('download failures return to Idle with their result; results outside 2..7, 9 are not download failures', () => {
  for (const r of [2, 3, 4, 5, 6, 7, 9] as const) {
    assert.deepEqual(firmwareStep({ state: S.DOWNLOADING, result: 0 }, { type: 'download-failed', result: r }), { state: S.IDLE, result: r });
  }
  for (const r of [0, 1, 8, 10, 11] as const) assert.equal(firmwareStep({ state: S.DOWNLOADING, result: 0 }, { type: 'download-failed', result: r }), undefined);
  assert.equal(firmwareStep(idle, { type: 'download-failed', result: 4 }), undefined, 'nothing to fail in Idle');
});

test('a new attempt starts with result 0; reset clears; cancel only while a package is on its way or held', () => {
  assert.deepEqual(firmwareStep({ state: S.IDLE, result: R.INVALID_URI }, { type: 'start' }), { state: S.DOWNLOADING, result: 0 });
  assert.deepEqual(firmwareStep({ state: S.DOWNLOADED, result: 0 }, { type: 'reset' }), idle);
  assert.deepEqual(firmwareStep({ state: S.IDLE, result: R.INTEGRITY_FAILURE }, { type: 'reset' }), idle);
  assert.equal(firmwareStep({ state: S.UPDATING, result: 0 }, { type: 'reset' }), undefined);
  assert.deepEqual(firmwareStep({ state: S.DOWNLOADING, result: 0 }, { type: 'cancel' }), { state: S.IDLE, result: R.CANCELLED });
  assert.equal(firmwareStep(idle, { type: 'cancel' }), undefined);
  assert.equal(firmwareStep({ state: S.UPDATING, result: 0 }, { type: 'cancel' }), undefined);
});

test('update failures keep the image (Downloaded) except integrity and package-type failures (Idle); deferral gives 11', () => {
  const updating: FirmwareStatus = { state: S.UPDATING, result: 0 };
  assert.deepEqual(firmwareStep(updating, { type: 'update-failed', result: R.UPDATE_FAILED }), { state: S.DOWNLOADED, result: 8 });
  assert.deepEqual(firmwareStep(updating, { type: 'update-failed', result: R.INTEGRITY_FAILURE }), { state: S.IDLE, result: 5 });
  assert.deepEqual(firmwareStep(updating, { type: 'update-failed', result: R.UNSUPPORTED_PACKAGE }), { state: S.IDLE, result: 6 });
  // A download-phase result while installing (found by the property below): the image stays, result 8.
  assert.deepEqual(firmwareStep(updating, { type: 'update-failed', result: R.NOT_ENOUGH_FLASH }), { state: S.DOWNLOADED, result: 8 });
  assert.deepEqual(firmwareStep(updating, { type: 'deferred' }), { state: S.DOWNLOADED, result: 11 });
  assert.equal(firmwareStep(updating, { type: 'update-failed', result: R.SUCCESS }), undefined);
  assert.equal(firmwareStep({ state: S.DOWNLOADING, result: 0 }, { type: 'update' }), undefined, 'Update only from Downloaded');
});

const eventArb: fc.Arbitrary<FirmwareEvent> = fc.oneof(
  fc.constantFrom<FirmwareEvent>({ type: 'start' }, { type: 'downloaded' }, { type: 'reset' }, { type: 'cancel' }, { type: 'update' }, { type: 'updated' }, { type: 'deferred' }),
  fc.integer({ min: 0, max: 11 }).map((r): FirmwareEvent => ({ type: 'download-failed', result: r as R })),
  fc.integer({ min: 0, max: 11 }).map((r): FirmwareEvent => ({ type: 'update-failed', result: r as R })),
);

test('property: any event sequence keeps State and Update Result consistent', () => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
      let s = idle;
      for (const e of events) {
        const next = firmwareStep(s, e);
        if (next === undefined) continue;
        // Results that end a download leave the machine Idle; 1 only after an update; 8 and 11 keep the image.
        if ([1, 2, 3, 4, 5, 6, 7, 9, 10].includes(next.result)) assert.equal(next.state, S.IDLE, `${JSON.stringify(s)} ${e.type} -> ${JSON.stringify(next)}`);
        if (next.result === 8 || next.result === 11) assert.equal(next.state, S.DOWNLOADED);
        if (next.state === S.DOWNLOADING || next.state === S.UPDATING) assert.equal(next.result, 0, 'an attempt in progress has result 0');
        if (next.result === 1) assert.equal(s.state, S.UPDATING);
        if (next.state === S.DOWNLOADED && next.result === 0) assert.equal(s.state, S.DOWNLOADING);
        s = next;
      }
    }),
    { numRuns: 500 },
  );
});
