/** Transmission parameters (RFC 7252 4.8, 4.8.2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PARAMS, resolveParams } from '../../src/coap/params.ts';

test('the defaults and their derived times match RFC 7252 4.8.2, shared by every endpoint without overrides', () => {
  assert.equal(DEFAULT_PARAMS.maxTransmitSpan, 45_000);
  assert.equal(DEFAULT_PARAMS.maxTransmitWait, 93_000);
  assert.equal(DEFAULT_PARAMS.maxRtt, 202_000);
  assert.equal(DEFAULT_PARAMS.exchangeLifetime, 247_000);
  assert.equal(DEFAULT_PARAMS.nonLifetime, 145_000);
  assert.ok(Object.isFrozen(DEFAULT_PARAMS));
  assert.equal(resolveParams(), DEFAULT_PARAMS);
  assert.equal(resolveParams({}), DEFAULT_PARAMS);
  assert.equal(resolveParams({ ackTimeout: undefined }), DEFAULT_PARAMS);
});

test('overrides give a parameter set of their own with the derived times recomputed', () => {
  const p = resolveParams({ ackTimeout: 1000, maxRetransmit: 2 });
  assert.notEqual(p, DEFAULT_PARAMS);
  assert.ok(Object.isFrozen(p));
  assert.equal(p.maxTransmitSpan, 1000 * 3 * 1.5);
  assert.equal(p.exchangeLifetime, 4500 + 200_000 + 1000);
  assert.equal(DEFAULT_PARAMS.ackTimeout, 2000);
  assert.throws(() => resolveParams({ ackRandomFactor: 0.5 }), RangeError);
});
