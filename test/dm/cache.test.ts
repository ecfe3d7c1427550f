import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CacheError, DataCache, TimeSeriesRing } from '../../src/dm/cache.ts';
import { path } from '../../src/model/path.ts';
import { definitions, plain } from '../codec/fixtures.ts';

const P = path(3303, 0, 5700);

describe('TimeSeriesRing', () => {
  it('drops new values when full by default (Zephyr behaviour)', () => {
    const r = new TimeSeriesRing(3, { type: 'float' });
    assert.deepStrictEqual([1, 2, 3, 4].map((v) => r.push(v, 100 + v)), [true, true, true, false]);
    assert.equal(r.length, 3);
    assert.equal(r.dropped, 1);
    assert.deepStrictEqual(plain(r.peek(P)), [
      { path: '/3303/0/5700', value: 1, time: 101 },
      { path: '/3303/0/5700', value: 2, time: 102 },
      { path: '/3303/0/5700', value: 3, time: 103 },
    ]);
  });

  it('overwrites the oldest with drop-oldest, wrapping around', () => {
    const r = new TimeSeriesRing(3, { type: 'integer', overflow: 'drop-oldest' });
    for (let v = 1; v <= 7; v++) assert.ok(r.push(v, v));
    assert.deepStrictEqual(r.peek(P).map((x) => x.value), [5, 6, 7]);
    assert.deepStrictEqual(r.drain(P, 2).map((x) => x.value), [5, 6]);
    assert.ok(r.push(8, 8));
    assert.deepStrictEqual(r.drain(P).map((x) => [x.value, x.time]), [[7, 7], [8, 8]]);
    assert.equal(r.length, 0);
    assert.equal(r.latest(P), undefined);
    assert.equal(r.dropped, 4);
  });

  it('keeps each type exactly: 64-bit integers, -0, booleans, times', () => {
    const ints = new TimeSeriesRing(4, { type: 'integer' });
    ints.push(-(2n ** 63n), 1);
    ints.push(2n ** 63n - 1n, 2);
    ints.push(-5, 3);
    assert.deepStrictEqual(ints.peek(P).map((x) => x.value), [-(2n ** 63n), 2n ** 63n - 1n, -5]);
    const u = new TimeSeriesRing(2, { type: 'unsigned' });
    u.push(2n ** 64n - 1n, 1);
    assert.deepStrictEqual(u.latest(P)?.value, 2n ** 64n - 1n);
    const f = new TimeSeriesRing(2, { type: 'float' });
    f.push(-0, 1);
    f.push(NaN, 2.5);
    assert.ok(Object.is(f.peek(P)[0]!.value, -0));
    assert.ok(Number.isNaN(f.peek(P)[1]!.value));
    assert.equal(f.peek(P)[1]!.time, 2.5);
    const b = new TimeSeriesRing(2, { type: 'boolean' });
    b.push(true, 1);
    b.push(false, 2);
    assert.deepStrictEqual(b.peek(P).map((x) => x.value), [true, false]);
    const t = new TimeSeriesRing(2, { type: 'time' });
    t.push(new Date(1700000000_000), 1);
    t.push(1700000001, 2);
    assert.deepStrictEqual(t.peek(P).map((x) => x.value), [new Date(1700000000_000), new Date(1700000001_000)]);
  });

  it('refuses misfit values, sizes and times', () => {
    const i = new TimeSeriesRing(2, { type: 'integer' });
    assert.throws(() => i.push(1.5, 1), CacheError);
    assert.throws(() => i.push(2n ** 63n, 1), CacheError);
    assert.throws(() => i.push(true, 1), CacheError);
    assert.throws(() => new TimeSeriesRing(2, { type: 'unsigned' }).push(-1, 1), CacheError);
    assert.throws(() => new TimeSeriesRing(2, { type: 'boolean' }).push(1, 1), CacheError);
    assert.throws(() => new TimeSeriesRing(2, { type: 'time' }).push(new Date(NaN), 1), CacheError);
    assert.throws(() => i.push(1, NaN), CacheError);
    for (const n of [0, -1, 1.5, 2 ** 21]) assert.throws(() => new TimeSeriesRing(n, { type: 'float' }), CacheError);
    assert.equal(i.length, 0);
  });

  it('holds its entries in typed arrays: 16 bytes each', () => {
    assert.equal(new TimeSeriesRing(1000, { type: 'float' }).byteLength, 16000);
    assert.equal(new TimeSeriesRing(1000, { type: 'integer' }).byteLength, 16000);
  });
});

describe('DataCache', () => {
  it('caches per resource path and hands SenML the records with "t"', () => {
    const c = new DataCache();
    c.enable('/3303/0/5700', 10, { type: 'float' });
    c.enable(path(3303, 1, 5700), 10, { type: 'float' });
    c.enable('/3/0/7/1', 4, { type: 'integer' });
    c.push('/3303/0/5700', 21.5, 1700000000);
    c.push('/3303/0/5700', 22.5, 1700000060);
    c.push('/3303/1/5700', 18, 1700000030);
    c.push('/3/0/7/1', 3800, 1700000000);
    assert.equal(c.size('/3303/0/5700'), 2);
    assert.deepStrictEqual(c.paths('/3303').map(String), ['/3303/0/5700', '/3303/1/5700']);
    const records = c.records('/3303');
    assert.deepStrictEqual(plain(records), [
      { path: '/3303/0/5700', value: 21.5, time: 1700000000 },
      { path: '/3303/0/5700', value: 22.5, time: 1700000060 },
      { path: '/3303/1/5700', value: 18, time: 1700000030 },
    ]);
    const bytes = encode(records, { format: ContentFormat.SENML_JSON, basePath: '/3303', definitions });
    assert.equal(
      new TextDecoder().decode(bytes),
      '[{"bn":"/3303/","n":"0/5700","v":21.5,"t":1700000000},{"n":"0/5700","v":22.5,"t":1700000060},{"n":"1/5700","v":18,"t":1700000030}]',
    );
    assert.deepStrictEqual(plain(decode(bytes, { format: ContentFormat.SENML_JSON, basePath: '/3303', definitions })), plain(records));
    assert.deepStrictEqual(plain(c.records('/', { drain: true })).length, 4);
    assert.equal(c.size('/3303/0/5700'), 0);
  });

  it('enable again keeps entries when nothing changes, restarts otherwise; disable forgets', () => {
    const c = new DataCache();
    c.enable(P, 5, { type: 'float' });
    c.push(P, 1, 1);
    c.enable(P, 5, { type: 'float' });
    assert.equal(c.size(P), 1);
    c.enable(P, 6, { type: 'float' });
    assert.equal(c.size(P), 0);
    assert.equal(c.ring(P)?.capacity, 6);
    assert.ok(c.disable(P));
    assert.ok(!c.isEnabled(P));
    assert.ok(!c.disable(P));
    assert.deepStrictEqual(c.peek(P), []);
    assert.deepStrictEqual(c.drain(P), []);
    assert.throws(() => c.push(P, 1, 1), /not cached/);
    assert.throws(() => c.enable('/3303/0', 5, { type: 'float' }), CacheError);
  });

  it('bounds memory by the sizes given', () => {
    const c = new DataCache();
    c.enable('/1/0/1', 100, { type: 'integer' });
    c.enable('/1/0/2', 50, { type: 'boolean', overflow: 'drop-oldest' });
    for (let i = 0; i < 10000; i++) {
      c.push('/1/0/1', i, i);
      c.push('/1/0/2', i % 2 === 0, i);
    }
    assert.equal(c.byteLength, 100 * 16 + 50 * 16);
    assert.equal(c.size('/1/0/1'), 100);
    assert.equal(c.peek('/1/0/2', 1)[0]!.time, 9950);
    c.clear();
    assert.equal(c.size('/1/0/1'), 0);
    assert.ok(c.isEnabled('/1/0/1'));
  });
});
