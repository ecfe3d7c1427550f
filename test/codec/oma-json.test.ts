import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { definitions, plain } from './fixtures.ts';

const F = ContentFormat.OMA_JSON;
const rec = (s: string, value: LwM2mRecord['value'], time?: number): LwM2mRecord => {
  const r = { path: path(...s.split('/').slice(1).map(Number)), value };
  return time === undefined ? r : { ...r, time };
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const dec = (s: string, basePath: string, extra: object = {}): LwM2mRecord[] => decode(utf8(s), { format: F, basePath, definitions, ...extra });

describe('OMA JSON (LwM2M Core 1.1 7.4.7, 1.0 6.4.4)', () => {
  it('writes sv, v, bv, ov and base64 opaque in "sv"', () => {
    const records = [
      rec('/9000/0/0', 'x'),
      rec('/9000/0/3', 10.5),
      rec('/9000/0/4', true),
      rec('/9000/0/5', new Uint8Array([1, 2, 3])),
      rec('/9000/0/7', { oid: 3, iid: 0 }),
      rec('/9000/0/12/1', 2n ** 64n - 1n),
    ];
    const s = text(encode(records, { format: F, basePath: '/9000/0', definitions }));
    assert.equal(
      s,
      '{"bn":"/9000/0/","e":[{"n":"0","sv":"x"},{"n":"3","v":10.5},{"n":"4","bv":true},{"n":"5","sv":"AQID"},{"n":"7","ov":"3:0"},{"n":"12/1","v":18446744073709551615}]}',
    );
    assert.deepStrictEqual(plain(dec(s, '/9000/0')), plain(records));
  });

  it('a single resource uses the resource path as base name', () => {
    assert.equal(text(encode([rec('/3/0/9', 55)], { format: F, basePath: '/3/0/9', definitions })), '{"bn":"/3/0/9","e":[{"v":55}]}');
  });

  it('carries time series with "bt" and relative "t"', () => {
    const s = '{"bn":"/3303/0/5700","e":[{"v":22.9,"t":-30},{"v":22.4,"t":-5},{"v":24.1,"t":-50}],"bt":1700000000}';
    assert.deepStrictEqual(plain(dec(s, '/3303/0/5700')), [
      { path: '/3303/0/5700', value: 22.9, time: 1699999970 },
      { path: '/3303/0/5700', value: 22.4, time: 1699999995 },
      { path: '/3303/0/5700', value: 24.1, time: 1699999950 },
    ]);
    // Without a base time, "t" below 2^28 is relative to now when now is given.
    assert.deepStrictEqual(plain(dec('{"bn":"/3303/0/5700","e":[{"v":1,"t":-5}]}', '/3303/0/5700', { now: 1000000000 })), [
      { path: '/3303/0/5700', value: 1, time: 999999995 },
    ]);
    const series = [rec('/3303/0/5700', 1.5, 1700000000), rec('/3303/0/5700', 2.5, 1700000060)];
    const out = text(encode(series, { format: F, basePath: '/3303/0', definitions }));
    assert.equal(out, '{"bn":"/3303/0/","e":[{"n":"5700","v":1.5,"t":1700000000},{"n":"5700","v":2.5,"t":1700000060}]}');
    assert.deepStrictEqual(plain(dec(out, '/3303/0')), plain(series));
  });

  it('accepts names without base name and base names without a slash', () => {
    assert.deepStrictEqual(plain(dec('{"e":[{"n":"/3/0/9","v":1}]}', '/3/0')), [{ path: '/3/0/9', value: 1 }]);
    assert.deepStrictEqual(plain(dec('{"bn":"3/0/","e":[{"n":"9","v":1}]}', '/3/0')), [{ path: '/3/0/9', value: 1 }]);
    assert.deepStrictEqual(dec('{"e":[]}', '/3/0'), []);
    assert.deepStrictEqual(dec('', '/3/0'), []);
  });

  it('refuses malformed documents', () => {
    const bad: [string, RegExp][] = [
      ['{}', /"e" array/],
      ['[]', /must be an object/],
      ['{"e":[{"n":"/3/0/9"}]}', /exactly one of v, sv, bv, ov/],
      ['{"e":[{"n":"/3/0/9","v":1,"sv":"1"}]}', /exactly one/],
      ['{"e":[{"n":"/3/0/9","v":"1"}]}', /"v" must be a number/],
      ['{"bn":7,"e":[]}', /"bn" must be a string/],
      ['{"e":[{"v":1}]}', /no name/],
      ['{"e":[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]}', /two values/],
      ['{"e":[{"n":"/3/0/0","sv":"a"}],"e":[]}', /duplicate member/],
      ['{"e":[{"n":"/5/0/0","sv":"!!"}]}', /base64/],
    ];
    for (const [s, re] of bad) assert.throws(() => dec(s, s.includes('/5/0') ? '/5/0' : '/3/0'), re, s);
    assert.throws(() => encode([rec('/3/0/9', 1)], { format: F, basePath: '/' }), /depth 1/);
  });
});
