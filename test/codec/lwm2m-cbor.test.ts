import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode as cborgDecode } from 'cborg';
import { decode, decodeDetailed, decodePaths, encode, encodePaths } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CodecError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { DEVICE_RECORDS } from '../vectors/lwm2m-spec.ts';
import { definitions, hex, plain, toHex } from './fixtures.ts';

const F = ContentFormat.LWM2M_CBOR;
const rec = (s: string, value: LwM2mRecord['value']): LwM2mRecord => ({ path: path(...s.split('/').slice(1).map(Number)), value });
const dec = (h: string, basePath = '/', defs = true): LwM2mRecord[] => decode(hex(h), { format: F, basePath, definitions: defs ? definitions : undefined });

describe('LwM2M CBOR (LwM2M Core 1.2 7.4.7)', () => {
  it('writes the Device instance as maps nested from the root, in path order', () => {
    const bytes = encode(DEVICE_RECORDS, { format: F, basePath: '/3/0', definitions });
    const tree = cborgDecode(bytes, { useMaps: true, tags: { 1: (d: () => unknown) => ({ t: d() }) } }) as Map<number, Map<number, Map<number, unknown>>>;
    const inst = tree.get(3)!.get(0)!;
    assert.deepStrictEqual([...inst.keys()], [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 13, 14, 16]);
    assert.equal(inst.get(0), 'Open Mobile Alliance');
    assert.deepStrictEqual(inst.get(7), new Map([[0, 3800], [1, 5000]]));
    assert.deepStrictEqual(inst.get(13), { t: 1367491215 });
    assert.equal(toHex(bytes).slice(0, 12), 'a103a100ad00');
    assert.deepStrictEqual(plain(decode(bytes, { format: F, basePath: '/3/0', definitions })), plain(DEVICE_RECORDS));
  });

  it('reads the key forms peers send: ids, id arrays, mixed, indefinite maps (Anjay)', () => {
    const one = [{ path: '/13/26/1', value: 42 }];
    for (const h of ['a1830d181a01182a', 'bf9f0d181a01ff182aff', 'a10da1181aa101182a', 'bf0dbf181abf01182affffff', 'a1810da181181aa18101182a']) {
      assert.deepStrictEqual(plain(dec(h, '/13/26/1', false)), one, h);
    }
    const two = [
      { path: '/13/26/1', value: 42 },
      { path: '/13/26/2', value: 21 },
    ];
    for (const h of ['a1820d181aa201182a0215', 'a2830d181a01182a830d181a0215', 'a2820d181aa101182a830d181a0215', 'a2830d181a01182a820d181aa1810215']) {
      assert.deepStrictEqual(plain(dec(h, '/13/26', false)), two, h);
    }
  });

  it('a send of several objects nests per object', () => {
    const records = [rec('/3/0/9', 25), rec('/1/1/1', 11), rec('/3/0/10', 5)];
    assert.equal(toHex(encode(records, { format: F, basePath: '/', definitions })), 'a2' + '01a101a1010b' + '03a100a2091819' + '0a05');
  });

  it('empty maps stand for multi-instance resources with no instances', () => {
    const b = encode([rec('/3/0/9', 1)], { format: F, basePath: '/3/0', definitions, emptyResources: ['/3/0/6'] });
    assert.equal(toHex(b), 'a103a100a206a00901');
    const r = decodeDetailed(b, { format: F, basePath: '/3/0', definitions });
    assert.deepStrictEqual(r.emptyResources.map(String), ['/3/0/6']);
    assert.deepStrictEqual(plain(r.records), [{ path: '/3/0/9', value: 1 }]);
  });

  it('refuses malformed trees', () => {
    const bad: [string, RegExp][] = [
      ['a103a100a109a10001', /deeper than a resource instance|single-instance/],
      ['a185030002030405', /deeper than a resource instance/],
      ['a1820300 01', /values belong to resources/],
      ['a1830300 09f6', /null is not a resource value/],
      ['a1 20 01', /invalid key/],
      ['a1 80 01', /invalid key/],
      ['a1 6161 01', /invalid key/],
      ['a1 1a00010000 01', /invalid key/],
      ['a2 830300 09 01 03 a100 a10902', /two values/],
      ['a1830300 0901 00', /CBOR/],
      ['01', /expected a map/],
      ['a1830300 09 6161', /payload has a string/],
      ['a1830300 09 1865', /outside 0..100/],
    ];
    for (const [h, re] of bad) assert.throws(() => dec(h, '/'), re, h);
    assert.throws(() => dec('a1830300 0901', '/1'), /outside the request path/);
  });

  it('path lists use null leaves', () => {
    const paths = ['/1/0', '/3/0/1', '/3303/0/5700'];
    const bytes = encodePaths(paths, F);
    assert.equal(toHex(bytes), 'a3' + '01a100f6' + '03a100a101f6' + '190ce7a100a1191644f6');
    assert.deepStrictEqual(cborgDecode(bytes, { useMaps: true }), new Map<number, unknown>([
      [1, new Map([[0, null]])],
      [3, new Map([[0, new Map([[1, null]])]])],
      [3303, new Map([[0, new Map([[5700, null]])]])],
    ]));
    assert.deepStrictEqual(decodePaths(bytes, F).map(String), paths);
    assert.deepStrictEqual(decodePaths(hex('a2820300f6830300 01f6'), F).map(String), ['/3/0', '/3/0/1']);
    assert.throws(() => encodePaths(['/3/0', '/3/0/1'], F), /listed together/);
    assert.throws(() => encodePaths(['/'], F), /root/);
    assert.throws(() => decodePaths(hex('a1830300 0901'), F), /carries a value/);
    assert.throws(() => decodePaths(hex('a2830300 01f6830300 01f6'), F), CodecError);
  });
});
