/**
 * IoT device prefixes in SenML names (LwM2M Gateway TS 1.1 section 9): the byte-level rewrite puts
 * the prefix in every resolved name and takes it out again, leaving values untouched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ContentFormat } from '../../../src/codec/content-format.ts';
import { decode, encode, encodePaths } from '../../../src/codec/codec.ts';
import { readSenmlCbor, readSenmlJson, resolveSenml } from '../../../src/codec/index.ts';
import { isPrefixSegment, prefixSenmlNames, stripSenmlNames } from '../../../src/dm/prefix-names.ts';
import { ObjectCatalogue } from '../../../src/model/catalogue.ts';
import { LwM2mPath } from '../../../src/model/path.ts';
import type { LwM2mRecord } from '../../../src/model/record.ts';
import { CodecError } from '../../../src/errors.ts';

const defs = ObjectCatalogue.builtin('1.1');
const FORMATS = [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR] as const;

function names(payload: Uint8Array, format: number): string[] {
  const pack = format === ContentFormat.SENML_JSON ? readSenmlJson(payload) : readSenmlCbor(payload);
  return resolveSenml(pack).map((r) => r.name);
}

const records: LwM2mRecord[] = [
  { path: LwM2mPath.of(3303, 0, 5700), value: 21.5 },
  { path: LwM2mPath.of(3303, 0, 5701), value: 'Cel' },
  { path: LwM2mPath.of(3, 0, 0), value: 'Sensor Co' },
  { path: LwM2mPath.of(3, 0, 10), value: 2n ** 62n },
];

for (const format of FORMATS) {
  test(`format ${format}: prefixed names resolve under /dev1, and stripping gives the same records back`, () => {
    for (const [base, recs] of [
      [LwM2mPath.ROOT, records],
      [LwM2mPath.of(3303, 0), records.slice(0, 2)],
      [LwM2mPath.of(3303, 0, 5700), records.slice(0, 1)],
    ] as const) {
      const plain = encode(recs, { format, basePath: base, definitions: defs });
      const prefixed = prefixSenmlNames(plain, format, 'dev1');
      assert.deepEqual(
        names(prefixed, format),
        names(plain, format).map((n) => '/dev1' + n),
        base.toString(),
      );
      const back = stripSenmlNames(prefixed, format, 'dev1');
      assert.deepEqual(decode(back, { format, basePath: base, definitions: defs }), decode(plain, { format, basePath: base, definitions: defs }));
    }
  });

  test(`format ${format}: path lists (composite requests) take the prefix too`, () => {
    const list = encodePaths(['/3303/0/5700', '/3/0'], format);
    assert.deepEqual(names(prefixSenmlNames(list, format, 'gw-node.7'), format), ['/gw-node.7/3303/0/5700', '/gw-node.7/3/0']);
  });

  test(`format ${format}: names without the prefix are left alone; another prefix is not stripped`, () => {
    const plain = encode(records, { format, basePath: LwM2mPath.ROOT, definitions: defs });
    assert.deepEqual(names(stripSenmlNames(plain, format, 'dev1'), format), names(plain, format));
    const other = prefixSenmlNames(plain, format, 'dev10');
    assert.deepEqual(names(stripSenmlNames(other, format, 'dev1'), format), names(other, format));
  });

  test(`format ${format}: property: strip(prefix(x)) decodes to the records of x`, () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.integer());
    const rec = fc.record({ iid: fc.integer({ min: 0, max: 3 }), rid: fc.integer({ min: 0, max: 40000 }), value });
    const prefix = fc.stringMatching(/^[A-Za-z._~-][A-Za-z0-9._~-]{0,20}$/);
    fc.assert(
      fc.property(fc.uniqueArray(rec, { minLength: 1, maxLength: 8, selector: (r) => `${r.iid}/${r.rid}` }), prefix, (list, p) => {
        const recs: LwM2mRecord[] = list.map((r) => ({ path: LwM2mPath.of(9999, r.iid, r.rid), value: r.value }));
        const plain = encode(recs, { format, basePath: LwM2mPath.ROOT });
        const prefixed = prefixSenmlNames(plain, format, p);
        assert.ok(names(prefixed, format).every((n) => n.startsWith(`/${p}/9999/`)));
        const opts = { format, basePath: LwM2mPath.ROOT, allowUnknownObjects: true };
        assert.deepEqual(decode(stripSenmlNames(prefixed, format, p), opts), decode(plain, opts));
      }),
      { numRuns: 150 },
    );
  });
}

test('malformed packs are CodecErrors, not crashes', () => {
  const bad = [
    [ContentFormat.SENML_JSON, '{"n":"x"}'],
    [ContentFormat.SENML_JSON, '[{"bn":3}]'],
    [ContentFormat.SENML_JSON, '[{"n":"/3/0/0","v":1'],
    [ContentFormat.SENML_JSON, '[{"n":"unterminated}]'],
  ] as const;
  for (const [format, text] of bad) assert.throws(() => prefixSenmlNames(new TextEncoder().encode(text), format, 'd'), CodecError, text);
  for (const bytes of [[0xa1, 0x00, 0x61], [0x81, 0xa1, 0x21, 0x01], [0x81, 0xa1, 0x00], [0x9f, 0xff]]) {
    assert.throws(() => prefixSenmlNames(Uint8Array.from(bytes), ContentFormat.SENML_CBOR, 'd'), CodecError, bytes.join(','));
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      for (const f of FORMATS) {
        try {
          stripSenmlNames(bytes, f, 'd');
        } catch (error) {
          assert.ok(error instanceof CodecError, String(error));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('a prefix segment is anything but a decimal object id', () => {
  assert.equal(isPrefixSegment('dev1'), true);
  assert.equal(isPrefixSegment('0x1'), true);
  assert.equal(isPrefixSegment('3303'), false);
  assert.equal(isPrefixSegment('0'), false);
});
