import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '../../src/codec/json.ts';
import { CodecError } from '../../src/errors.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('strict JSON reader (RFC 8259)', () => {
  it('parses what JSON.parse parses, objects as Maps', () => {
    // Integers beyond 2^53 come back exact as bigint; JSON.parse rounds them to a double.
    const toPlain = (v: unknown): unknown =>
      v instanceof Map
        ? Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x)]))
        : Array.isArray(v)
          ? v.map(toPlain)
          : typeof v === 'bigint'
            ? Number(v)
            : v;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        const text = JSON.stringify(v);
        assert.deepStrictEqual(toPlain(parseJson(utf8(text))), JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 64-bit integers exact and refuses overflowing floats', () => {
    assert.equal(parseJson(utf8('18446744073709551615')), 18446744073709551615n);
    assert.equal(parseJson(utf8('-9223372036854775808')), -9223372036854775808n);
    assert.equal(parseJson(utf8('9007199254740991')), 9007199254740991);
    assert.equal(parseJson(utf8('1e3')), 1000);
    assert.ok(Object.is(parseJson(utf8('-0')), -0));
    assert.equal(parseJson(utf8('123456789012345678901234567890')), 1.2345678901234568e29);
    assert.throws(() => parseJson(utf8('1e400')), /float range/);
  });

  it('refuses what RFC 8259 does not allow, and duplicate names', () => {
    const bad = ['', ' ', '{', '[1,]', '{"a":1,}', '{"a" 1}', '01', '1.', '.5', '+1', '1e', 'NaN', 'tru', '"\\x"', '"\\u12"', '"a\nb"',
      '{"a":1,"a":2}', '[1] 2', "'a'", '"\\ud800"', '"\\udc00x"', '{1:2}', '[' .repeat(40) + ']'.repeat(40)];
    for (const s of bad) assert.throws(() => parseJson(utf8(s)), CodecError, JSON.stringify(s));
    assert.throws(() => parseJson(new Uint8Array([0x22, 0xc3, 0x22])), /UTF-8/);
    assert.equal(parseJson(utf8('"\\ud83d\\ude00"')), '😀');
  });
});
