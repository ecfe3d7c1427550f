/**
 * LwM2M over DTLS: full PSK handshakes per second against our server's DTLS listener, and READ
 * /3/0/0 round trips per second from our server to our client registered over coaps:// (PSK,
 * AES-128-CCM_8), against the same READs to a client registered over plain coap:// in the same run.
 *
 *   npm run bench -- dtls [--seconds 2] [--concurrency 4]
 */
import { LwM2mClient } from '../src/client/client.ts';
import { LwM2mServer } from '../src/server/server.ts';
import { SecurityRegistry } from '../src/server/security.ts';
import { DtlsTransport } from '../src/transport/dtls/dtls-transport.ts';
import { UdpTransport } from '../src/transport/udp.ts';
import { benchArgs, measureAsync, report, round } from './_harness.ts';

const args = benchArgs();
const seconds = Number(args.get('seconds') ?? 2);
const concurrency = Number(args.get('concurrency') ?? 4);
const KEY = new Uint8Array(16).fill(0x42);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const server = await LwM2mServer.start({
  address: '127.0.0.1',
  security: new SecurityRegistry([['secure-ep', { psk: { identity: 'secure-id', key: KEY } }]]),
  dtls: { address: '127.0.0.1' },
});
const dtlsPort = server.secureLocal!.port;

function client(endpoint: string, uri: string, security: Record<number, number | Uint8Array>): LwM2mClient {
  const c = new LwM2mClient({ endpoint });
  c.create('/0/0', { 0: uri, 1: false, 10: 1, ...security });
  c.create('/1/0', { 0: 1, 1: 3600, 6: false, 7: 'U' });
  c.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
  return c;
}

const plain = client('plain-ep', `coap://127.0.0.1:${server.local.port}`, { 2: 3 });
const secure = client('secure-ep', `coaps://127.0.0.1:${dtlsPort}`, { 2: 0, 3: text('secure-id'), 5: KEY });
await plain.start();
await secure.start();

async function reads(endpoint: string): Promise<number> {
  await server.read(endpoint, '/3/0/0', { format: 0 });
  const m = await measureAsync(async () => {
    await server.read(endpoint, '/3/0/0', { format: 0 });
  }, seconds, concurrency);
  return m.opsPerSecond;
}

// Alternate the two measurements so that machine noise hits both alike.
const plainRates: number[] = [];
const secureRates: number[] = [];
for (let round_ = 0; round_ < 3; round_++) {
  plainRates.push(await reads('plain-ep'));
  secureRates.push(await reads('secure-ep'));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const plainRps = median(plainRates);
const secureRps = median(secureRates);

// Full PSK handshakes (with the cookie exchange) against the server's DTLS listener.
let handshakes = 0;
const hs = await measureAsync(async () => {
  const t = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: { identity: 'secure-id', key: KEY }, resumeSessions: false });
  await t.connect({ address: '127.0.0.1', port: dtlsPort });
  handshakes++;
  await t.close();
}, seconds, concurrency);

report({
  benchmark: 'dtls',
  concurrency,
  psk_handshakes_per_second: round(hs.opsPerSecond),
  handshakes,
  dtls_read_rps: round(secureRps),
  udp_read_rps: round(plainRps),
  ratio: round(secureRps / plainRps, 3),
});

await secure.close();
await plain.close();
await server.close();
