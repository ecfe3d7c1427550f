/** Send payloads split by sender: the gateway's own records and its IoT devices' (LwM2M Gateway TS 1.1 section 9). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat, encode } from '../../src/codec/index.ts';
import { CodecError } from '../../src/errors.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { prefixSenmlNames } from '../../src/dm/prefix-names.ts';
import { decodeSendGroups, splitPrefixedName, type SendGroup } from '../../src/server/send.ts';

const definitions = ObjectCatalogue.builtin('1.1');
const NOW = 1_700_000_000;
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const groups = (payload: Uint8Array, format: number = ContentFormat.SENML_JSON): SendGroup[] => decodeSendGroups(payload, { format, definitions, now: NOW });
const flat = (gs: readonly SendGroup[]): [string | undefined, string, unknown][] => gs.flatMap((g) => g.records.map((r) => [g.prefix, r.path.toString(), r.value] as [string | undefined, string, unknown]));

test('splitPrefixedName: a first segment that is not an id is the prefix', () => {
  assert.deepEqual(splitPrefixedName('/dev1/3303/0/5700'), { prefix: 'dev1', path: '/3303/0/5700' });
  assert.deepEqual(splitPrefixedName('/3303/0/5700'), { prefix: undefined, path: '/3303/0/5700' });
  assert.deepEqual(splitPrefixedName('/a.b~c_-1/3/0'), { prefix: 'a.b~c_-1', path: '/3/0' });
  assert.deepEqual(splitPrefixedName('3/0/1'), { prefix: undefined, path: '3/0/1' }, 'not absolute: left for the path parser');
  for (const bad of ['/dev1', '/dev1/', '/dé/3/0/0', '/a b/3/0/0']) assert.throws(() => splitPrefixedName(bad), CodecError, bad);
});

test('a pack without prefixes is one group of the gateway, like a plain Send', () => {
  const payload = json([{ bn: '/3/0/', n: '0', vs: 'Maker' }, { n: '9', v: 80 }]);
  const gs = groups(payload);
  assert.equal(gs.length, 1);
  assert.equal(gs[0]!.prefix, undefined);
  assert.deepEqual(flat(gs), [
    [undefined, '/3/0/0', 'Maker'],
    [undefined, '/3/0/9', 80],
  ]);
  assert.deepEqual(groups(new Uint8Array(0)), [{ prefix: undefined, records: [] }], 'an empty pack');
});

test('records split per device in order of first appearance; base names and times resolve across them', () => {
  const payload = json([
    { bn: '/dev2/3303/0/', bt: NOW, n: '5700', v: 18.5 },
    { bn: '/3/0/', n: '0', vs: 'Gateway Co', t: 1 },
    { bn: '/dev1/3303/0/', n: '5700', v: 21.5, t: 2 },
    { bn: '/dev2/3303/0/', n: '5701', vs: 'Cel' },
    { bn: '', n: '/dev1/3303/0/5700', v: 22, t: 3 },
  ]);
  const gs = groups(payload);
  assert.deepEqual(
    gs.map((g) => g.prefix),
    ['dev2', undefined, 'dev1'],
  );
  assert.deepEqual(flat(gs), [
    ['dev2', '/3303/0/5700', 18.5],
    ['dev2', '/3303/0/5701', 'Cel'],
    [undefined, '/3/0/0', 'Gateway Co'],
    ['dev1', '/3303/0/5700', 21.5],
    ['dev1', '/3303/0/5700', 22],
  ]);
  assert.deepEqual(
    gs[2]!.records.map((r) => r.time),
    [NOW + 2, NOW + 3],
  );
  // The same path for two devices is two values, not a duplicate.
  const twice = groups(json([{ n: '/dev1/3/0/0', vs: 'a' }, { n: '/dev2/3/0/0', vs: 'b' }, { n: '/3/0/0', vs: 'c' }]));
  assert.deepEqual(flat(twice), [
    ['dev1', '/3/0/0', 'a'],
    ['dev2', '/3/0/0', 'b'],
    [undefined, '/3/0/0', 'c'],
  ]);
});

test('values are typed and checked per device; errors name the device', () => {
  assert.throws(
    () => groups(json([{ n: '/dev1/3/0/0', vs: 'a' }, { n: '/dev1/3/0/0', vs: 'b' }])),
    (e: unknown) => e instanceof CodecError && /dev1/.test(e.message),
  );
  assert.throws(() => groups(json([{ n: '/dev1/3/0/9', vs: 'not a number' }])), (e: unknown) => e instanceof CodecError && /IoT device 'dev1'/.test(e.message));
  assert.throws(() => groups(json([{ n: '/dev1', v: 1 }])), CodecError);
});

test('SenML CBOR as the client engine writes it (prefixSenmlNames), and LwM2M CBOR (no names: the gateway`s)', () => {
  const records = [
    { path: LwM2mPath.of(3303, 0, 5700), value: 23.25 },
    { path: LwM2mPath.of(3303, 0, 5701), value: 'Cel' },
  ];
  const cbor = prefixSenmlNames(encode(records, { format: ContentFormat.SENML_CBOR, basePath: LwM2mPath.ROOT, definitions }), ContentFormat.SENML_CBOR, 'dev7');
  assert.deepEqual(flat(groups(cbor, ContentFormat.SENML_CBOR)), [
    ['dev7', '/3303/0/5700', 23.25],
    ['dev7', '/3303/0/5701', 'Cel'],
  ]);
  const lwm2mCbor = encode(records, { format: ContentFormat.LWM2M_CBOR, basePath: LwM2mPath.ROOT, definitions });
  assert.deepEqual(flat(groups(lwm2mCbor, ContentFormat.LWM2M_CBOR)), [
    [undefined, '/3303/0/5700', 23.25],
    [undefined, '/3303/0/5701', 'Cel'],
  ]);
});
