/**
 * RFC 8428 (SenML) examples: section 5.1.1 (single datapoint), 5.1.2 (multiple datapoints, base
 * name), the 5.1.2 time-series pack with base time / base unit / version, and its CBOR rendering of
 * section 6 ({-2: bn, -3: bt, -4: bu, -1: bver, 0: n, 1: u, 2: v, 6: t}; the bytes below are that
 * diagnostic notation in CBOR, floats in their shortest exact form).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode as cborgDecode } from 'cborg';
import { readSenmlCbor } from '../../src/codec/senml-cbor.ts';
import { readSenmlJson } from '../../src/codec/senml-json.ts';
import { resolveSenml } from '../../src/codec/senml.ts';
import { hex } from '../codec/fixtures.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const SINGLE = '[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]';

const MULTIPLE = `[
  {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
  {"n":"current","u":"A","v":1.2}
]`;

const SERIES = `[
  {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
   "bu":"A","bver":5,
   "n":"voltage","u":"V","v":120.1},
  {"n":"current","t":-5,"v":1.2},
  {"n":"current","t":-4,"v":1.3},
  {"n":"current","t":-3,"v":1.4},
  {"n":"current","t":-2,"v":1.5},
  {"n":"current","t":-1,"v":1.6},
  {"n":"current","v":1.7}
]`;

const SERIES_CBOR = `
  87 a7 21 78 1b 75726e3a6465763a6f773a3130653230373361303130383030363a
        22 fb 41d303a15b001062  23 61 41  20 05  00 67 766f6c74616765  01 61 56  02 fb 405e066666666666
     a3 00 67 63757272656e74 06 24 02 fb 3ff3333333333333
     a3 00 67 63757272656e74 06 23 02 fb 3ff4cccccccccccd
     a3 00 67 63757272656e74 06 22 02 fb 3ff6666666666666
     a3 00 67 63757272656e74 06 21 02 f9 3e00
     a3 00 67 63757272656e74 06 20 02 fb 3ff999999999999a
     a3 00 67 63757272656e74 06 00 02 fb 3ffb333333333333`;

const BT = 1276020076.001;
const SERIES_RESOLVED = [
  { name: 'urn:dev:ow:10e2073a0108006:voltage', time: BT, unit: 'V', value: { kind: 'v', value: 120.1, time: false } },
  ...[1.2, 1.3, 1.4, 1.5, 1.6, 1.7].map((v, i) => ({
    name: 'urn:dev:ow:10e2073a0108006:current',
    time: BT + (i - 5),
    unit: 'A',
    value: { kind: 'v', value: v, time: false },
  })),
];

describe('RFC 8428 SenML examples', () => {
  it('5.1.1 single datapoint', () => {
    assert.deepStrictEqual(resolveSenml(readSenmlJson(utf8(SINGLE))), [
      { name: 'urn:dev:ow:10e2073a01080063', unit: 'Cel', value: { kind: 'v', value: 23.1, time: false } },
    ]);
  });

  it('5.1.2 multiple datapoints share the base name', () => {
    assert.deepStrictEqual(resolveSenml(readSenmlJson(utf8(MULTIPLE))), [
      { name: 'urn:dev:ow:10e2073a01080063:voltage', unit: 'V', value: { kind: 'v', value: 120.1, time: false } },
      { name: 'urn:dev:ow:10e2073a01080063:current', unit: 'A', value: { kind: 'v', value: 1.2, time: false } },
    ]);
  });

  it('the time series resolves base time, base unit and relative times (4.6)', () => {
    assert.deepStrictEqual(resolveSenml(readSenmlJson(utf8(SERIES))), SERIES_RESOLVED);
  });

  it('section 6: the CBOR pack decodes to the same records as the JSON one', () => {
    const bytes = hex(SERIES_CBOR);
    // The vector is the RFC's diagnostic notation: check it with an independent CBOR decoder first.
    const generic = cborgDecode(bytes, { useMaps: true }) as Map<number, unknown>[];
    assert.equal(generic.length, 7);
    assert.deepStrictEqual(
      [...generic[0]!.entries()],
      [[-2, 'urn:dev:ow:10e2073a0108006:'], [-3, BT], [-4, 'A'], [-1, 5], [0, 'voltage'], [1, 'V'], [2, 120.1]],
    );
    // The CBOR rendering writes the last record's time as 6: 0 where the JSON leaves "t" out: same data.
    assert.deepStrictEqual(readSenmlCbor(bytes)[6], { n: 'current', t: 0, v: 1.7 });
    assert.deepStrictEqual(resolveSenml(readSenmlCbor(bytes)), SERIES_RESOLVED);
  });

  it('relative times (below 2^28) resolve against "now" when it is given (4.5.3)', () => {
    const pack = readSenmlJson(utf8('[{"n":"a","v":1,"t":-10},{"n":"a","v":2},{"n":"b","v":3,"t":1.7e9}]'));
    assert.deepStrictEqual(
      resolveSenml(pack, 1_000_000_000).map((r) => r.time),
      [999_999_990, undefined, 1.7e9],
    );
  });

  it('refuses a newer SenML version and must-understand fields (4.4)', () => {
    assert.throws(() => resolveSenml(readSenmlJson(utf8('[{"bver":11,"n":"a","v":1}]'))), /version 11/);
    assert.throws(() => readSenmlJson(utf8('[{"n":"a","v":1,"foo_":2}]')), /must-understand/);
    assert.deepStrictEqual(resolveSenml(readSenmlJson(utf8('[{"n":"a","v":1,"foo":2}]'))), [
      { name: 'a', value: { kind: 'v', value: 1, time: false } },
    ]);
  });

  it('refuses a record with two value fields', () => {
    assert.throws(() => resolveSenml(readSenmlJson(utf8('[{"n":"a","v":1,"vs":"x"}]'))), /2 value fields/);
  });

  it('applies base value and base sum', () => {
    assert.deepStrictEqual(resolveSenml(readSenmlJson(utf8('[{"bn":"x","bv":10,"bs":100,"n":"a","v":1,"s":5},{"n":"b","v":-2}]'))), [
      { name: 'xa', value: { kind: 'v', value: 11, time: false }, sum: 105 },
      { name: 'xb', value: { kind: 'v', value: 8, time: false } },
    ]);
  });
});
