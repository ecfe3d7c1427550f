/**
 * DTLS handshakes per second over loopback UDP: full PSK handshakes (TLS_PSK_WITH_AES_128_CCM_8,
 * with cookie exchange), resumed (abbreviated) handshakes and full ECDHE-ECDSA certificate
 * handshakes, and echo round trips over an established association, against a baseline of plain
 * UDP round trips measured in the same run.
 *   npm run bench -- dtls-handshake [--seconds 1] [--concurrency 4]
 */
import { generateKeyPairSync } from 'node:crypto';
import { DtlsTransport } from '../src/transport/dtls/dtls-transport.ts';
import { UdpTransport } from '../src/transport/udp.ts';
import type { Peer } from '../src/transport/transport.ts';
import { benchArgs, measureAsync, report, round } from './_harness.ts';

const args = benchArgs();
const seconds = Number(args.get('seconds') ?? 1);
const concurrency = Number(args.get('concurrency') ?? 4);
const KEY = Buffer.alloc(16, 0x33);

async function udpRoundTrips(): Promise<number> {
  const a = await UdpTransport.bind({ address: '127.0.0.1' });
  const b = await UdpTransport.bind({ address: '127.0.0.1' });
  b.onDatagram((d, peer) => {
    b.send(d, peer);
  });
  let pending: (() => void) | undefined;
  a.onDatagram(() => pending?.());
  const m = await measureAsync(
    () =>
      new Promise<void>((resolve) => {
        pending = resolve;
        a.send(Buffer.from('ping'), b.local);
      }),
    seconds,
  );
  await a.close();
  await b.close();
  return m.opsPerSecond;
}

/** Echo round trips of a 64-byte datagram over an established DTLS (PSK, CCM_8) association. */
async function dtlsRoundTrips(): Promise<number> {
  const server = DtlsTransport.server(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: new Map([['bench', KEY]]) });
  const client = DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: { identity: 'bench', key: KEY } });
  server.onDatagram((d, peer) => {
    server.send(d, peer);
  });
  const peer: Peer = { address: '127.0.0.1', port: server.local.port };
  await client.connect(peer);
  let pending: (() => void) | undefined;
  client.onDatagram(() => pending?.());
  const payload = Buffer.alloc(64, 1);
  const m = await measureAsync(
    () =>
      new Promise<void>((resolve) => {
        pending = resolve;
        client.send(payload, peer);
      }),
    seconds,
  );
  await client.close();
  await server.close();
  return m.opsPerSecond;
}

async function handshakes(kind: 'psk' | 'resumed' | 'ecdhe', workers: number): Promise<number> {
  const s = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const c = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = DtlsTransport.server(await UdpTransport.bind({ address: '127.0.0.1' }), {
    psk: new Map([['bench', KEY]]),
    rawPublicKey: { privateKey: s.privateKey, trustedPeerKeys: [c.publicKey] },
    maxConnections: 100_000,
  });
  const peer: Peer = { address: '127.0.0.1', port: server.local.port };
  const clients = await Promise.all(
    Array.from({ length: workers }, async () =>
      DtlsTransport.client(
        await UdpTransport.bind({ address: '127.0.0.1' }),
        kind === 'ecdhe'
          ? { rawPublicKey: { privateKey: c.privateKey, trustedPeerKeys: [s.publicKey] }, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] }
          : { psk: { identity: 'bench', key: KEY }, cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
      ),
    ),
  );
  let next = 0;
  const m = await measureAsync(
    async () => {
      const client = clients[next++ % clients.length]!;
      const info = await client.connect(peer);
      if (kind !== 'resumed' && info.resumed) throw new Error('a full handshake was expected');
      client.closePeer(peer, { forgetSession: kind !== 'resumed' });
    },
    seconds,
    workers,
  );
  for (const cl of clients) await cl.close();
  await server.close();
  return m.opsPerSecond;
}

const udp = await udpRoundTrips();
const dtlsRtt = await dtlsRoundTrips();
const psk1 = await handshakes('psk', 1);
const pskN = await handshakes('psk', concurrency);
const resumedN = await handshakes('resumed', concurrency);
const ecdheN = await handshakes('ecdhe', concurrency);
console.log(`plain UDP round trips/s: ${round(udp)}; DTLS (CCM_8) round trips/s: ${round(dtlsRtt)} (${round(dtlsRtt / udp, 2)} of UDP)`);
console.log(`full PSK handshakes/s: ${round(psk1)} (1 client), ${round(pskN)} (${concurrency} clients)`);
console.log(`resumed handshakes/s: ${round(resumedN)}; ECDHE-ECDSA (raw public key) handshakes/s: ${round(ecdheN)}`);
report({
  benchmark: 'dtls-handshake',
  seconds,
  concurrency,
  pskHandshakesPerSecond: round(pskN),
  pskHandshakesPerSecondSerial: round(psk1),
  resumedHandshakesPerSecond: round(resumedN),
  ecdheHandshakesPerSecond: round(ecdheN),
  baselineUdpRoundTripsPerSecond: round(udp),
  dtlsRoundTripsPerSecond: round(dtlsRtt),
  dtlsToUdpRoundTripRatio: round(dtlsRtt / udp, 2),
  /** A full PSK handshake is three round trips; this is its cost in plain round trips. */
  pskHandshakeCostInUdpRoundTrips: round(udp / psk1, 1),
});
