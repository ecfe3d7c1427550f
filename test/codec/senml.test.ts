import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode as cborgDecode } from 'cborg';
import { decode, decodePaths, encode, encodePaths } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CodecError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { ALL, definitions, hex, plain, toHex } from './fixtures.ts';

const JSON_ = ContentFormat.SENML_JSON;
const CBOR_ = ContentFormat.SENML_CBOR;
const rec = (s: string, value: LwM2mRecord['value'], time?: number): LwM2mRecord => {
  const r = { path: path(...s.split('/').slice(1).map(Number)), value };
  return time === undefined ? r : { ...r, time };
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const json = (records: LwM2mRecord[], basePath: string): string => text(encode(records, { format: JSON_, basePath, definitions }));
const fromJson = (s: string, basePath: string, extra: object = {}): LwM2mRecord[] =>
  decode(utf8(s), { format: JSON_, basePath, definitions, ...extra });

describe('SenML names and base names (LwM2M Core 7.4.4)', () => {
  it('a single resource is the base name alone', () => {
    assert.equal(json([rec('/3/0/0', 'Open Mobile Alliance')], '/3/0/0'), '[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]');
  });

  it('a multi-instance resource uses "/3/0/7/" and instance names', () => {
    assert.equal(json([rec('/3/0/7/0', 3800), rec('/3/0/7/1', 5000)], '/3/0/7'), '[{"bn":"/3/0/7/","n":"0","v":3800},{"n":"1","v":5000}]');
  });

  it('a composite payload names every record in full', () => {
    assert.equal(
      json([rec('/3/0/0', 'x'), rec('/1/0/1', 86400), rec('/3303/0/5700', 21.5)], '/'),
      '[{"n":"/3/0/0","vs":"x"},{"n":"/1/0/1","v":86400},{"n":"/3303/0/5700","v":21.5}]',
    );
  });

  it('a time series keeps its order and writes absolute "t"', () => {
    const series = [rec('/3303/0/5700', 21.5, 1700000000), rec('/3303/0/5700', 22, 1700000010.5), rec('/3303/0/5700', -0.5, 1699999990)];
    const s = json(series, '/3303/0/5700');
    assert.equal(s, '[{"bn":"/3303/0/5700","v":21.5,"t":1700000000},{"v":22,"t":1700000010.5},{"v":-0.5,"t":1699999990}]');
    assert.deepStrictEqual(plain(fromJson(s, '/3303/0/5700')), plain(series));
    const c = encode(series, { format: CBOR_, basePath: '/3303/0/5700', definitions });
    assert.deepStrictEqual(plain(decode(c, { format: CBOR_, basePath: '/3303/0/5700', definitions })), plain(series));
  });

  it('resolves base names the way other implementations send them', () => {
    // Leshan-style: a new "bn" per record, and a base name cut in the middle of an id.
    assert.deepStrictEqual(plain(fromJson('[{"bn":"/3/0/0","vs":"a"},{"bn":"/3/0/9","v":95},{"bn":"/1/0/1","v":86400}]', '/')), [
      { path: '/3/0/0', value: 'a' },
      { path: '/3/0/9', value: 95 },
      { path: '/1/0/1', value: 86400 },
    ]);
    assert.deepStrictEqual(plain(fromJson('[{"bn":"/3/0/1","n":"1/0","v":0},{"n":"1/1","v":0}]', '/3/0/11')), [
      { path: '/3/0/11/0', value: 0 },
      { path: '/3/0/11/1', value: 0 },
    ]);
    assert.deepStrictEqual(plain(fromJson('[{"bn":"/1024/0/1","v":22.9,"bt":268500000},{"v":22.4,"t":-5}]', '/', { allowUnknownObjects: true })), [
      { path: '/1024/0/1', value: 22.9, time: 268500000 },
      { path: '/1024/0/1', value: 22.4, time: 268499995 },
    ]);
  });
});

describe('SenML values', () => {
  const p = (t: keyof typeof ALL): string => `/9000/0/${ALL[t]}`;

  it('maps every type to its SenML field', () => {
    const records = [
      rec(p('string'), 'ü'),
      rec(p('integer'), -(2n ** 63n)),
      rec(p('unsigned'), 2n ** 64n - 1n),
      rec(p('float'), -0),
      rec(p('boolean'), true),
      rec(p('opaque'), new Uint8Array([0xfb, 0xff])),
      rec(p('time'), new Date(1700000000_000)),
      rec(p('objlnk'), { oid: 3, iid: 0 }),
      rec(p('corelnk'), '</3/0>'),
    ];
    const s = json(records, '/9000/0');
    assert.equal(
      s,
      '[{"bn":"/9000/0/","n":"0","vs":"ü"},{"n":"1","v":-9223372036854775808},{"n":"2","v":18446744073709551615},' +
        '{"n":"3","v":-0.0},{"n":"4","vb":true},{"n":"5","vd":"-_8"},{"n":"6","v":1700000000},{"n":"7","vlo":"3:0"},{"n":"8","vs":"</3/0>"}]',
    );
    assert.deepStrictEqual(plain(fromJson(s, '/9000/0')), plain(records));
    const c = encode(records, { format: CBOR_, basePath: '/9000/0', definitions });
    assert.deepStrictEqual(plain(decode(c, { format: CBOR_, basePath: '/9000/0', definitions })), plain(records));
    // The CBOR form checks out with an independent decoder.
    const generic = cborgDecode(c, { useMaps: true }) as Map<number | string, unknown>[];
    assert.equal(generic[7]!.get('vlo'), '3:0');
    assert.deepStrictEqual(generic[5]!.get(8), new Uint8Array([0xfb, 0xff]));
  });

  it('accepts standard base64 in "vd" as well as base64url', () => {
    assert.deepStrictEqual(fromJson(`[{"bn":"${p('opaque')}","vd":"+/8="}]`, p('opaque'))[0]!.value, new Uint8Array([0xfb, 0xff]));
    assert.deepStrictEqual(fromJson('[{"bn":"/0/0/3","vd":"q83v"}]', '/0/0/3')[0]!.value, new Uint8Array([0xab, 0xcd, 0xef]));
    assert.throws(() => fromJson(`[{"bn":"${p('opaque')}","vd":"+_8"}]`, p('opaque')), /base64/);
  });

  it('keeps SenML types without definitions, integers beyond 2^53 exact', () => {
    const r = decode(utf8('[{"n":"/4000/0/1","v":9223372036854775807},{"n":"/4000/0/2","v":1.5},{"n":"/4000/0/3","vlo":"1:2"},{"n":"/4000/0/4","vb":false}]'), {
      format: JSON_,
      basePath: '/',
    });
    assert.deepStrictEqual(plain(r), [
      { path: '/4000/0/1', value: 9223372036854775807n },
      { path: '/4000/0/2', value: 1.5 },
      { path: '/4000/0/3', value: { oid: 1, iid: 2 } },
      { path: '/4000/0/4', value: false },
    ]);
  });

  it('converts numbers to the resource type: time from exponent notation, float from integers', () => {
    assert.deepStrictEqual(fromJson('[{"bn":"/3/0/13","v":1.638435E9}]', '/3/0/13')[0]!.value, new Date(1638435000_000));
    assert.equal(fromJson('[{"n":"/6/0/3","v":20}]', '/6/0/3', { allowUnknownObjects: true })[0]!.value, 20);
    assert.equal(fromJson('[{"n":"/3303/0/5700","v":20}]', '/3303/0/5700')[0]!.value, 20);
  });

  it('refuses what the definitions refuse', () => {
    const bad: [string, string, RegExp][] = [
      ['[{"n":"/3/0/9","v":101}]', '/3/0', /outside 0..100/],
      ['[{"n":"/3/0/9","v":1.5}]', '/3/0', /not an integer/],
      ['[{"n":"/3/0/9","vs":"1"}]', '/3/0', /payload has a string/],
      ['[{"n":"/3/0/0","v":1}]', '/3/0', /payload has a number/],
      ['[{"n":"/3/0/99","v":1}]', '/3/0', /no resource 99/],
      ['[{"n":"/3/0/6","v":1}]', '/3/0', /multi-instance/],
      ['[{"n":"/3/0/9/0","v":1}]', '/3/0', /single-instance/],
      ['[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]', '/3/0', /two values for the same path and time/],
      ['[{"n":"/3/0/9","v":1,"t":5},{"n":"/3/0/9","v":2,"t":5}]', '/3/0', /two values/],
      ['[{"n":"/1/0/1","v":1}]', '/3/0', /outside the request path/],
      ['[{"n":"/3/0","v":1}]', '/3', /resource or resource-instance path/],
      ['[{"n":"3/0/x","v":1}]', '/', /not an id/],
      ['[{"n":"/3/0/9"}]', '/3/0', /no value/],
      ['[{"n":"/3/0/9","s":1}]', '/3/0', /sum is not an LwM2M value/],
      ['[{"n":"/3/0/9","v":"1"}]', '/3/0', /"v" must be a number/],
      ['[{"n":9,"v":1}]', '/3/0', /"n" must be a string/],
      ['{"n":"/3/0/9","v":1}', '/3/0', /array of records/],
      ['[{"n":"/3/0/9","v":1,"v":2}]', '/3/0', /duplicate member/],
      ['[{"n":"/3/0/9","v":1}', '/3/0', /invalid JSON/],
      ['[{"n":"/3/0/9","v":1e999}]', '/3/0', /outside the float range/],
      ['[{"n":"/3/0/13","v":1.5}]', '/3/0', /not a valid time/],
      ['[{"n":"/9000/0/7","vlo":"1:2:3"}]', '/9000/0', /invalid object link/],
    ];
    for (const [s, base, re] of bad) assert.throws(() => fromJson(s, base), re, s);
  });

  it('refuses floats JSON cannot hold, but CBOR carries them', () => {
    const r = [rec('/3303/0/5700', NaN)];
    assert.throws(() => encode(r, { format: JSON_, basePath: '/3303/0/5700', definitions }), /NaN/);
    const c = encode(r, { format: CBOR_, basePath: '/3303/0/5700', definitions });
    assert.equal(toHex(c), '81a2216c2f333330332f302f3537303002f97e00');
    assert.ok(Number.isNaN(decode(c, { format: CBOR_, basePath: '/3303/0/5700', definitions })[0]!.value));
  });

  it('an empty payload or pack has no records', () => {
    assert.deepStrictEqual(decode(new Uint8Array(0), { format: JSON_, basePath: '/3/0/6', definitions }), []);
    assert.deepStrictEqual(fromJson('[]', '/3/0/6'), []);
    assert.deepStrictEqual(decode(hex('80'), { format: CBOR_, basePath: '/3/0', definitions }), []);
    assert.deepStrictEqual(decode(new Uint8Array(0), { format: CBOR_, basePath: '/3/0', definitions }), []);
  });
});

describe('SenML CBOR specifics (LwM2M Core 7.4.5, RFC 8428 6)', () => {
  it('reads what Anjay writes: Send with base time as float32, tag-1 time values, vlo', () => {
    // [{0: "/3/3/3", -3: 100000.0, 2: 25}]
    assert.deepStrictEqual(plain(decode(hex('81a300662f332f332f3322fa47c3500002 1819'), { format: CBOR_, basePath: '/' })), [
      { path: '/3/3/3', value: 25, time: 100000 },
    ]);
    // [{0: "/77/77/77/77", 2: 1(1000000)}]
    assert.deepStrictEqual(plain(decode(hex('81a2006c2f37372f37372f37372f373702c11a000f4240'), { format: CBOR_, basePath: '/' })), [
      { path: '/77/77/77/77', value: new Date(1000000_000) },
    ]);
    // [{-2: "/65534/65534", 0: "/65534/65534", -3: 1e300, "vlo": "65534:65534"}]
    const big = hex('81a4216c2f36353533342f3635353334006c2f36353533342f363535333422fb7e37e43c8800759c63766c6f6b36353533343a3635353334');
    assert.deepStrictEqual(plain(decode(big, { format: CBOR_, basePath: '/' })), [
      { path: '/65534/65534/65534/65534', value: { oid: 65534, iid: 65534 }, time: 1e300 },
    ]);
  });

  it('accepts indefinite-length arrays and maps, refuses indefinite strings', () => {
    assert.deepStrictEqual(plain(decode(hex('9fbf00662f332f302f3902181fffff'), { format: CBOR_, basePath: '/3/0', definitions })), [
      { path: '/3/0/9', value: 31 },
    ]);
    assert.throws(() => decode(hex('81a200662f332f302f39037f6161ff'), { format: CBOR_, basePath: '/3/0' }), /indefinite-length strings/);
  });

  it('is strict about CBOR', () => {
    const bad: [string, RegExp][] = [
      ['81a200662f332f302f39021818 00', /unexpected data/],
      ['81a200662f332f302f3902180a', /non-shortest/],
      ['81a2 00662f332f302f39 00662f332f302f39', /duplicate label/],
      ['81a200662f332f302f3902f7', /undefined/],
      ['81a200662f332f302f3902f0', /simple value/],
      ['81a200662f332f302f3902c2410a', /"v" must be a number/],
      ['81a200652f332f302f', /truncated/],
      ['81a200622fff021818', /UTF-8/],
      ['a0', /array of records/],
      ['8101', /not a map/],
      ['81a2f5f5021818', /labels/],
      ['81a300662f332f302f39021818 6262 5f 01', /must-understand/],
      ['81a200662f332f302f39021c', /reserved/],
    ];
    for (const [h, re] of bad) assert.throws(() => decode(hex(h), { format: CBOR_, basePath: '/3/0' }), re, h);
  });

  it('skips unknown labels and text keys', () => {
    assert.deepStrictEqual(plain(decode(hex('81a400662f332f302f39020a1864a1 01 02 6378787882 01 02'), { format: CBOR_, basePath: '/3/0', definitions })), [
      { path: '/3/0/9', value: 10 },
    ]);
  });
});

describe('path lists of Read-/Observe-Composite requests', () => {
  const paths = ['/3/0/1', '/1/0', '/3303/0/5700', '/'];

  it('round-trip in SenML JSON and CBOR', () => {
    assert.equal(text(encodePaths(paths, JSON_)), '[{"n":"/3/0/1"},{"n":"/1/0"},{"n":"/3303/0/5700"},{"n":"/"}]');
    for (const f of [JSON_, CBOR_]) assert.deepStrictEqual(decodePaths(encodePaths(paths, f), f).map(String), paths);
    assert.deepStrictEqual(decodePaths(utf8('[{"bn":"/4/0/","n":"0"},{"n":"1"},{"n":"2"}]'), JSON_).map(String), ['/4/0/0', '/4/0/1', '/4/0/2']);
  });

  it('refuse values, times and repeats', () => {
    for (const s of ['[{"n":"/4/0/0","v":1}]', '[{"n":"/4/0/0","t":20000000}]', '[{"n":"/4/0/0"},{"n":"/4/0/0"}]', '[{"n":"/4/0/x"}]', '[{}]']) {
      assert.throws(() => decodePaths(utf8(s), JSON_), CodecError, s);
    }
    assert.throws(() => decodePaths(utf8('[]'), ContentFormat.TLV), /path list/);
  });
});
