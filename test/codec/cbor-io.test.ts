import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { CborReader, halfToFloat } from '../../src/codec/cbor-reader.ts';
import { CborWriter, halfBits } from '../../src/codec/cbor-writer.ts';
import { CodecError } from '../../src/errors.ts';
import { hex, toHex } from './fixtures.ts';

const write = (f: (w: CborWriter) => void): Uint8Array => {
  const w = new CborWriter(8);
  f(w);
  return w.finish();
};

describe('CBOR writer (RFC 8949 preferred serialization)', () => {
  it('writes integers, floats and strings exactly as cborg does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n })), (v) => {
        assert.equal(toHex(write((w) => w.int(v))), toHex(cborgEncode(v)));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }).filter((v) => !Number.isInteger(v) && Number.isFinite(v)), (v) => {
        assert.equal(toHex(write((w) => w.float(v))), toHex(cborgEncode(v)));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        assert.equal(toHex(write((w) => w.text(s))), toHex(cborgEncode(s)));
      }),
      { numRuns: 200 },
    );
  });

  it('uses the shortest exact float: half, single, double', () => {
    assert.equal(toHex(write((w) => w.float(1.5))), 'f93e00');
    assert.equal(toHex(write((w) => w.float(-0))), 'f98000');
    assert.equal(toHex(write((w) => w.float(65504))), 'f97bff');
    assert.equal(toHex(write((w) => w.float(5.960464477539063e-8))), 'f90001');
    assert.equal(toHex(write((w) => w.float(65536))), 'fa47800000');
    assert.equal(toHex(write((w) => w.float(1.1))), 'fb3ff199999999999a');
    assert.equal(toHex(write((w) => w.float(NaN))), 'f97e00');
    assert.equal(toHex(write((w) => w.float(-Infinity))), 'f9fc00');
  });

  it('half bits round-trip for every value a half holds', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = halfToFloat(h);
      if (Number.isNaN(v)) continue;
      assert.equal(halfBits(v), h, `0x${h.toString(16)}`);
    }
  });
});

describe('CBOR reader', () => {
  it('reads every item cborg writes and skips it', () => {
    const item = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('v'), { maxLength: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(item, (v) => {
        const bytes = cborgEncode(v);
        const r = new CborReader(bytes);
        r.skip();
        assert.ok(r.atEnd());
      }),
      { numRuns: 300 },
    );
  });

  it('is strict', () => {
    const bad = ['1817', '190017', '1a000000ff', '1b00000000000000ff', '1c', '5f41ff', '7f61ff', 'f7', 'f820', 'ff', '62c328', '6261', '3f'];
    for (const h of bad) {
      assert.throws(() => {
        const r = new CborReader(hex(h));
        r.skip();
      }, CodecError, h);
    }
    assert.throws(() => {
      const r = new CborReader(hex('81'.repeat(40) + '00'));
      r.skip();
    }, /nested too deeply/);
    const r = new CborReader(hex('9f0102ff'));
    r.skip();
    assert.ok(r.atEnd());
  });

  it('reads 64-bit integers as bigints beyond 2^53', () => {
    const r = new CborReader(hex('1bffffffffffffffff'));
    r.head();
    assert.equal(r.intValue(), 2n ** 64n - 1n);
    const n = new CborReader(hex('3bffffffffffffffff'));
    n.head();
    assert.equal(n.intValue(), -(2n ** 64n));
    assert.deepStrictEqual(cborgDecode(hex('3bffffffffffffffff')), -(2n ** 64n));
  });
});
