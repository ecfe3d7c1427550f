/**
 * SenML CBOR encode + decode of a 50-record pack of mixed types (floats with timestamps, integers,
 * strings, booleans, opaque, object links, times) - our codec (LwM2M records in and out, typed and
 * validated by the definitions) against bare cborg encoding and strictly decoding the same SenML
 * structure, measured in the same run. Target: ratio >= 0.8.
 *
 *   npm run bench -- senml-cbor [--seconds 2]
 */
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { benchArgs, measureSync, report, round } from './_harness.ts';
import { decode, encode } from '../src/codec/codec.ts';
import { ContentFormat } from '../src/codec/content-format.ts';
import { path } from '../src/model/path.ts';
import type { LwM2mRecord } from '../src/model/record.ts';
import { DEFAULT_CATALOGUE } from '../src/model/catalogue.ts';
import { ALL_TYPES } from '../test/codec/fixtures.ts';

const seconds = Number(benchArgs().get('seconds') ?? 2);

const records: LwM2mRecord[] = [];
const t0 = 1_700_000_000;
for (let i = 0; i < 10; i++) records.push({ path: path(3303, i, 5700), value: 20 + i * 0.37, time: t0 + i * 10 });
for (let i = 0; i < 10; i++) records.push({ path: path(9000, i, 1), value: i * 1000 - 3000 });
for (let i = 0; i < 8; i++) records.push({ path: path(9000, i, 0), value: `sensor ${i} ok` });
for (let i = 0; i < 6; i++) records.push({ path: path(9000, i, 4), value: i % 2 === 0 });
for (let i = 0; i < 6; i++) records.push({ path: path(9000, i, 5), value: new Uint8Array(16).fill(i) });
for (let i = 0; i < 5; i++) records.push({ path: path(9000, i, 7), value: { oid: 3303, iid: i } });
for (let i = 0; i < 5; i++) records.push({ path: path(9000, i, 6), value: new Date((t0 + i) * 1000) });

// Temperature from the built-in catalogue, plus the tests' all-types object (9000).
const options = { format: ContentFormat.SENML_CBOR, basePath: '/', definitions: DEFAULT_CATALOGUE.withDefinitions(ALL_TYPES) };
const ours = encode(records, options);
if (decode(ours, options).length !== 50) throw new Error('round trip failed');

// The same SenML structure as plain CBOR data: one map per record, SenML labels as keys.
const pack = records.map((r) => {
  const m = new Map<number | string, unknown>([[0, r.path.toString()]]);
  const v = r.value;
  if (typeof v === 'string') m.set(3, v);
  else if (typeof v === 'boolean') m.set(4, v);
  else if (v instanceof Uint8Array) m.set(8, v);
  else if (v instanceof Date) m.set(2, Math.floor(v.getTime() / 1000));
  else if (typeof v === 'object') m.set('vlo', `${v.oid}:${v.iid}`);
  else m.set(2, v);
  if (r.time !== undefined) m.set(6, r.time);
  return m;
});
const strict = { useMaps: true, strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false };
const baselineBytes = cborgEncode(pack);
if ((cborgDecode(baselineBytes, strict) as unknown[]).length !== 50) throw new Error('baseline failed');

let sink = 0;
const oursM = measureSync(() => {
  const b = encode(records, options);
  sink += decode(b, options).length;
}, seconds);
const baseM = measureSync(() => {
  const b = cborgEncode(pack);
  sink += (cborgDecode(b, strict) as unknown[]).length;
}, seconds);
if (sink === 0) throw new Error('nothing measured');

process.stdout.write(`ours: ${ours.length} bytes, ${round(oursM.opsPerSecond)} ops/s; cborg: ${baselineBytes.length} bytes, ${round(baseM.opsPerSecond)} ops/s\n`);
report({ ours_ops: round(oursM.opsPerSecond), baseline_ops: round(baseM.opsPerSecond), ratio: round(oursM.opsPerSecond / baseM.opsPerSecond, 3) });
