/**
 * Fuzzer for every decoder: random payloads and mutations of valid ones (bit flips, byte edits,
 * inserts, deletes, truncation, splices, CBOR/JSON/link "interesting" bytes). The only error a
 * decoder may throw is CodecError. When a payload decodes, encoding the records again in the same
 * format must succeed or throw CodecError, and decoding that must give the same records back.
 *
 *   npx tsx test/fuzz/codec-fuzz.ts [--count 1000000] [--seed 1]
 *
 * `runCodecFuzz` is what test/fuzz/codec-fuzz.test.ts runs, with a small count.
 */
import { decode, encode, decodePaths, encodePaths, type DecodeOptions } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { parseJson } from '../../src/codec/json.ts';
import { decodeLinks, linkAttributes, linkPath, formatLinks, makeLink } from '../../src/codec/link-format.ts';
import { readSenmlCbor } from '../../src/codec/senml-cbor.ts';
import { readSenmlJson } from '../../src/codec/senml-json.ts';
import { resolveSenml } from '../../src/codec/senml.ts';
import { CodecError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { ALL, definitions } from '../codec/fixtures.ts';
import { DEVICE_RECORDS } from '../vectors/lwm2m-spec.ts';
import { prng } from '../_prng.ts';


export interface Target {
  readonly name: string;
  readonly seeds: readonly Uint8Array[];
  /** Decodes; returns a re-check to run when decoding succeeded (or nothing). */
  run(bytes: Uint8Array): void;
}

const rec = (ids: number[], value: LwM2mRecord['value'], time?: number): LwM2mRecord => {
  const r = { path: path(...ids), value };
  return time === undefined ? r : { ...r, time };
};

/** Sample records with every type, single and multiple, for seeds. */
const SAMPLE: LwM2mRecord[] = [
  rec([9000, 0, ALL.string], 'héllo'),
  rec([9000, 0, ALL.integer], -123456789012n),
  rec([9000, 0, ALL.unsigned], 2n ** 64n - 1n),
  rec([9000, 0, ALL.float], -0.1),
  rec([9000, 0, ALL.boolean], true),
  rec([9000, 0, ALL.opaque], new Uint8Array([0, 1, 2, 0xff])),
  rec([9000, 0, ALL.time], new Date(1700000000_000)),
  rec([9000, 0, ALL.objlnk], { oid: 3, iid: 0 }),
  rec([9000, 0, ALL.corelnk], '</3/0>;ver=1.1'),
  rec([9000, 0, ALL.integer + 10, 0], 7),
  rec([9000, 0, ALL.integer + 10, 300], -7),
  rec([9000, 1, ALL.string + 10, 1], ''),
];
const SERIES: LwM2mRecord[] = [rec([3303, 0, 5700], 21.5, 1700000000), rec([3303, 0, 5700], 22.25, 1700000010.5)];

function plainSorted(records: readonly LwM2mRecord[]): string {
  const rows = records.map((r) => [r.path.toString(), r.time ?? null, describeValue(r.value)] as const);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : (a[1] ?? 0) - (b[1] ?? 0)));
  return JSON.stringify(rows);
}

function describeValue(v: LwM2mRecord['value']): unknown {
  if (v instanceof Uint8Array) return ['bytes', Buffer.from(v).toString('hex')];
  if (v instanceof Date) return ['date', v.getTime()];
  if (typeof v === 'bigint') return ['big', v.toString()];
  if (typeof v === 'number') return Object.is(v, -0) ? ['-0'] : Number.isNaN(v) ? ['NaN'] : ['num', String(v)];
  return v;
}

export class FuzzFailure extends Error {
  constructor(target: string, input: Uint8Array, cause: unknown) {
    super(`${target}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}\n  input: ${Buffer.from(input).toString('hex')}`, { cause });
  }
}

/** A decoder target plus its re-encode check. */
function valueTarget(name: string, options: DecodeOptions, seedRecords: readonly LwM2mRecord[][]): Target {
  const seeds: Uint8Array[] = [];
  for (const records of seedRecords) {
    try {
      seeds.push(encode(records, options));
    } catch {
      // a seed set that does not fit this target is simply skipped
    }
  }
  return {
    name,
    seeds,
    run(bytes) {
      let records: LwM2mRecord[];
      try {
        records = decode(bytes, options);
      } catch (e) {
        if (e instanceof CodecError) return;
        throw e;
      }
      let again: Uint8Array;
      try {
        again = encode(records, options);
      } catch (e) {
        if (e instanceof CodecError) return;
        throw new Error(`re-encoding decoded records threw ${String(e)}`, { cause: e });
      }
      const back = decode(again, options);
      if (plainSorted(back) !== plainSorted(records)) {
        throw new Error(`decode(encode(decode(x))) differs from decode(x):\n  ${plainSorted(records)}\n  ${plainSorted(back)}`);
      }
    },
  };
}

function pathsTarget(name: string, format: number): Target {
  const seeds = [encodePaths(['/3/0/1', '/1/0', '/3303/0/5700'], format), encodePaths(['/65534/65534/65534/65534'], format)];
  return {
    name,
    seeds,
    run(bytes) {
      try {
        decodePaths(bytes, format);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
    },
  };
}

function rawTarget(name: string, seeds: Uint8Array[], fn: (b: Uint8Array) => void): Target {
  return {
    name,
    seeds,
    run(bytes) {
      try {
        fn(bytes);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
    },
  };
}

/** Every decoder, with the request paths and definition settings it is used with. */
export function codecTargets(): Target[] {
  const F = ContentFormat;
  const device = [DEVICE_RECORDS as LwM2mRecord[]];
  const all = [SAMPLE, SAMPLE.filter((r) => r.path.ids[1] === 0)];
  const targets: Target[] = [
    valueTarget('tlv /3/0', { format: F.TLV, basePath: '/3/0', definitions }, device),
    valueTarget('tlv /3', { format: F.TLV, basePath: '/3', definitions }, device),
    valueTarget('tlv /9000', { format: F.TLV, basePath: '/9000', definitions }, all),
    valueTarget('tlv /9000/0/11', { format: F.TLV, basePath: '/9000/0/11', definitions }, [SAMPLE.filter((r) => r.path.ids[2] === 11)]),
    valueTarget('tlv /4000 raw', { format: F.TLV, basePath: '/9000', newInstanceId: 3 }, all),
    valueTarget('oma-json /3/0', { format: F.OMA_JSON, basePath: '/3/0', definitions }, device),
    valueTarget('oma-json /9000', { format: F.OMA_JSON, basePath: '/9000', definitions, now: 1.7e9 }, [...all, SERIES]),
    valueTarget('oma-json raw', { format: F.OMA_JSON, basePath: '/9000' }, all),
    valueTarget('senml-json /', { format: F.SENML_JSON, basePath: '/', definitions }, [...all, ...device, SERIES]),
    valueTarget('senml-json /3/0', { format: F.SENML_JSON, basePath: '/3/0', definitions }, device),
    valueTarget('senml-json raw', { format: F.SENML_JSON, basePath: '/', now: 1.7e9 }, [...all, SERIES]),
    valueTarget('senml-cbor /', { format: F.SENML_CBOR, basePath: '/', definitions }, [...all, ...device, SERIES]),
    valueTarget('senml-cbor /9000/0', { format: F.SENML_CBOR, basePath: '/9000/0', definitions }, all),
    valueTarget('senml-cbor raw', { format: F.SENML_CBOR, basePath: '/', now: 1.7e9 }, [...all, SERIES]),
    valueTarget('lwm2m-cbor /', { format: F.LWM2M_CBOR, basePath: '/', definitions }, [...all, ...device]),
    valueTarget('lwm2m-cbor raw', { format: F.LWM2M_CBOR, basePath: '/' }, all),
    pathsTarget('paths senml-json', F.SENML_JSON),
    pathsTarget('paths senml-cbor', F.SENML_CBOR),
    pathsTarget('paths lwm2m-cbor', F.LWM2M_CBOR),
    rawTarget('senml generic json', [encode(SERIES, { format: F.SENML_JSON, basePath: '/' })], (b) => resolveSenml(readSenmlJson(b), 1.7e9)),
    rawTarget('senml generic cbor', [encode(SERIES, { format: F.SENML_CBOR, basePath: '/' })], (b) => resolveSenml(readSenmlCbor(b))),
    rawTarget('json', [encode(SAMPLE, { format: F.OMA_JSON, basePath: '/9000' })], (b) => parseJson(b)),
    rawTarget(
      'link-format',
      [new TextEncoder().encode(formatLinks([makeLink('/', { rt: 'oma.lwm2m', ct: [60, 110] }), makeLink('/3/0/7', { dim: 2, gt: 1.5, uri: 'coap://a"b' }), makeLink('/1/0')]))],
      (b) => {
        for (const l of decodeLinks(b)) {
          linkAttributes(l);
          linkPath(l);
        }
      },
    ),
  ];
  for (const [type, rid] of Object.entries(ALL)) {
    const single = SAMPLE.filter((r) => r.path.ids[2] === rid && r.path.ids.length === 3);
    targets.push(valueTarget(`text ${type}`, { format: F.TEXT, basePath: `/9000/0/${rid}`, definitions }, [single]));
    targets.push(valueTarget(`cbor ${type}`, { format: F.CBOR, basePath: `/9000/0/${rid}`, definitions }, [single]));
  }
  targets.push(valueTarget('text raw', { format: F.TEXT, basePath: '/4000/0/1' }, [[rec([4000, 0, 1], 'x')]]));
  targets.push(valueTarget('cbor raw', { format: F.CBOR, basePath: '/4000/0/1' }, [[rec([4000, 0, 1], new Date(0))]]));
  targets.push(valueTarget('opaque', { format: F.OPAQUE, basePath: '/5/0/0', definitions }, [[rec([5, 0, 0], new Uint8Array([1, 2]))]]));
  return targets;
}

const INTERESTING = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x38, 0x5f, 0x7f, 0x9f, 0xbf, 0xc1, 0xf4, 0xf5, 0xf6, 0xf7,
  0xf9, 0xfa, 0xfb, 0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x2f, 0x3c, 0x3e, 0x3b, 0x3d, 0x2d, 0x2e, 0x65, 0x30, 0x39, 0x08, 0x88,
  0xc8, 0xd8, 0xe0,
];

function mutate(input: Uint8Array, rnd: () => number, seeds: readonly Uint8Array[]): Uint8Array {
  let b = Array.from(input);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 8)) {
      case 0:
        if (b.length > 0) b[pos % b.length]! ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1:
        if (b.length > 0) b[pos % b.length] = Math.floor(rnd() * 256);
        break;
      case 2:
        b.splice(pos, 0, INTERESTING[Math.floor(rnd() * INTERESTING.length)]!);
        break;
      case 3:
        b.splice(pos, 1 + Math.floor(rnd() * 3));
        break;
      case 4:
        b = b.slice(0, pos);
        break;
      case 5: {
        const len = Math.floor(rnd() * 8);
        b.splice(pos, 0, ...b.slice(pos, pos + len));
        break;
      }
      case 6: {
        const other = seeds[Math.floor(rnd() * seeds.length)];
        if (other !== undefined) {
          const at = Math.floor(rnd() * other.length);
          b.splice(pos, 0, ...other.slice(at, at + 1 + Math.floor(rnd() * 16)));
        }
        break;
      }
      default:
        if (b.length > 0) b[pos % b.length] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
    }
  }
  return Uint8Array.from(b);
}

function randomBytes(rnd: () => number): Uint8Array {
  const len = Math.floor(rnd() * 48);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = rnd() < 0.3 ? INTERESTING[Math.floor(rnd() * INTERESTING.length)]! : Math.floor(rnd() * 256);
  return out;
}

export interface FuzzReport {
  readonly inputs: number;
  readonly targets: number;
  readonly seconds: number;
  /** Slowest single input, milliseconds (a hang shows up here). */
  readonly slowestMs: number;
}

/**
 * Runs `count` inputs spread over all targets (a quarter random, the rest mutated seeds). Throws on
 * the first input that makes a decoder throw anything but CodecError or breaks the re-encode check.
 */
export function runCodecFuzz(options: { count: number; seed?: number; targets?: Target[]; progress?: (done: number) => void }): FuzzReport {
  const rnd = prng(options.seed ?? 1);
  const targets = options.targets ?? codecTargets();
  const allSeeds = targets.flatMap((t) => t.seeds);
  const start = performance.now();
  let slowest = 0;
  for (let i = 0; i < options.count; i++) {
    const t = targets[i % targets.length]!;
    const base = t.seeds[Math.floor(rnd() * t.seeds.length)];
    const input = base === undefined || rnd() < 0.25 ? randomBytes(rnd) : mutate(base, rnd, allSeeds);
    const t0 = performance.now();
    try {
      t.run(input);
    } catch (e) {
      throw new FuzzFailure(t.name, input, e);
    }
    const dt = performance.now() - t0;
    if (dt > slowest) slowest = dt;
    if (options.progress !== undefined && (i + 1) % 100000 === 0) options.progress(i + 1);
  }
  return { inputs: options.count, targets: targets.length, seconds: (performance.now() - start) / 1000, slowestMs: slowest };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const args = process.argv.slice(2);
  const arg = (name: string, dflt: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
  };
  const count = arg('count', 1_000_000);
  const seed = arg('seed', Date.now() % 1_000_000);
  process.stdout.write(`codec fuzz: ${count} inputs, seed ${seed}\n`);
  const report = runCodecFuzz({ count, seed, progress: (n) => process.stdout.write(`  ${n} inputs\n`) });
  process.stdout.write(JSON.stringify({ ...report, seed }) + '\n');
}
