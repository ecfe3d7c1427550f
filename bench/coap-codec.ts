/**
 * CoAP codec speed: parse and serialize a CON GET /3/0/0 with an 8-byte token (the shape of an
 * LwM2M Read). Baseline in the same run: `coap-packet` (node-coap's codec, installed with the
 * `coap` dev dependency) on the same datagram, when it is present.
 *
 *   npm run bench -- coap-codec [--seconds 1]
 *
 * Last line: {"parse_ops":..,"serialize_ops":..,"roundtrip_ops":..,"baseline_roundtrip_ops":..,"speedup":..}
 */
import { createRequire } from 'node:module';
import { parse } from '../src/coap/parse.ts';
import { serialize } from '../src/coap/serialize.ts';
import { CoapCode, CoapType, type CoapMessage } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { benchArgs, measureSync, report, round } from './_harness.ts';

const seconds = Number(benchArgs().get('seconds') ?? '1');

const message: CoapMessage = {
  type: CoapType.CON,
  code: CoapCode.GET,
  messageId: 0x7d34,
  token: Uint8Array.of(0x8f, 0xcd, 0xc2, 0xb4, 0xca, 0xe4, 0x3e, 0x66),
  options: buildOptions({ uriPath: '/3/0/0' }),
  payload: new Uint8Array(0),
};
const datagram = serialize(message);
let sink = 0;

const p = measureSync(() => {
  sink += parse(datagram).messageId;
}, seconds);
const s = measureSync(() => {
  sink += serialize(message).length;
}, seconds);
const both = measureSync(() => {
  sink += serialize(parse(datagram)).length;
}, seconds);
console.log(`datagram ${datagram.length} bytes: parse ${round(p.opsPerSecond)}/s, serialize ${round(s.opsPerSecond)}/s, parse+serialize ${round(both.opsPerSecond)}/s`);

interface CoapPacket {
  parse(b: Buffer): unknown;
  generate(p: unknown): Buffer;
}
let baseline: number | undefined;
try {
  // coap-packet is a dependency of the `coap` dev dependency; resolve it through that package.
  const requireFromCoap = createRequire(createRequire(import.meta.url).resolve('coap'));
  const packet = requireFromCoap('coap-packet') as CoapPacket;
  const buf = Buffer.from(datagram);
  baseline = measureSync(() => {
    sink += packet.generate(packet.parse(buf)).length;
  }, seconds).opsPerSecond;
  console.log(`coap-packet parse+generate ${round(baseline)}/s`);
} catch (error) {
  console.log(`coap-packet not available for the baseline: ${String(error)}`);
}
if (sink === 42) console.log('');

report({
  datagram_bytes: datagram.length,
  parse_ops: round(p.opsPerSecond),
  serialize_ops: round(s.opsPerSecond),
  roundtrip_ops: round(both.opsPerSecond),
  baseline_roundtrip_ops: baseline === undefined ? null : round(baseline),
  speedup: baseline === undefined ? null : round(both.opsPerSecond / baseline, 1),
});
