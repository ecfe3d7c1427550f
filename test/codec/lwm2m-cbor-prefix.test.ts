/**
 * LwM2M CBOR with IoT device prefixes (LwM2M Gateway TS 1.1 section 9, Core 1.2 7.4.7): the prefix
 * is a text-string key at the top of the nested maps; a gateway's own paths keep integer keys.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { decodePrefixedLwm2mCbor, prefixLwm2mCbor } from '../../src/codec/lwm2m-cbor.ts';
import { ResourceResolver } from '../../src/codec/schema.ts';
import { CodecError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { definitions, hex, plain, toHex } from './fixtures.ts';

const resolver = new ResourceResolver(definitions);
const lwm2mCbor = (records: LwM2mRecord[]): Uint8Array => encode(records, { format: ContentFormat.LWM2M_CBOR, basePath: LwM2mPath.ROOT, definitions });

test('a device payload gets its prefix as the top text-string key, the rest byte for byte', () => {
  const inner = lwm2mCbor([{ path: LwM2mPath.parse('/3303/0/5700'), value: 22.5 }]);
  // {3303: {0: {5700: 22.5}}}
  assert.equal(toHex(inner), 'a1190ce7a100a1191644f94da0');
  const out = prefixLwm2mCbor(inner, 'dev1');
  // {"dev1": {3303: {0: {5700: 22.5}}}}
  assert.equal(toHex(out), 'a1' + '6464657631' + 'a1190ce7a100a1191644f94da0');
  assert.deepEqual(toHex(out.subarray(6)), toHex(inner));
  assert.equal(toHex(prefixLwm2mCbor(new Uint8Array(0), 'd')), 'a16164a0');
});

test('prefixes that cannot be IoT device prefixes are refused', () => {
  assert.throws(() => prefixLwm2mCbor(new Uint8Array(0), ''), CodecError);
  assert.throws(() => prefixLwm2mCbor(new Uint8Array(0), '12'), CodecError);
});

test('a gateway payload splits into its own records and each device\'s', () => {
  // {3: {0: {0: "gw"}}, "dev1": {3303: {0: {5700: 1.5}}}, ["dev2", 3303, 0]: {5700: 2.5}}
  const bytes = hex('a3 03 a1 00 a1 00 62 6777  64 64657631 a1 190ce7 a1 00 a1 191644 f9 3e00  83 64 64657632 190ce7 00 a1 191644 f9 4100');
  const parts = decodePrefixedLwm2mCbor(bytes, () => resolver);
  assert.deepEqual(
    parts.map((p) => [p.prefix, plain(p.records)]),
    [
      [undefined, [{ path: '/3/0/0', value: 'gw' }]],
      ['dev1', [{ path: '/3303/0/5700', value: 1.5 }]],
      ['dev2', [{ path: '/3303/0/5700', value: 2.5 }]],
    ],
  );
});

test('text keys below the top, bad prefixes, non-map device values and unknown prefixes are CodecErrors', () => {
  const cases = [
    'a1 03 a1 64 64657631 a0', // {3: {"dev1": {}}}
    'a1 62 3132 a0', // {"12": {}}
    'a1 64 64657631 01', // {"dev1": 1}
    'a1 60 a0', // {"": {}}
  ];
  for (const c of cases) assert.throws(() => decodePrefixedLwm2mCbor(hex(c), () => resolver), CodecError, c);
  assert.throws(() => decodePrefixedLwm2mCbor(hex('a1 64 64657631 a0'), (p) => (p === undefined ? resolver : undefined)), CodecError);
});

test('property: prefix then split gives back the device records', () => {
  const rec = fc.record({
    iid: fc.integer({ min: 0, max: 3 }),
    value: fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
  });
  const prefix = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
  fc.assert(
    fc.property(fc.uniqueArray(rec, { selector: (r) => r.iid, minLength: 1, maxLength: 4 }), prefix, (recs, p) => {
      const records = recs.map((r) => ({ path: LwM2mPath.parse(`/3303/${r.iid}/5700`), value: r.value }));
      const parts = decodePrefixedLwm2mCbor(prefixLwm2mCbor(lwm2mCbor(records), p), () => resolver);
      assert.equal(parts.length, 1);
      assert.equal(parts[0]!.prefix, p);
      const sorted = records.slice().sort((a, b) => a.path.compare(b.path));
      assert.deepEqual(plain(parts[0]!.records), plain(sorted));
    }),
  );
});
