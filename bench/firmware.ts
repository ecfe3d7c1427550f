/**
 * Firmware push throughput: a 1 MiB image written to /5/0/0 with Block1 (1024-byte blocks, one
 * confirmable exchange per block) from a server endpoint into an engine with the Firmware Update
 * object and a sink that keeps a running checksum, over loopback UDP; against the raw node:dgram
 * goodput of the same datagrams (each 1024-byte block request answered by its 2.31 Continue, stop
 * and wait) measured in the same run, alternating rounds.
 *
 *   npm run bench -- firmware [--rounds 7] [--size 1048576]
 *
 * Last line: {"push_MBps":..,"udp_MBps":..,"ratio":..,...}: medians over the rounds; `ratio` is the
 * median of the per-round ratios. Target: ratio >= 0.5.
 */
import { CoapEndpoint } from '../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { serialize } from '../src/coap/serialize.ts';
import { ContentFormat } from '../src/codec/content-format.ts';
import { FirmwareState, installFirmwareUpdate } from '../src/client/objects/index.ts';
import { LwM2mEngine } from '../src/dm/engine.ts';
import { UdpTransport } from '../src/transport/udp.ts';
import { benchArgs, report, round } from './_harness.ts';
import { measureUdpEcho, startUdpEcho } from './_udp-echo.ts';

const args = benchArgs();
const rounds = Number(args.get('rounds') ?? '7');
const size = Number(args.get('size') ?? String(1 << 20));
const BLOCK = 1024;
const image = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 0xff);

/** One push of the whole image; returns seconds. */
async function measurePush(): Promise<number> {
  const engine = new LwM2mEngine({ version: '1.1', endpointName: 'bench' });
  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { block1Stream: (r) => engine.block1Stream(r) });
  const server = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  engine.registry.create('/1/0', { 0: 1, 1: 86400, 6: false, 7: 'U' });
  engine.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: server.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  let sum = 0;
  let received = 0;
  const fw = installFirmwareUpdate(engine, {
    sink: {
      write: (chunk) => {
        for (let i = 0; i < chunk.length; i += 64) sum = (sum + chunk[i]!) | 0;
        received += chunk.length;
      },
    },
  });
  const start = performance.now();
  const res = await server.request(client.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0', contentFormat: ContentFormat.OPAQUE }), payload: image }, { blockSize: BLOCK });
  const seconds = (performance.now() - start) / 1000;
  if (res.code !== CoapCode.CHANGED || received !== size || fw.state !== FirmwareState.DOWNLOADED) {
    throw new Error(`push failed: ${res.code}, ${received} bytes, state ${fw.state} (checksum ${sum})`);
  }
  fw.dispose();
  engine.close();
  await client.close();
  await server.close();
  return seconds;
}

/** Seconds per raw round trip of the same datagrams: a 1024-byte block request answered by its 2.31 ACK. */
async function measureUdp(): Promise<number> {
  const token = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const options = buildOptions({ uriPath: '/5/0/0', contentFormat: ContentFormat.OPAQUE, block1: { num: 17, more: true, szx: 6 } });
  const req = serialize({ type: CoapType.CON, code: CoapCode.PUT, messageId: 0x4242, token, options, payload: image.subarray(0, BLOCK) });
  const ack = serialize({ type: CoapType.ACK, code: CoapCode.CONTINUE, messageId: 0x4242, token, options: buildOptions({ block1: { num: 17, more: true, szx: 6 } }), payload: new Uint8Array(0) });
  const echo = await startUdpEcho('127.0.0.1', () => ack);
  // Long enough for about as many round trips as the push makes.
  const m = await measureUdpEcho(echo.port, [req], 0.4);
  await echo.close();
  return 1 / m.rps;
}

// Warm-up (JIT) of both paths, then alternate rounds to share machine noise fairly.
for (let i = 0; i < 4; i++) await measurePush();
await measureUdp();
const push: number[] = [];
const udp: number[] = [];
const ratios: number[] = [];
const mbps = (seconds: number): number => size / seconds / 1e6;
for (let r = 0; r < rounds; r++) {
  const p = await measurePush();
  const perBlock = await measureUdp();
  const u = perBlock * Math.ceil(size / BLOCK);
  push.push(mbps(p));
  udp.push(mbps(u));
  ratios.push(u / p);
  console.log(`round ${r + 1}: push ${round(p * 1000)} ms (${round(mbps(p), 2)} MB/s), raw UDP ${round(u * 1000)} ms (${round(mbps(u), 2)} MB/s), ratio ${round(u / p, 3)}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
report({ push_MBps: round(median(push), 2), udp_MBps: round(median(udp), 2), ratio: round(median(ratios), 3), target: 0.5, image_bytes: size, block_size: BLOCK, rounds });
