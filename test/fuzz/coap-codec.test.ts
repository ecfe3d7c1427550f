/** Property tests of the CoAP codec (RFC 7252 3): round trips, and hostile input only ever throws CoapParseError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CoapParseError } from '../../src/errors.ts';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';
import type { CoapMessage, CoapOptionEntry, CoapType } from '../../src/coap/message.ts';

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

const optionArb: fc.Arbitrary<CoapOptionEntry> = fc.record({
  number: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 65535 })),
  value: fc.oneof(bytes(12), bytes(300), bytes(1200)),
});

/** Valid messages: options sorted stably by number, as parse returns them. */
const messageArb: fc.Arbitrary<CoapMessage> = fc
  .record({
    type: fc.integer({ min: 0, max: 3 }),
    code: fc.integer({ min: 0, max: 255 }),
    messageId: fc.integer({ min: 0, max: 0xffff }),
    token: bytes(8),
    options: fc.array(optionArb, { maxLength: 8 }),
    payload: bytes(600),
  })
  .map((m) => {
    const options = m.options.map((o, i) => ({ ...o, i })).sort((a, b) => a.number - b.number || a.i - b.i).map(({ number, value }) => ({ number, value }));
    const empty = m.code === 0;
    return {
      type: m.type as CoapType,
      code: m.code,
      messageId: m.messageId,
      token: empty ? new Uint8Array(0) : m.token,
      options: empty ? [] : options,
      payload: empty ? new Uint8Array(0) : m.payload,
    };
  });

test('parse(serialize(m)) equals m for random valid messages', () => {
  fc.assert(
    fc.property(messageArb, (m) => {
      assert.deepEqual(parse(serialize(m)), m);
    }),
    { numRuns: 2000 },
  );
});

function parsesOrRejects(data: Uint8Array): void {
  let m: CoapMessage;
  try {
    m = parse(data);
  } catch (e) {
    if (!(e instanceof CoapParseError)) throw e;
    return;
  }
  // Every accepted datagram has exactly one encoding: re-encoding gives the same bytes.
  assert.deepEqual(serialize(m), data);
}

test('random datagrams either parse (and re-encode identically) or throw CoapParseError', () => {
  fc.assert(fc.property(bytes(200), parsesOrRejects), { numRuns: 20000 });
  // Mostly well-formed starts: version 1 and small token lengths make deeper parsing likely.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x3f }), bytes(100), (b0, rest) => {
      parsesOrRejects(Uint8Array.of(0x40 | (b0 & 0x3f), ...rest));
    }),
    { numRuns: 20000 },
  );
});

test('mutated valid datagrams (bit flips, truncation, splices) never throw anything but CoapParseError', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x0d, 0x0e, 0x0f, 0xd0, 0xe0, 0xf0, 0xff, 0x49) }),
  );
  fc.assert(
    fc.property(messageArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
      let data = serialize(m);
      for (const mu of mutations) {
        if (data.length === 0) break;
        const at = mu.at % data.length;
        if (mu.kind === 'flip') data[at]! ^= 1 << mu.bit;
        else if (mu.kind === 'truncate') data = data.subarray(0, at);
        else if (mu.kind === 'insert') data = Uint8Array.of(...data.subarray(0, at), mu.byte, ...data.subarray(at));
        else data[at] = mu.byte;
      }
      parsesOrRejects(data.slice());
    }),
    { numRuns: 5000 },
  );
});
