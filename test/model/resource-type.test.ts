import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  INT64_MAX,
  INT64_MIN,
  NULL_OBJLNK,
  RESOURCE_TYPES,
  UINT64_MAX,
  checkWireValue,
  coerceResourceValue,
  coerceValue,
  describeValue,
  formatValue,
  isValueType,
  normalizeInteger,
  valueProblem,
  valueTypeOf,
  valuesEqual,
} from '../../src/model/resource-type.ts';
import type { ResourceValue, ValueType } from '../../src/model/resource-type.ts';
import type { ResourceDefinition } from '../../src/model/object-definition.ts';
import { CodecError, ValueError } from '../../src/errors.ts';

test('integers: number while safe, bigint beyond 2^53, 64-bit limits', () => {
  assert.equal(coerceValue('integer', 42), 42);
  assert.equal(coerceValue('integer', 42n), 42);
  assert.ok(Object.is(coerceValue('integer', -0), 0), '-0 becomes 0');
  assert.equal(coerceValue('integer', Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  assert.equal(coerceValue('integer', 2n ** 53n), 2n ** 53n);
  assert.equal(coerceValue('integer', 2 ** 60), 2n ** 60n, 'an exact unsafe number becomes a bigint');
  assert.equal(coerceValue('integer', INT64_MAX), INT64_MAX);
  assert.equal(coerceValue('integer', INT64_MIN), INT64_MIN);
  assert.throws(() => coerceValue('integer', INT64_MAX + 1n), ValueError);
  assert.throws(() => coerceValue('integer', INT64_MIN - 1n), ValueError);
  assert.throws(() => coerceValue('integer', 2 ** 63), ValueError);
  assert.throws(() => coerceValue('integer', 1.5), /integer expects an integer/);
  assert.throws(() => coerceValue('integer', Number.NaN), ValueError);
  assert.throws(() => coerceValue('integer', Infinity), ValueError);
  assert.throws(() => coerceValue('integer', '42'), /expects a number or bigint, got the string "42"/);
  assert.equal(coerceValue('unsigned', UINT64_MAX), UINT64_MAX);
  assert.equal(coerceValue('unsigned', 0), 0);
  assert.throws(() => coerceValue('unsigned', -1), ValueError);
  assert.throws(() => coerceValue('unsigned', UINT64_MAX + 1n), ValueError);
});

test('property: integer coercion keeps the value and picks number exactly when safe', () => {
  fc.assert(
    fc.property(fc.bigInt(INT64_MIN, INT64_MAX), fc.boolean(), (v, asNumber) => {
      const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      const input = asNumber && safe ? Number(v) : v;
      const out = coerceValue('integer', input);
      assert.equal(typeof out, safe ? 'number' : 'bigint');
      assert.equal(BigInt(out), v);
      assert.equal(normalizeInteger(v), out);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.bigInt(-(2n ** 65n), 2n ** 65n), (v) => {
      const ok = v >= 0n && v <= UINT64_MAX;
      assert.equal(valueProblem('unsigned', v) === undefined, ok);
    }),
    { numRuns: 1000 },
  );
});

test('float, boolean, opaque, string, corelnk', () => {
  assert.equal(coerceValue('float', 21.5), 21.5);
  assert.ok(Object.is(coerceValue('float', -0), -0), 'floats keep -0');
  assert.ok(Number.isNaN(coerceValue('float', Number.NaN)));
  assert.equal(coerceValue('float', -Infinity), -Infinity);
  assert.throws(() => coerceValue('float', 1n), /float expects a number, got bigint 1/);
  assert.equal(coerceValue('boolean', false), false);
  assert.throws(() => coerceValue('boolean', 0), /boolean expects true or false/);
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(coerceValue('opaque', bytes), bytes);
  assert.ok(coerceValue('opaque', Buffer.from('ab')) instanceof Uint8Array);
  assert.throws(() => coerceValue('opaque', [1, 2]), /got an array/);
  assert.equal(coerceValue('string', ''), '');
  assert.equal(coerceValue('string', 'héllo 🌍'), 'héllo 🌍');
  assert.throws(() => coerceValue('string', 'bad \ud800 half'), /lone UTF-16 surrogate/);
  assert.throws(() => coerceValue('string', 5), ValueError);
  assert.equal(coerceValue('corelnk', '</3/0>'), '</3/0>');
});

test('time: Date or seconds in, Date out', () => {
  const d = new Date('2024-01-01T00:00:00Z');
  assert.equal(coerceValue('time', d), d);
  assert.equal(coerceValue('time', 1704067200).getTime(), d.getTime());
  assert.equal(coerceValue('time', 1704067200n).getTime(), d.getTime());
  assert.equal(coerceValue('time', -1).getTime(), -1000);
  assert.throws(() => coerceValue('time', new Date(Number.NaN)), /invalid Date/);
  assert.throws(() => coerceValue('time', Number.POSITIVE_INFINITY), ValueError);
  assert.throws(() => coerceValue('time', 2n ** 62n), /beyond the range of a Date/);
  assert.throws(() => coerceValue('time', 9e12), /beyond the range of a Date/);
  assert.throws(() => coerceValue('time', '2024-01-01'), ValueError);
});

test('objlnk: {oid, iid} with 16-bit ids', () => {
  assert.deepEqual(coerceValue('objlnk', { oid: 3, iid: 0 }), { oid: 3, iid: 0 });
  assert.deepEqual(coerceValue('objlnk', NULL_OBJLNK), { oid: 65535, iid: 65535 });
  const extra = { oid: 1, iid: 2, junk: true };
  assert.deepEqual(coerceValue('objlnk', extra), { oid: 1, iid: 2 }, 'only the ids are kept');
  for (const bad of [{ oid: 65536, iid: 0 }, { oid: -1, iid: 0 }, { oid: 1.5, iid: 0 }, { oid: 1 }, null, '3:0', [3, 0]]) {
    assert.throws(() => coerceValue('objlnk', bad), ValueError, JSON.stringify(bad));
  }
});

test('ranges apply after the type; wire values throw CodecError; paths name the place', () => {
  const range = { kind: 'numeric', min: 0, max: 7 } as const;
  assert.equal(coerceValue('integer', 7, { range }), 7);
  assert.throws(
    () => coerceValue('integer', 8, { range, path: '/3/0/6/0' }),
    (e: unknown) => e instanceof ValueError && e.code === 'VALUE' && e.coapCode === 0x80 && e.message.startsWith('/3/0/6/0: 8 is outside'),
  );
  assert.throws(() => checkWireValue('integer', 8, { range }), CodecError);
  assert.throws(() => checkWireValue('boolean', 1), CodecError);
  assert.equal(checkWireValue('unsigned', 2n ** 64n - 1n), UINT64_MAX);
  assert.equal(checkWireValue('time', 0).getTime(), 0);
  assert.throws(() => coerceValue('string', 'toolong', { range: { kind: 'length', min: 0, max: 3 } }), ValueError);
  assert.equal(valueProblem('integer', 3, range), undefined);
  assert.match(valueProblem('integer', 9, range) ?? '', /outside/);
  assert.match(valueProblem('float', 'x') ?? '', /float expects a number/);
});

test('coerceResourceValue uses the definition and refuses executables', () => {
  const level: ResourceDefinition = {
    id: 9, name: 'Battery Level', operations: 'R', multiple: false, mandatory: false, type: 'integer',
    rangeText: '0..100', range: { kind: 'numeric', min: 0, max: 100 },
  };
  assert.equal(coerceResourceValue(level, 55), 55);
  assert.throws(() => coerceResourceValue(level, 101, '/3/0/9'), /\/3\/0\/9: 101 is outside the range 0\.\.100/);
  const reboot: ResourceDefinition = { id: 4, name: 'Reboot', operations: 'E', multiple: false, mandatory: true, type: 'none' };
  assert.throws(() => coerceResourceValue(reboot, 1), /executable/);
});

const anyValue: fc.Arbitrary<ResourceValue> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.bigInt(INT64_MIN, INT64_MAX).map(normalizeInteger),
  fc.double(),
  fc.boolean(),
  fc.uint8Array({ maxLength: 20 }),
  fc.date({ noInvalidDate: true }),
  fc.record({ oid: fc.integer({ min: 0, max: 65535 }), iid: fc.integer({ min: 0, max: 65535 }) }),
);

function copyOf(v: ResourceValue): ResourceValue {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (v instanceof Date) return new Date(v.getTime());
  if (typeof v === 'object') return { ...v };
  return v;
}

test('property: valuesEqual is an equivalence on values and their copies', () => {
  fc.assert(
    fc.property(anyValue, anyValue, (a, b) => {
      assert.ok(valuesEqual(a, a));
      assert.ok(valuesEqual(a, copyOf(a)));
      assert.equal(valuesEqual(a, b), valuesEqual(b, a));
    }),
    { numRuns: 1000 },
  );
});

test('valuesEqual edge cases', () => {
  assert.ok(valuesEqual(Number.NaN, Number.NaN));
  assert.ok(valuesEqual(0, -0));
  assert.ok(valuesEqual(5, 5n));
  assert.ok(valuesEqual(2n ** 60n, 2 ** 60));
  assert.ok(!valuesEqual(5.5, 5n));
  assert.ok(!valuesEqual(1, true));
  assert.ok(!valuesEqual('1', 1));
  assert.ok(!valuesEqual(new Uint8Array([1]), new Uint8Array([1, 0])));
  assert.ok(!valuesEqual(new Uint8Array([1]), new Uint8Array([2])));
  assert.ok(!valuesEqual(new Date(0), new Date(1)));
  assert.ok(!valuesEqual(new Date(0), { oid: 0, iid: 0 }));
  assert.ok(!valuesEqual({ oid: 1, iid: 0 }, { oid: 1, iid: 1 }));
});

test('formatValue and describeValue', () => {
  assert.equal(formatValue('abc'), 'abc');
  assert.equal(formatValue(-0), '-0');
  assert.equal(formatValue(21.5), '21.5');
  assert.equal(formatValue(2n ** 64n - 1n), '18446744073709551615');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(new Uint8Array([0, 255, 16])), '0x00ff10');
  assert.equal(formatValue(new Uint8Array(40).fill(1), { maxBytes: 2 }), '0x0101… (40 bytes)');
  assert.equal(formatValue(new Date(0)), '1970-01-01T00:00:00.000Z');
  assert.equal(formatValue({ oid: 3, iid: 0 }), '3:0');
  assert.equal(describeValue('a"b'), 'string "a\\"b"');
  assert.equal(describeValue(42), 'integer 42');
  assert.equal(describeValue(42, 'float'), 'float 42');
  assert.equal(describeValue(1.5), 'float 1.5');
  assert.equal(describeValue(new Uint8Array([1, 2, 3])), 'opaque[3] 0x010203');
  assert.equal(describeValue(new Date(1704067200_000)), 'time 2024-01-01T00:00:00.000Z (1704067200)');
  assert.equal(describeValue({ oid: 3, iid: 0 }), 'objlnk 3:0');
  assert.equal(describeValue('</1>', 'corelnk'), 'corelnk "</1>"');
});

test('valueTypeOf and isValueType', () => {
  const cases: [ResourceValue, ValueType][] = [
    ['x', 'string'], [1, 'integer'], [1n, 'integer'], [1.5, 'float'], [-0, 'float'], [Number.NaN, 'float'],
    [false, 'boolean'], [new Uint8Array(), 'opaque'], [new Date(), 'time'], [{ oid: 1, iid: 1 }, 'objlnk'],
  ];
  for (const [v, t] of cases) assert.equal(valueTypeOf(v), t);
  for (const t of RESOURCE_TYPES) assert.equal(isValueType(t), t !== 'none');
  assert.ok(!isValueType('Integer'));
});
