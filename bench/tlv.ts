/**
 * TLV encode + decode of the whole Device object instance (Read /3/0 as in the LwM2M Core TLV
 * example: 16 resources and resource instances, 121 bytes), typed and checked by the built-in
 * Device definition.
 * Target: >= 200,000 ops/s.
 *
 *   npm run bench -- tlv [--seconds 2]
 */
import { benchArgs, measureSync, report, round } from './_harness.ts';
import { decode, encode } from '../src/codec/codec.ts';
import { ContentFormat } from '../src/codec/content-format.ts';
import { DEFAULT_CATALOGUE } from '../src/model/catalogue.ts';
import { DEVICE_RECORDS } from '../test/vectors/lwm2m-spec.ts';

const seconds = Number(benchArgs().get('seconds') ?? 2);
const options = { format: ContentFormat.TLV, basePath: '/3/0', definitions: DEFAULT_CATALOGUE };
const bytes = encode(DEVICE_RECORDS, options);
if (decode(bytes, options).length !== DEVICE_RECORDS.length) throw new Error('round trip failed');

let sink = 0;
const m = measureSync(() => {
  const b = encode(DEVICE_RECORDS, options);
  sink += decode(b, options).length;
}, seconds);
if (sink === 0) throw new Error('nothing measured');

process.stdout.write(`TLV Device instance (${bytes.length} bytes): ${round(m.opsPerSecond)} encode+decode/s\n`);
report({ ops_per_sec: round(m.opsPerSecond), bytes: bytes.length, records: DEVICE_RECORDS.length, target_ops_per_sec: 200000 });
