import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode as cborgEncode } from 'cborg';
import { decode, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CodecError, UnsupportedFormatError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { ALL, definitions, hex, toHex } from './fixtures.ts';

const p = (type: keyof typeof ALL): string => `/9000/0/${ALL[type]}`;
const rec = (s: string, value: LwM2mRecord['value']): LwM2mRecord => ({ path: path(...s.split('/').slice(1).map(Number)), value });
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('plain text (LwM2M Core 7.4.1)', () => {
  const cases: [keyof typeof ALL, LwM2mRecord['value'], string][] = [
    ['string', 'héllo wörld', 'héllo wörld'],
    ['string', '', ''],
    ['integer', -42, '-42'],
    ['integer', -(2n ** 63n), '-9223372036854775808'],
    ['unsigned', 2n ** 64n - 1n, '18446744073709551615'],
    ['float', 21.5, '21.5'],
    ['float', 1e21, '1e+21'],
    ['float', -0, '-0.0'],
    ['boolean', true, '1'],
    ['boolean', false, '0'],
    ['time', new Date(1367491215_000), '1367491215'],
    ['opaque', new Uint8Array([1, 2, 3, 4, 5]), 'AQIDBAU='],
    ['objlnk', { oid: 3, iid: 0 }, '3:0'],
    ['corelnk', '</3/0>', '</3/0>'],
  ];

  it('writes and reads every type', () => {
    for (const [type, value, wire] of cases) {
      const bytes = encode([rec(p(type), value)], { format: ContentFormat.TEXT, basePath: p(type), definitions });
      assert.equal(text(bytes), wire, type);
      const back = decode(bytes, { format: ContentFormat.TEXT, basePath: p(type), definitions });
      assert.deepStrictEqual(back[0]!.value, value, type);
      assert.equal(back[0]!.path.toString(), p(type));
    }
  });

  it('keeps text a string without a definition', () => {
    assert.deepStrictEqual(decode(utf8('100'), { format: ContentFormat.TEXT, basePath: '/3/0/9' })[0]!.value, '100');
  });

  it('refuses malformed text for typed resources', () => {
    const bad: [keyof typeof ALL, string][] = [
      ['integer', '1.5'],
      ['integer', ''],
      ['integer', '12a'],
      ['integer', '9223372036854775808'],
      ['unsigned', '-1'],
      ['float', 'NaN'],
      ['float', '1e400'],
      ['float', '1,5'],
      ['boolean', 'true'],
      ['time', '1.5'],
      ['opaque', 'AQID!'],
      ['opaque', 'AQIDB'],
      ['objlnk', '3:70000'],
      ['objlnk', '3'],
    ];
    for (const [type, wire] of bad) {
      assert.throws(() => decode(utf8(wire), { format: ContentFormat.TEXT, basePath: p(type), definitions }), CodecError, `${type} '${wire}'`);
    }
    assert.throws(() => decode(new Uint8Array([0xff]), { format: ContentFormat.TEXT, basePath: p('string'), definitions }), /UTF-8/);
    assert.throws(() => decode(utf8('9'), { format: ContentFormat.TEXT, basePath: '/9000/0/20', definitions }), /outside 0..7/);
  });

  it('refuses what plain text cannot carry', () => {
    assert.throws(() => encode([rec(p('float'), NaN)], { format: ContentFormat.TEXT, basePath: p('float'), definitions }), /no decimal text form/);
    assert.throws(() => encode([rec('/3/0/9', 1), rec('/3/0/10', 1)], { format: ContentFormat.TEXT, basePath: '/3/0/9', definitions }), /exactly one/);
    assert.throws(() => encode([rec('/3/0/10', 1)], { format: ContentFormat.TEXT, basePath: '/3/0/9', definitions }), /not the request path/);
    assert.throws(() => encode([rec('/3/0/9', 'x')], { format: ContentFormat.TEXT, basePath: '/3/0/9', definitions }), /not a valid integer/);
    assert.throws(() => encode([rec('/3/0/9', 1)], { format: ContentFormat.TEXT, basePath: '/3/0' }), UnsupportedFormatError);
    assert.throws(() => decode(utf8('1'), { format: ContentFormat.TEXT, basePath: '/3/0/6', definitions }), UnsupportedFormatError);
    assert.throws(() => decode(utf8('1'), { format: ContentFormat.TEXT, basePath: '/3/0/4', definitions }), UnsupportedFormatError);
  });
});

describe('opaque (LwM2M Core 7.4.2)', () => {
  it('carries the raw bytes of opaque resources only', () => {
    const value = new Uint8Array([0, 1, 254, 255]);
    const bytes = encode([rec('/5/0/0', value)], { format: ContentFormat.OPAQUE, basePath: '/5/0/0', definitions });
    assert.deepStrictEqual(bytes, value);
    assert.deepStrictEqual(decode(bytes, { format: ContentFormat.OPAQUE, basePath: '/5/0/0', definitions })[0]!.value, value);
    assert.deepStrictEqual(decode(new Uint8Array(0), { format: ContentFormat.OPAQUE, basePath: '/5/0/0', definitions })[0]!.value, new Uint8Array(0));
    assert.throws(() => encode([rec('/5/0/1', 'x')], { format: ContentFormat.OPAQUE, basePath: '/5/0/1' }), /opaque values only/);
    assert.throws(() => decode(value, { format: ContentFormat.OPAQUE, basePath: '/5/0/1', definitions }), UnsupportedFormatError);
  });
});

describe('CBOR single values (LwM2M Core 1.1.1 7.4.6)', () => {
  const cases: [keyof typeof ALL, LwM2mRecord['value'], string][] = [
    ['integer', 25, '1819'],
    ['integer', -1000, '3903e7'],
    ['integer', -(2n ** 63n), '3b7fffffffffffffff'],
    ['unsigned', 2n ** 64n - 1n, '1bffffffffffffffff'],
    ['unsigned', 4294967295, '1affffffff'],
    ['float', 100000, 'fa47c35000'],
    ['float', -4.1, 'fbc010666666666666'],
    ['float', 1.5, 'f93e00'],
    ['float', -0, 'f98000'],
    ['float', Infinity, 'f97c00'],
    ['boolean', true, 'f5'],
    ['string', 'DDDDDDDDDD', '6a44444444444444444444'],
    ['opaque', new Uint8Array([0xab, 0xcd]), '42abcd'],
    ['time', new Date(1000000_000), 'c11a000f4240'],
    ['objlnk', { oid: 65534, iid: 1 }, '6736353533343a31'],
  ];

  it('writes and reads every type in preferred serialization', () => {
    for (const [type, value, wire] of cases) {
      const bytes = encode([rec(p(type), value)], { format: ContentFormat.CBOR, basePath: p(type), definitions });
      assert.equal(toHex(bytes), wire, type);
      assert.deepStrictEqual(decode(bytes, { format: ContentFormat.CBOR, basePath: p(type), definitions })[0]!.value, value, type);
    }
    const nan = decode(hex('f97e00'), { format: ContentFormat.CBOR, basePath: p('float'), definitions })[0]!.value;
    assert.ok(Number.isNaN(nan));
  });

  it('reads the time forms peers send: tag 1, plain integer, tag 0 date string', () => {
    const at = (h: string): unknown => decode(hex(h), { format: ContentFormat.CBOR, basePath: p('time'), definitions })[0]!.value;
    const t = new Date(1367491215_000);
    assert.deepStrictEqual(at('c11a5182428f'), t);
    assert.deepStrictEqual(at('1a5182428f'), t);
    // Zephyr writes tag 0 "2013-05-02T10:40:15-00:00".
    assert.deepStrictEqual(at('c0' + toHex(encodeText('2013-05-02T10:40:15-00:00'))), t);
    assert.throws(() => at('c0' + toHex(encodeText('yesterday'))), /RFC 3339/);
  });

  it('keeps the CBOR type without a definition', () => {
    const at = (h: string): unknown => decode(hex(h), { format: ContentFormat.CBOR, basePath: '/4000/0/1' })[0]!.value;
    assert.equal(at('1819'), 25);
    assert.equal(at('6161'), 'a');
    assert.deepStrictEqual(at('c11a5182428f'), new Date(1367491215_000));
    assert.deepStrictEqual(at('1bffffffffffffffff'), 2n ** 64n - 1n);
  });

  it('refuses bad CBOR and values of the wrong type', () => {
    const bad: [string, keyof typeof ALL][] = [
      ['1819 00', 'integer'],
      ['1801', 'integer'],
      ['f5', 'integer'],
      ['6161', 'integer'],
      ['fa3fc00000', 'integer'],
      ['1a000f4240', 'boolean'],
      ['f7', 'integer'],
      ['a0', 'integer'],
      ['80', 'integer'],
      ['f6', 'string'],
      ['61ff', 'string'],
      ['7f6161ff', 'string'],
      ['c21a5182428f', 'integer'],
      ['1bffffffffffffffff', 'integer'],
      ['', 'integer'],
    ];
    for (const [h, type] of bad) {
      assert.throws(() => decode(hex(h), { format: ContentFormat.CBOR, basePath: p(type), definitions }), CodecError, `${h} as ${type}`);
    }
  });
});

function encodeText(s: string): Uint8Array {
  return cborgEncode(s);
}
