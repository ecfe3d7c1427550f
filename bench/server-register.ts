/**
 * Registrations per second: a raw-CoAP load generator in this process sends Register requests
 * (CON POST /rd?ep=...&lt=300&lwm2m=1.1&b=U with a six-link payload, distinct endpoints and message
 * IDs) to an LwM2mServer on loopback, `concurrency` outstanding; each 2.01 answer frees its slot.
 * Baseline: the same datagrams to a raw node:dgram echo server answering with a 2.01-sized reply,
 * measured in the same run. Prints the JSON line with `ratio` = registrations / echo round trips.
 *
 *   npm run bench -- server-register [--seconds 2] [--concurrency 16] [--rounds 2] [--endpoints 5000]
 */
import { createSocket } from 'node:dgram';
import { benchArgs, report, round } from './_harness.ts';
import { measureUdpEcho, startUdpEcho } from './_udp-echo.ts';
import { LwM2mServer } from '../src/server/server.ts';
import { CoapCode, CoapType } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { serialize } from '../src/coap/serialize.ts';

const args = benchArgs();
const seconds = Number(args.get('seconds') ?? 2);
const concurrency = Number(args.get('concurrency') ?? 16);
const rounds = Number(args.get('rounds') ?? 2);
const endpoints = Number(args.get('endpoints') ?? 5000);

const payload = new TextEncoder().encode('</1/0>,</3/0>,</4/0>,</5/0>,</3303/0>,</3303/1>');

/** A Register datagram for endpoint number `n` with message ID `mid`: the endpoint name is fixed-width so that only bytes change. */
function registerDatagram(n: number, mid: number): Uint8Array {
  const ep = `bench-${String(n).padStart(6, '0')}`;
  return serialize({
    type: CoapType.CON,
    code: CoapCode.POST,
    messageId: mid,
    token: Uint8Array.of(0xb0, (mid >> 8) & 0xff, mid & 0xff, 1),
    options: buildOptions({ uriPath: '/rd', contentFormat: 40, uriQuery: [`ep=${ep}`, 'lt=300', 'lwm2m=1.1', 'b=U'] }),
    payload,
  });
}

const template = registerDatagram(0, 0);
const epOffset = Buffer.from(template).indexOf('bench-000000') + 6;

/** Patches message ID, token and endpoint number into a copy of the template (cheap, like a real generator). */
function patch(n: number, mid: number): Buffer {
  const d = Buffer.from(template);
  d[2] = (mid >> 8) & 0xff;
  d[3] = mid & 0xff;
  d[5] = (mid >> 8) & 0xff;
  d[6] = mid & 0xff;
  d.write(String(n % 1_000_000).padStart(6, '0'), epOffset, 'latin1');
  return d;
}

async function measureServer(): Promise<number> {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = server.local.port;
  let mid = 0;
  let n = 0;
  let done = 0;
  let created = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let inFlight = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const sendNext = (): void => {
    mid = (mid + 1) & 0xffff;
    inFlight++;
    socket.send(patch(n++ % endpoints, mid), port, '127.0.0.1');
  };
  socket.on('message', (msg) => {
    inFlight--;
    done++;
    if (msg[1] === CoapCode.CREATED) created++;
    if (performance.now() < end) sendNext();
    else if (inFlight === 0) finish();
  });
  for (let i = 0; i < concurrency; i++) sendNext();
  await finished;
  const rps = done / ((performance.now() - start) / 1000);
  if (created !== done) throw new Error(`only ${created} of ${done} answers were 2.01 Created`);
  if (done > 60_000) throw new Error('message IDs wrapped: lower --seconds');
  await new Promise<void>((r) => socket.close(() => r()));
  await server.close();
  return rps;
}

async function measureBaseline(): Promise<number> {
  // The reply a 2.01 carries: ACK, 4-byte token, Location-Path rd/{10 hex digits}.
  const reply = serialize({ type: CoapType.ACK, code: CoapCode.CREATED, messageId: 1, token: Uint8Array.of(0xb0, 0, 1, 1), options: buildOptions({ locationPath: ['rd', '0123456789'] }), payload: new Uint8Array(0) });
  const echo = await startUdpEcho('127.0.0.1', () => reply);
  const sample = Array.from({ length: 256 }, (_, i) => patch(i, i + 1));
  const m = await measureUdpEcho(echo.port, sample, seconds, concurrency);
  await echo.close();
  return m.rps;
}

await measureServer();
await measureBaseline();
const ours: number[] = [];
const base: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const o = await measureServer();
  const b = await measureBaseline();
  ours.push(o);
  base.push(b);
  ratios.push(o / b);
  console.log(`round ${r + 1}: ${round(o)} registrations/s, UDP echo ${round(b)} round trips/s, ratio ${round(o / b, 3)}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
report({
  registrations_per_second: round(median(ours)),
  baseline_rps: round(median(base)),
  ratio: round(median(ratios), 3),
  concurrency,
  seconds,
  rounds,
  endpoints,
});
