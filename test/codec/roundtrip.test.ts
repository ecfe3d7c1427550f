/**
 * Round-trip properties: for every format and every resource type, decode(encode(records)) gives the
 * records back - 64-bit limits, -0.0, NaN and infinities where the format has them (not in JSON or
 * text), empty strings, 0-byte and 64 KiB opaque values, any Unicode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decode, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import type { ResourceValue } from '../../src/model/resource-type.ts';
import { ALL, definitions, plain } from './fixtures.ts';

type TypeName = keyof typeof ALL;
const TYPES = Object.keys(ALL) as TypeName[];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const norm = (b: bigint): number | bigint => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

/** Arbitrary values of each type; `finite` leaves out NaN and infinities (JSON and text cannot hold them). */
function valueOf(type: TypeName, finite: boolean): fc.Arbitrary<ResourceValue> {
  switch (type) {
    case 'string':
    case 'corelnk':
      return fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme-ascii', maxLength: 10 }));
    case 'integer':
      return fc.oneof(
        fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n, 2n ** 53n, -(2n ** 53n)).map(norm),
        fc.integer({ min: -1000, max: 1000 }),
        fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map(norm),
      );
    case 'unsigned':
      return fc.oneof(fc.constantFrom(0n, UINT64_MAX, INT64_MAX + 1n).map(norm), fc.bigInt({ min: 0n, max: UINT64_MAX }).map(norm));
    case 'float':
      return fc.oneof(
        fc.constantFrom(-0, 0, 1.5, 0.1, Number.MAX_VALUE, Number.MIN_VALUE, -1e-300),
        fc.double({ noNaN: finite, noDefaultInfinity: finite }),
      );
    case 'boolean':
      return fc.boolean();
    case 'opaque':
      return fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 40 }));
    case 'time':
      return fc.integer({ min: -8_640_000_000_000, max: 8_640_000_000_000 }).map((s) => new Date(s * 1000));
    case 'objlnk':
      return fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([oid, iid]) => ({ oid, iid }));
  }
}

const rec = (ids: number[], value: ResourceValue, time?: number): LwM2mRecord => {
  const r = { path: path(...ids), value };
  return time === undefined ? r : { ...r, time };
};

/** Records of one instance of object 9000: a subset of resources, single or multi-instance. */
function instanceRecords(iid: number, finite: boolean): fc.Arbitrary<LwM2mRecord[]> {
  return fc
    .subarray(TYPES, { minLength: 1 })
    .chain((types) =>
      fc.tuple(
        ...types.map((t) =>
          fc.oneof(
            valueOf(t, finite).map((v) => [rec([9000, iid, ALL[t]], v)]),
            fc
              .uniqueArray(fc.integer({ min: 0, max: 70000 }).filter((i) => i <= 65534), { minLength: 1, maxLength: 3 })
              .chain((riids) => fc.tuple(...riids.map((ri) => valueOf(t, finite).map((v) => rec([9000, iid, ALL[t] + 10, ri], v))))),
          ),
        ),
      ),
    )
    .map((groups) => groups.flat());
}

const byPath = (records: LwM2mRecord[]): LwM2mRecord[] => records.slice().sort((a, b) => a.path.compare(b.path));

function same(actual: readonly LwM2mRecord[], expected: readonly LwM2mRecord[]): void {
  assert.deepStrictEqual(plain(byPath([...actual])), plain(byPath([...expected])));
}

const RUNS = 150;

describe('round trips of single values (text, opaque, CBOR)', () => {
  for (const format of [ContentFormat.TEXT, ContentFormat.CBOR]) {
    it(`format ${format}: every type`, () => {
      for (const type of TYPES) {
        const basePath = `/9000/0/${ALL[type]}`;
        fc.assert(
          fc.property(valueOf(type, format === ContentFormat.TEXT), (value) => {
            const records = [rec([9000, 0, ALL[type]], value)];
            same(decode(encode(records, { format, basePath, definitions }), { format, basePath, definitions }), records);
          }),
          { numRuns: 60 },
        );
      }
    });
  }

  it('opaque: any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (value) => {
        const records = [rec([5, 0, 0], value)];
        const opts = { format: ContentFormat.OPAQUE, basePath: '/5/0/0', definitions };
        same(decode(encode(records, opts), opts), records);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('round trips of whole objects and instances', () => {
  const multi: [number, boolean][] = [
    [ContentFormat.TLV, false],
    [ContentFormat.OMA_JSON, true],
    [ContentFormat.SENML_JSON, true],
    [ContentFormat.SENML_CBOR, false],
    [ContentFormat.LWM2M_CBOR, false],
  ];
  for (const [format, finite] of multi) {
    it(`format ${format}: instances of every type, at object, instance and resource level`, () => {
      fc.assert(
        fc.property(instanceRecords(0, finite), instanceRecords(7, finite), (a, b) => {
          const records = [...a, ...b];
          for (const basePath of ['/9000', '/9000/7']) {
            const subset = records.filter((r) => r.path.startsWith(path(...basePath.split('/').slice(1).map(Number))));
            const bytes = encode(subset, { format, basePath, definitions });
            same(decode(bytes, { format, basePath, definitions }), subset);
          }
          const first = a[0]!.path.ancestor(3);
          const one = a.filter((r) => r.path.startsWith(first));
          same(decode(encode(one, { format, basePath: first, definitions }), { format, basePath: first, definitions }), one);
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
    it(`format ${format}: composite payloads across objects at the root`, () => {
      const finite = format === ContentFormat.SENML_JSON;
      const others = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: -100, max: 100 }), fc.float({ noNaN: true, noDefaultInfinity: true }));
      fc.assert(
        fc.property(instanceRecords(3, finite), others, (a, [battery, voltage, temp]) => {
          const records = [...a, rec([3, 0, 9], battery), rec([3, 0, 7, 1], voltage), rec([3303, 2, 5700], temp)];
          const opts = { format, basePath: '/', definitions };
          same(decode(encode(records, opts), opts), records);
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.OMA_JSON]) {
    it(`format ${format}: time series keep values, times and order`, () => {
      const finite = format !== ContentFormat.SENML_CBOR;
      fc.assert(
        fc.property(
          // Absolute times: below 2^28 SenML reads a time as relative (RFC 8428 4.5.3).
          fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: 2 ** 28, max: 1e12 }), { minLength: 1, maxLength: 8 }),
          fc.array(valueOf('float', finite), { minLength: 8, maxLength: 8 }),
          (times, values) => {
            const records = times.map((t, i) => rec([3303, 0, 5700], values[i]!, t));
            const opts = { format, basePath: '/3303/0/5700', definitions };
            assert.deepStrictEqual(plain(decode(encode(records, opts), opts)), plain(records));
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('round trips without definitions keep the inferred type', () => {
  it('SenML, OMA JSON, CBOR and LwM2M CBOR', () => {
    const inferable: TypeName[] = ['string', 'integer', 'boolean', 'opaque', 'objlnk'];
    for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR, ContentFormat.OMA_JSON]) {
      fc.assert(
        fc.property(
          fc.tuple(...inferable.map((t) => valueOf(t, true))),
          fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
          (values, float) => {
            // OMA JSON has no bytes type (opaque is base64 text); LwM2M CBOR writes object links as text.
            const records = [
              ...values
                .map((v, i) => rec([4000, 0, i], v))
                .filter((r) => format !== ContentFormat.OMA_JSON || !(r.value instanceof Uint8Array))
                .filter((r) => format !== ContentFormat.LWM2M_CBOR || inferable[r.path.ids[2]!] !== 'objlnk'),
              rec([4000, 0, 9], float),
            ];
            const opts = { format, basePath: '/4000/0' };
            same(decode(encode(records, opts), opts), records);
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});

describe('large and empty values', () => {
  it('a 64 KiB opaque value and an empty one in every format that holds opaque values', () => {
    const big = new Uint8Array(65536).map((_, i) => (i * 7) & 0xff);
    for (const value of [big, new Uint8Array(0)]) {
      for (const format of [ContentFormat.OPAQUE, ContentFormat.TEXT, ContentFormat.CBOR, ContentFormat.TLV, ContentFormat.OMA_JSON, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
        const records = [rec([5, 0, 0], value)];
        const opts = { format, basePath: '/5/0/0', definitions };
        same(decode(encode(records, opts), opts), records);
      }
    }
  });
});
