import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRange, parseRange, rangeAppliesTo, rangeProblem } from '../../src/model/range.ts';
import type { RangeConstraint } from '../../src/model/object-definition.ts';

test('numeric ranges in every spelling the registry uses', () => {
  const cases: [string, RangeConstraint][] = [
    ['0..7', { kind: 'numeric', min: 0, max: 7 }],
    ['0-7', { kind: 'numeric', min: 0, max: 7 }],
    ['1...63', { kind: 'numeric', min: 1, max: 63 }],
    ['-40..85', { kind: 'numeric', min: -40, max: 85 }],
    ['-24..24', { kind: 'numeric', min: -24, max: 24 }],
    [' 0 .. 100 ', { kind: 'numeric', min: 0, max: 100 }],
    ['-158..-44', { kind: 'numeric', min: -158, max: -44 }],
    ['-30..-120', { kind: 'numeric', min: -120, max: -30 }], // written backwards in the registry
    ['0..4294967295', { kind: 'numeric', min: 0, max: 4294967295 }],
    ['0..9223372036854775807', { kind: 'numeric', min: 0, max: 9223372036854775807n }],
    ['0..18446744073709551615', { kind: 'numeric', min: 0, max: 18446744073709551615n }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseRange(text, 'integer'), expected, text);
  assert.deepEqual(parseRange('0.000001..1.0', 'float'), { kind: 'numeric', min: 0.000001, max: 1 });
  assert.deepEqual(parseRange('3.8 to 20.5', 'float'), { kind: 'numeric', min: 3.8, max: 20.5 });
  assert.deepEqual(parseRange('0..100', 'unsigned'), { kind: 'numeric', min: 0, max: 100 });
});

test('enumerations', () => {
  assert.deepEqual(parseRange('0,1,2', 'integer'), { kind: 'enum', values: [0, 1, 2] });
  assert.deepEqual(parseRange('5, 10, 15, 20', 'integer'), { kind: 'enum', values: [5, 10, 15, 20] });
  assert.deepEqual(parseRange('0..3, 99', 'integer'), { kind: 'enum', values: [0, 1, 2, 3, 99] });
  assert.deepEqual(parseRange('0..247, 255', 'integer')?.kind, 'enum');
  assert.deepEqual(parseRange('ON;OFF', 'string'), { kind: 'enum', values: ['ON', 'OFF'] });
  assert.deepEqual(parseRange('0.5, 1.5', 'float'), { kind: 'enum', values: [0.5, 1.5] });
  // A float sub-range cannot be expanded, nor can a huge integer one.
  assert.equal(parseRange('0; 3.8..20.5', 'float'), undefined);
  assert.equal(parseRange('0..100000, 7', 'integer'), undefined);
});

test('lengths for strings and opaque values', () => {
  assert.deepEqual(parseRange('1..255 bytes', 'string'), { kind: 'length', min: 1, max: 255 });
  assert.deepEqual(parseRange('0-255 bytes', 'string'), { kind: 'length', min: 0, max: 255 });
  assert.deepEqual(parseRange('1..64 Bytes', 'string'), { kind: 'length', min: 1, max: 64 });
  assert.deepEqual(parseRange('0..255', 'string'), { kind: 'length', min: 0, max: 255 });
  assert.deepEqual(parseRange('0..255', 'opaque'), { kind: 'length', min: 0, max: 255 });
  // A single size is an upper bound: the registry uses it for exact sizes and for maxima alike.
  assert.deepEqual(parseRange('6 bytes', 'opaque'), { kind: 'length', min: 0, max: 6 });
  assert.deepEqual(parseRange('32 bytes', 'string'), { kind: 'length', min: 0, max: 32 });
  assert.deepEqual(parseRange('1 byte', 'corelnk'), { kind: 'length', min: 0, max: 1 });
});

test('texts that are not machine-checkable stay unparsed', () => {
  const unparsed: [string, Parameters<typeof parseRange>[1]][] = [
    ['', 'integer'],
    ['   ', 'string'],
    ['8-Bits', 'integer'],
    ['16-bit', 'integer'],
    ['255', 'integer'], // a bare number: a maximum? a width? unclear
    ['64', 'string'],
    ['6', 'opaque'],
    ['1 bytes', 'integer'], // an integer's size, not a value range
    ['16,32,48', 'opaque'], // a list of lengths
    ['16-32-48 bytes', 'opaque'],
    ['10,26', 'string'], // a list of lengths, not of values
    ['10 or 26 Bytes', 'string'],
    ['2 Instances', 'integer'],
    ['[1:4]', 'integer'],
    ['&lt;7 to &gt;12.5', 'float'],
    ['ON;OFF', 'float'],
    ['The possible values are those listed in the LwM2M Core Specification', 'string'],
    ['0..65535', 'boolean'],
    ['0..7', 'objlnk'],
    ['0..7', 'none'],
    ['0..1.5 bytes', 'opaque'],
    ['-1..4 bytes', 'string'],
  ];
  for (const [text, type] of unparsed) assert.equal(parseRange(text, type), undefined, `${type} '${text}'`);
});

test('rangeProblem checks numbers, bigints, lengths, enums and times', () => {
  const r07: RangeConstraint = { kind: 'numeric', min: 0, max: 7 };
  assert.equal(rangeProblem(r07, 0), undefined);
  assert.equal(rangeProblem(r07, 7), undefined);
  assert.match(rangeProblem(r07, 8) ?? '', /8 is outside the range 0\.\.7/);
  assert.match(rangeProblem(r07, -1n) ?? '', /outside/);
  assert.match(rangeProblem(r07, Number.NaN) ?? '', /NaN/);
  const big: RangeConstraint = { kind: 'numeric', min: 0, max: 18446744073709551615n };
  assert.equal(rangeProblem(big, 18446744073709551615n), undefined);
  assert.ok(rangeProblem(big, 18446744073709551616n) !== undefined);
  const len: RangeConstraint = { kind: 'length', min: 1, max: 3 };
  assert.equal(rangeProblem(len, 'abc'), undefined);
  assert.ok(rangeProblem(len, '') !== undefined);
  assert.ok(rangeProblem(len, 'éé') !== undefined, 'lengths are UTF-8 bytes: é is 2 bytes');
  assert.equal(rangeProblem(len, new Uint8Array(3)), undefined);
  assert.ok(rangeProblem(len, new Uint8Array(4)) !== undefined);
  const en: RangeConstraint = { kind: 'enum', values: [1, 5] };
  assert.equal(rangeProblem(en, 5n), undefined);
  assert.ok(rangeProblem(en, 2) !== undefined);
  assert.equal(rangeProblem({ kind: 'enum', values: ['ON', 'OFF'] }, 'ON'), undefined);
  assert.ok(rangeProblem({ kind: 'enum', values: ['ON', 'OFF'] }, 'on') !== undefined);
  const secs: RangeConstraint = { kind: 'numeric', min: 0, max: 100 };
  assert.equal(rangeProblem(secs, new Date(100_999)), undefined);
  assert.ok(rangeProblem(secs, new Date(101_000)) !== undefined);
});

test('property: a parsed integer range accepts exactly the values between its bounds', () => {
  fc.assert(
    fc.property(fc.bigInt(-(2n ** 63n), 2n ** 64n - 1n), fc.bigInt(-(2n ** 63n), 2n ** 64n - 1n), fc.bigInt(-(2n ** 64n), 2n ** 65n), fc.constantFrom('..', '-', '...'), (a, b, v, sep) => {
      const text = sep === '-' && b < 0n ? `${a}..${b}` : `${a}${sep}${b}`;
      const range = parseRange(text, 'integer');
      assert.ok(range?.kind === 'numeric');
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.equal(BigInt(range.min), lo);
      assert.equal(BigInt(range.max), hi);
      const inside = v >= lo && v <= hi;
      const asNumber = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      assert.equal(rangeProblem(range, asNumber) === undefined, inside);
    }),
    { numRuns: 500 },
  );
});

test('property: formatRange output parses back to the same constraint', () => {
  const numeric = fc
    .tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }))
    .map(([a, b]): RangeConstraint => ({ kind: 'numeric', min: Math.min(a, b), max: Math.max(a, b) }));
  const length = fc
    .tuple(fc.nat(70000), fc.nat(70000))
    .map(([a, b]): RangeConstraint => ({ kind: 'length', min: Math.min(a, b), max: Math.max(a, b) }));
  const enumeration = fc
    .uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 20 })
    .map((values): RangeConstraint => ({ kind: 'enum', values }));
  fc.assert(
    fc.property(fc.oneof(numeric, length, enumeration), (range) => {
      const type = range.kind === 'length' ? 'opaque' : 'integer';
      assert.ok(rangeAppliesTo(range, type));
      assert.deepEqual(parseRange(formatRange(range), type), range);
    }),
    { numRuns: 300 },
  );
});

test('rangeAppliesTo matches constraint kinds to types', () => {
  assert.ok(rangeAppliesTo({ kind: 'numeric', min: 0, max: 1 }, 'float'));
  assert.ok(rangeAppliesTo({ kind: 'numeric', min: 0, max: 1 }, 'time'));
  assert.ok(!rangeAppliesTo({ kind: 'numeric', min: 0, max: 1 }, 'string'));
  assert.ok(rangeAppliesTo({ kind: 'length', min: 0, max: 1 }, 'corelnk'));
  assert.ok(!rangeAppliesTo({ kind: 'length', min: 0, max: 1 }, 'integer'));
  assert.ok(rangeAppliesTo({ kind: 'enum', values: ['a'] }, 'string'));
  assert.ok(!rangeAppliesTo({ kind: 'enum', values: ['a'] }, 'integer'));
  assert.ok(!rangeAppliesTo({ kind: 'enum', values: [1] }, 'boolean'));
});
