import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, decodeDetailed, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CodecError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import type { DefinitionLookup } from '../../src/model/object-definition.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { ALL, definitions, hex, plain, toHex } from './fixtures.ts';

const TLV = ContentFormat.TLV;
const enc = (records: LwM2mRecord[], basePath: string): string => toHex(encode(records, { format: TLV, basePath, definitions }));
/** `defs` null decodes without definitions. */
const dec = (h: string, basePath: string, defs: DefinitionLookup | null = definitions): LwM2mRecord[] =>
  decode(hex(h), { format: TLV, basePath, definitions: defs ?? undefined });
const rec = (p: string, value: LwM2mRecord['value']): LwM2mRecord => ({ path: path(...p.split('/').slice(1).map(Number)), value });

describe('TLV header', () => {
  it('uses 8-bit identifiers up to 255 and 16-bit ones above', () => {
    assert.equal(enc([rec('/9000/0/10/255', 'x')], '/9000/0/10/255'), '41ff78');
    assert.equal(enc([rec('/9000/0/10/256', 'x')], '/9000/0/10/256'), '6101' + '0078');
    assert.deepStrictEqual(plain(dec('61 01 36 01', '/2/0/2/310')), [{ path: '/2/0/2/310', value: 1 }]);
  });

  it('writes the length in the type byte below 8 and in 1, 2 or 3 bytes above', () => {
    const cases: [number, string][] = [
      [0, 'c0'],
      [7, 'c7'],
      [8, 'c8' + '08'],
      [255, 'c8' + 'ff'],
      [256, 'd0' + '0100'],
      [65535, 'd0' + 'ffff'],
      [65536, 'd8' + '010000'],
    ];
    for (const [len, head] of cases) {
      const value = new Uint8Array(len).fill(0xab);
      const h = enc([rec(`/9000/0/${ALL.opaque}`, value)], `/9000/0/${ALL.opaque}`);
      assert.equal(h.slice(0, 2), head.slice(0, 2), `type byte for ${len}`);
      assert.equal(h.slice(2, 4), '05');
      assert.equal(h.slice(4, 4 + head.length - 2), head.slice(2), `length field for ${len}`);
      assert.equal(h.length / 2, 2 + (head.length - 2) / 2 + len);
      assert.deepStrictEqual(dec(h, `/9000/0/${ALL.opaque}`)[0]!.value, value);
    }
  });

  it('reads non-shortest length fields and 16-bit ids below 256 too', () => {
    // Resource 9 (Battery Level) with an 8-bit length field holding 1, and with a 16-bit id.
    assert.deepStrictEqual(plain(dec('c8 09 01 64', '/3/0')), [{ path: '/3/0/9', value: 100 }]);
    assert.deepStrictEqual(plain(dec('e1 00 09 64', '/3/0')), [{ path: '/3/0/9', value: 100 }]);
  });

  it('refuses truncated headers and values', () => {
    for (const h of ['c8', 'c8 00', 'c8 00 05 41', 'e1 00', 'd0 00 01', '88 07 08 42 00 0e d8']) {
      assert.throws(() => dec(h, '/3/0'), CodecError, h);
    }
  });
});

describe('TLV values', () => {
  const single = (type: keyof typeof ALL): string => `/9000/0/${ALL[type]}`;

  it('integers take the shortest of 1, 2, 4, 8 bytes, two complement', () => {
    const cases: [number | bigint, string][] = [
      [0, 'c10100'],
      [127, 'c1017f'],
      [-128, 'c10180'],
      [128, 'c2010080'],
      [-129, 'c201ff7f'],
      [32767, 'c2017fff'],
      [-32768, 'c2018000'],
      [32768, 'c40100008000'],
      [2147483647, 'c4017fffffff'],
      [-2147483648, 'c40180000000'],
      [2147483648, 'c8010800000000' + '80000000'],
      [-(2n ** 63n), 'c801088000000000000000'],
      [2n ** 63n - 1n, 'c801087fffffffffffffff'],
    ];
    for (const [v, h] of cases) {
      assert.equal(enc([rec(single('integer'), v)], single('integer')), h, String(v));
      assert.deepStrictEqual(dec(h, single('integer'))[0]!.value, v);
    }
  });

  it('unsigned integers are unsigned on the wire, up to 2^64-1', () => {
    assert.equal(enc([rec(single('unsigned'), 255)], single('unsigned')), 'c102ff');
    assert.equal(enc([rec(single('unsigned'), 2n ** 64n - 1n)], single('unsigned')), 'c80208ffffffffffffffff');
    assert.deepStrictEqual(dec('c80208ffffffffffffffff', single('unsigned'))[0]!.value, 2n ** 64n - 1n);
    assert.deepStrictEqual(dec('c102ff', single('unsigned'))[0]!.value, 255);
  });

  it('refuses integers of 0, 3, 5 or 9 bytes', () => {
    for (const h of ['c001', 'c301000000', 'c50100000000 00', 'c801090000000000000000 00']) {
      assert.throws(() => dec(h, single('integer')), /not an integer of 1, 2, 4 or 8 bytes|claims/);
    }
  });

  it('floats take 4 bytes when exact, else 8; -0 and NaN survive', () => {
    assert.equal(enc([rec(single('float'), 1.5)], single('float')), 'c4033fc00000');
    assert.equal(enc([rec(single('float'), 0.1)], single('float')), 'c803083fb999999999999a');
    assert.ok(Object.is(dec(enc([rec(single('float'), -0)], single('float')), single('float'))[0]!.value, -0));
    assert.ok(Number.isNaN(dec(enc([rec(single('float'), NaN)], single('float')), single('float'))[0]!.value));
    assert.throws(() => dec('c303000000', single('float')), /float of 4 or 8 bytes/);
  });

  it('booleans are one byte, 0 or 1', () => {
    assert.equal(enc([rec(single('boolean'), true)], single('boolean')), 'c10401');
    assert.deepStrictEqual(dec('c10400', single('boolean'))[0]!.value, false);
    assert.throws(() => dec('c10402', single('boolean')), /boolean/);
    assert.throws(() => dec('c2040000', single('boolean')), /boolean/);
  });

  it('object links are 4 bytes, time an integer of seconds', () => {
    assert.equal(enc([rec(single('objlnk'), { oid: 3, iid: 1 })], single('objlnk')), 'c40700030001');
    assert.throws(() => dec('c307000300', single('objlnk')), /object link/);
    assert.equal(enc([rec(single('time'), new Date(1367491215_000))], single('time')), 'c4065182428f');
    assert.deepStrictEqual(dec('c4065182428f', single('time'))[0]!.value, new Date(1367491215_000));
    assert.deepStrictEqual(dec('c106ff', single('time'))[0]!.value, new Date(-1000));
  });

  it('strings are UTF-8, checked', () => {
    assert.equal(enc([rec(single('string'), 'é')], single('string')), 'c200c3a9');
    assert.throws(() => dec('c100c3', single('string')), /UTF-8/);
    assert.throws(() => enc([rec(single('string'), '\ud800')], single('string')), /surrogate/);
  });

  it('keeps values opaque when there is no definition', () => {
    assert.deepStrictEqual(plain(dec('c1 09 64 c3 00 61 62 63', '/3/0', null)), [
      { path: '/3/0/9', value: new Uint8Array([0x64]) },
      { path: '/3/0/0', value: new Uint8Array([0x61, 0x62, 0x63]) },
    ]);
  });
});

describe('TLV structure', () => {
  it('a multiple resource reads as its wrapper and as bare resource instances', () => {
    assert.equal(enc([rec('/3/0/6/0', 1), rec('/3/0/6/1', 5)], '/3/0/6'), '860641000141 0105'.replace(/ /g, ''));
    const expected = [
      { path: '/3/0/6/0', value: 1 },
      { path: '/3/0/6/1', value: 5 },
    ];
    assert.deepStrictEqual(plain(dec('86 06 41 00 01 41 01 05', '/3/0/6')), expected);
    assert.deepStrictEqual(plain(dec('41 00 01 41 01 05', '/3/0/6')), expected);
    assert.deepStrictEqual(plain(dec('41 01 05', '/3/0/6/1')), [expected[1]]);
    assert.equal(enc([rec('/3/0/6/1', 5)], '/3/0/6/1'), '410105');
  });

  it('a single resource may come wrapped in its object instance', () => {
    assert.deepStrictEqual(plain(dec('08 00 03 c1 09 64', '/3/0/9')), [{ path: '/3/0/9', value: 100 }]);
    assert.throws(() => dec('08 01 03 c1 09 64', '/3/0/9'), /outside the request path/);
  });

  it('sorts records by path and groups instances', () => {
    const h = enc([rec('/1/1/0', 2), rec('/1/0/1', 60), rec('/1/0/0', 1)], '/1');
    assert.equal(h, '0600' + 'c10001' + 'c1013c' + '0301' + 'c10002');
  });

  it('writes and reads multi-instance resources with no instances', () => {
    assert.equal(toHex(encode([rec('/3/0/9', 100)], { format: TLV, basePath: '/3/0', definitions, emptyResources: ['/3/0/6'] })), '8006c10964');
    const r = decodeDetailed(hex('80 06 c1 09 64'), { format: TLV, basePath: '/3/0', definitions });
    assert.deepStrictEqual(r.emptyResources.map(String), ['/3/0/6']);
    assert.deepStrictEqual(plain(r.records), [{ path: '/3/0/9', value: 100 }]);
  });

  it('puts bare resources of a Create under the given instance id', () => {
    const bytes = hex('c1 00 05 c1 01 3c');
    assert.throws(() => decode(bytes, { format: TLV, basePath: '/1', definitions }), /needs a request path/);
    assert.deepStrictEqual(plain(decode(bytes, { format: TLV, basePath: '/1', definitions, newInstanceId: 4 })), [
      { path: '/1/4/0', value: 5 },
      { path: '/1/4/1', value: 60 },
    ]);
  });

  it('refuses malformed nesting, duplicates and paths outside the request', () => {
    const bad: [string, string, RegExp][] = [
      ['08 00 03 41 00 01', '/3', /cannot be nested in a object instance/],
      ['83 06 c1 00 01', '/3/0', /cannot be nested in a multiple resource/],
      ['c1 09 64 c1 09 64', '/3/0', /appears twice/],
      ['08 00 00 08 00 00', '/3', /appears twice/],
      ['08 00 00 c1 09 64', '/3', /needs a request path/],
      ['08 00 03 c1 09 64 c1 09 64', '/3/0', /.+/],
      ['08 00 09 c1 0a 0f c1 09 64 c1 0a 0f', '/3/0', /appears twice/],
      ['c1 0a 0f', '/3/0/9', /outside the request path/],
      ['03 01 c1 00 05', '/1/0', /outside the request path/],
      ['41 00 01', '/3/0', /needs a request path/],
      ['c1 06 01', '/3/0', /multi-instance/],
      ['83 09 41 00 64', '/3/0', /single-instance but TLV sends it as a multiple/],
      ['c1 09 65', '/3/0', /101 is outside 0..100/],
      ['c1 63 01', '/3/0', /no resource 99/],
      ['c1 04 01', '/3/0', /executable/],
      ['08 01 03 c1 09 64', '/3', /single-instance/],
      ['c1 00 01', '/4000/0', /unknown object 4000/],
      ['c1 09 64 83 09 41 00 64', '/3/0', /.+/],
    ];
    for (const [h, base, re] of bad) assert.throws(() => dec(h, base), re, `${h} at ${base}`);
    assert.throws(() => encode([rec('/3/0/9', 1)], { format: TLV, basePath: '/', definitions }), /depth 1 or more/);
  });

  it('decodes unknown objects raw when asked to', () => {
    const r = decode(hex('c1 00 01'), { format: TLV, basePath: '/4000/0', definitions, allowUnknownObjects: true });
    assert.deepStrictEqual(plain(r), [{ path: '/4000/0/0', value: new Uint8Array([1]) }]);
  });

  it('refuses time series', () => {
    assert.throws(
      () => encode([{ ...rec('/3/0/9', 1), time: 1 }, { ...rec('/3/0/9', 2), time: 2 }], { format: TLV, basePath: '/3/0', definitions }),
      /TLV carries no time series/,
    );
  });
});
