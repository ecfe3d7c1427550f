import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzDtls, runCase } from './dtls-fuzz.ts';

test('DTLS fuzz slice: mutated records and handshake messages never crash, leak plaintext, forge data or give a stranger a session', async () => {
  const outcomes = await fuzzDtls(120);
  // Most mutations are survived (dropped, retransmitted); some kill the handshake. Both must occur,
  // or the fuzzer is not reaching the code it means to.
  assert.ok(outcomes['all-delivered'] > 20, JSON.stringify(outcomes));
  assert.ok(outcomes['none-delivered'] + outcomes['some-delivered'] > 0, JSON.stringify(outcomes));
});

test('DTLS fuzz regression cases', async () => {
  // A re-framed ServerHello with a shortened body, a CCS moved to epoch 1, a stranger replaying a ClientHello.
  assert.equal(await runCase({ mode: 'psk-ccm8', mutations: [], injections: [] }), 'all-delivered');
  await runCase({ mode: 'psk-ccm8', mutations: [{ index: 3, mutation: { kind: 'handshake', field: 'fragment', value: 5, at: 0 } }], injections: [] });
  await runCase({ mode: 'cert', mutations: [{ index: 4, mutation: { kind: 'header', field: 'epoch', value: 1 } }], injections: [{ index: 2, mutation: { kind: 'duplicate' } }] });
  await runCase({ mode: 'cid', mutations: [], injections: [{ index: 5, mutation: { kind: 'flip', at: 30, bit: 0 } }, { index: 6, mutation: { kind: 'duplicate' } }] });
});
