/**
 * CoAP round trips over loopback: a client endpoint sends CON GET /3/0/0 to a server endpoint that
 * answers 2.05 with a small payload (piggy-backed), against raw node:dgram echo of the very same
 * request and response datagrams, measured in the same run, alternating rounds.
 *
 *   npm run bench -- coap-roundtrip [--seconds 0.7] [--rounds 7] [--concurrency 1]
 *
 * Last line: {"ours_rps":..,"baseline_rps":..,"ratio":..}: medians over the rounds; `ratio` is the
 * median of the per-round ratios (each round measures ours then the baseline back to back, which
 * keeps the comparison fair on a machine whose load drifts). With --concurrency N the client
 * endpoint uses NSTART=N and the baseline keeps N datagrams in flight.
 */
import { UdpTransport } from '../src/transport/udp.ts';
import { CoapEndpoint } from '../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { serialize } from '../src/coap/serialize.ts';
import { benchArgs, report, round } from './_harness.ts';
import { measureUdpEcho, startUdpEcho } from './_udp-echo.ts';

const args = benchArgs();
const seconds = Number(args.get('seconds') ?? '0.7');
const rounds = Number(args.get('rounds') ?? '7');
const concurrency = Number(args.get('concurrency') ?? '1');

const requestOptions = buildOptions({ uriPath: '/3/0/0' });
const responsePayload = new TextEncoder().encode('Example Manufacturer');
const responseOptions = buildOptions({ contentFormat: 0 });

async function measureOurs(): Promise<number> {
  const server = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { params: { nstart: concurrency } });
  server.onRequest(() => ({ code: CoapCode.CONTENT, options: responseOptions, payload: responsePayload }));
  const peer = server.local;
  const request = { code: CoapCode.GET, options: requestOptions };
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await client.request(peer, request);
      if (res.code !== CoapCode.CONTENT) throw new Error(`unexpected ${res.code}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rps = done / ((performance.now() - start) / 1000);
  await client.close();
  await server.close();
  return rps;
}

async function measureBaseline(): Promise<number> {
  // The same bytes our endpoints exchange: a CON GET /3/0/0 with an 8-byte token, and its ACK.
  const token = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const req = serialize({ type: CoapType.CON, code: CoapCode.GET, messageId: 0x1234, token, options: requestOptions, payload: new Uint8Array(0) });
  const res = serialize({ type: CoapType.ACK, code: CoapCode.CONTENT, messageId: 0x1234, token, options: responseOptions, payload: responsePayload });
  const echo = await startUdpEcho('127.0.0.1', () => res);
  const m = await measureUdpEcho(echo.port, [req], seconds, concurrency);
  await echo.close();
  return m.rps;
}

// Warm-up of both paths, then alternate to share any machine noise fairly.
await measureOurs();
await measureBaseline();
const ours: number[] = [];
const base: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const o = await measureOurs();
  const b = await measureBaseline();
  ours.push(o);
  base.push(b);
  ratios.push(o / b);
  console.log(`round ${r + 1}: ours ${round(o)} rps, baseline ${round(b)} rps, ratio ${round(o / b, 3)}`);
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const oursRps = median(ours);
const baselineRps = median(base);
report({ ours_rps: round(oursRps), baseline_rps: round(baselineRps), ratio: round(median(ratios), 3), concurrency, seconds, rounds });
