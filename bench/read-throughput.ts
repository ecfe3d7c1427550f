/**
 * Read throughput of the client engine over loopback UDP: a server endpoint in the same process
 * issues CON READ /3/0/0 (plain text) and READ /3/0 (SenML CBOR) to an LwM2mEngine as fast as the
 * window (NSTART) allows, against a raw node:dgram echo of the very same request and response
 * datagrams, measured in the same run, alternating rounds.
 *
 *   npm run bench -- read-throughput [--seconds 0.5] [--rounds 5] [--window 1]
 *
 * Last line: {"text_rps":..,"senml_cbor_rps":..,"baseline_text_rps":..,"baseline_senml_cbor_rps":..,
 * "ratio_text":..,"ratio_senml_cbor":..}: medians over the rounds; a ratio is the median of the
 * per-round ratios (ours / raw UDP of the same bytes). Target: ratio_text >= 0.5.
 */
import { CoapEndpoint } from '../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { serialize } from '../src/coap/serialize.ts';
import { ContentFormat } from '../src/codec/content-format.ts';
import { LwM2mEngine } from '../src/dm/engine.ts';
import { UdpTransport } from '../src/transport/udp.ts';
import { benchArgs, report, round } from './_harness.ts';
import { measureUdpEcho, startUdpEcho } from './_udp-echo.ts';

const args = benchArgs();
const seconds = Number(args.get('seconds') ?? '0.5');
const rounds = Number(args.get('rounds') ?? '5');
const window = Number(args.get('window') ?? '1');

interface Target {
  readonly name: string;
  readonly path: string;
  readonly accept: number | undefined;
}
const TEXT: Target = { name: 'text', path: '/3/0/0', accept: undefined };
const SENML: Target = { name: 'senml-cbor', path: '/3/0', accept: ContentFormat.SENML_CBOR };

function populate(engine: LwM2mEngine): void {
  const reg = engine.registry;
  reg.create('/0/0', { 0: 'coap://127.0.0.1', 1: false, 2: 3, 10: 1 });
  reg.create('/1/0', { 0: 1, 1: 86400, 6: false, 7: 'U' });
  reg.create('/3/0', {
    0: 'Example Manufacturer',
    1: 'Model 500',
    2: 'SN-0001234',
    3: '1.2.3',
    6: [1, 5],
    7: [3800, 5000],
    8: [125, 900],
    9: 100,
    11: [0],
    13: new Date(1_700_000_000_000),
    16: 'U',
  });
}

interface Rig {
  engine: LwM2mEngine;
  client: CoapEndpoint;
  server: CoapEndpoint;
}

async function rig(): Promise<Rig> {
  const engine = new LwM2mEngine({ version: '1.1', endpointName: 'bench' });
  populate(engine);
  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  const server = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { params: { nstart: window } });
  engine.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: server.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  return { engine, client, server };
}

async function close(r: Rig): Promise<void> {
  r.engine.close();
  await r.client.close();
  await r.server.close();
}

/** One response as the engine sends it, to replay in the baseline. */
async function sample(r: Rig, t: Target): Promise<{ req: Uint8Array; res: Uint8Array }> {
  const options = buildOptions({ uriPath: t.path, accept: t.accept });
  const res = await r.server.request(r.client.local, { code: CoapCode.GET, options });
  if (res.code !== CoapCode.CONTENT) throw new Error(`unexpected ${res.code}`);
  const token = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  return {
    req: serialize({ type: CoapType.CON, code: CoapCode.GET, messageId: 0x1234, token, options, payload: new Uint8Array(0) }),
    res: serialize({ type: CoapType.ACK, code: res.code, messageId: 0x1234, token, options: res.options, payload: res.payload }),
  };
}

async function measureOurs(t: Target): Promise<number> {
  const r = await rig();
  const request = { code: CoapCode.GET, options: buildOptions({ uriPath: t.path, accept: t.accept }) };
  const peer = r.client.local;
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await r.server.request(peer, request);
      if (res.code !== CoapCode.CONTENT) throw new Error(`unexpected ${res.code}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const rps = done / ((performance.now() - start) / 1000);
  await close(r);
  return rps;
}

async function measureBaseline(bytes: { req: Uint8Array; res: Uint8Array }): Promise<number> {
  const echo = await startUdpEcho('127.0.0.1', () => bytes.res);
  const m = await measureUdpEcho(echo.port, [bytes.req], seconds, window);
  await echo.close();
  return m.rps;
}

const probe = await rig();
const bytes = { text: await sample(probe, TEXT), senml: await sample(probe, SENML) };
await close(probe);
console.log(`datagrams: text request ${bytes.text.req.length} B / response ${bytes.text.res.length} B; SenML CBOR response ${bytes.senml.res.length} B`);

// Warm-up of every path, then alternate rounds so machine noise is shared fairly.
await measureOurs(TEXT);
await measureOurs(SENML);
await measureBaseline(bytes.text);
const results = { text: [] as number[], senml: [] as number[], baseText: [] as number[], baseSenml: [] as number[], ratioText: [] as number[], ratioSenml: [] as number[] };
for (let i = 0; i < rounds; i++) {
  const t = await measureOurs(TEXT);
  const bt = await measureBaseline(bytes.text);
  const s = await measureOurs(SENML);
  const bs = await measureBaseline(bytes.senml);
  results.text.push(t);
  results.baseText.push(bt);
  results.senml.push(s);
  results.baseSenml.push(bs);
  results.ratioText.push(t / bt);
  results.ratioSenml.push(s / bs);
  console.log(`round ${i + 1}: /3/0/0 text ${round(t)} rps (udp ${round(bt)}), /3/0 SenML CBOR ${round(s)} rps (udp ${round(bs)})`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
report({
  text_rps: round(median(results.text)),
  senml_cbor_rps: round(median(results.senml)),
  baseline_text_rps: round(median(results.baseText)),
  baseline_senml_cbor_rps: round(median(results.baseSenml)),
  ratio_text: round(median(results.ratioText), 3),
  ratio_senml_cbor: round(median(results.ratioSenml), 3),
  window,
  seconds,
  rounds,
});
