/**
 * Notification throughput of the client engine over loopback UDP: 1,000 resources (Temperature
 * /3303/i/5700) observed by one server endpoint in the same process and changed in a loop, one
 * after another round-robin (pmin 0, Confirmable notifications). At most `--window` notifications
 * are undelivered at any time (a burst of 1,000 datagrams would overflow the loopback socket
 * buffers and measure retransmission timers instead). The run ends when every notification sent
 * has been acknowledged.
 *
 *   npm run bench -- notify [--resources 1000] [--seconds 3] [--window 64]
 *
 * Last line: {"notifications_per_second":..,"delivered":..,"acknowledged":..,...}, where the rate
 * counts notifications delivered to the server and acknowledged back to the engine.
 */
import { CoapEndpoint } from '../src/coap/endpoint.ts';
import { CoapCode, CoapType } from '../src/coap/message.ts';
import { buildOptions } from '../src/coap/options.ts';
import { peekHeader } from '../src/coap/parse.ts';
import { LwM2mEngine } from '../src/dm/engine.ts';
import type { DatagramHandler, Peer, Transport, TransportErrorHandler } from '../src/transport/transport.ts';
import { UdpTransport } from '../src/transport/udp.ts';
import { benchArgs, report, round } from './_harness.ts';

const args = benchArgs();
const resources = Number(args.get('resources') ?? '1000');
const seconds = Number(args.get('seconds') ?? '3');
const window = Number(args.get('window') ?? '64');

/** Counts the empty ACKs the client receives (acknowledged Confirmable notifications). */
class CountingTransport implements Transport {
  acks = 0;
  readonly #inner: Transport;
  constructor(inner: Transport) {
    this.#inner = inner;
  }
  get local(): Peer {
    return this.#inner.local;
  }
  send(data: Uint8Array, peer: Peer): void {
    this.#inner.send(data, peer);
  }
  onDatagram(handler: DatagramHandler): void {
    this.#inner.onDatagram((data, peer, channel) => {
      try {
        const h = peekHeader(data);
        if (h?.type === CoapType.ACK && h.code === 0) this.acks++;
      } catch {
        // not CoAP: the endpoint deals with it
      }
      handler(data, peer, channel);
    });
  }
  onError(handler: TransportErrorHandler): void {
    this.#inner.onError(handler);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

const buffers = { receiveBufferSize: 4 << 20, sendBufferSize: 4 << 20 };
const engine = new LwM2mEngine({ version: '1.1', endpointName: 'bench-notify', confirmableNotifications: true });
const reg = engine.registry;
reg.create('/1/0', { 0: 1, 1: 86400, 2: 0, 6: false, 7: 'U' });
for (let i = 0; i < resources; i++) reg.create(`/3303/${i}`, { 5700: 0 });
const clientTransport = new CountingTransport(await UdpTransport.bind({ address: '127.0.0.1', ...buffers }));
const client = new CoapEndpoint(clientTransport, { maxDedupEntries: 200_000 });
const server = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1', ...buffers }), { params: { nstart: 64 }, maxDedupEntries: 200_000 });
engine.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: server.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });

let delivered = 0;
let wake: (() => void) | undefined;
let wakeAt = Infinity;
const onNotification = (): void => {
  delivered++;
  if (delivered >= wakeAt) {
    wakeAt = Infinity;
    wake?.();
  }
};
function deliveredAtLeast(n: number): Promise<void> {
  if (delivered >= n) return Promise.resolve();
  wakeAt = n;
  return new Promise((r) => (wake = r));
}

for (let i = 0; i < resources; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, resources - i) }, (_, k) =>
      server.observe(client.local, { code: CoapCode.GET, options: buildOptions({ uriPath: `/3303/${i + k}/5700`, observe: 0 }) }, { onNotification }),
    ),
  );
}
if (engine.observationCount(1) !== resources) throw new Error(`only ${engine.observationCount(1)} observations`);
console.log(`${resources} observations registered`);

async function run(ms: number, startValue: number): Promise<{ changes: number; elapsed: number }> {
  let changes = 0;
  const base = delivered;
  const start = performance.now();
  let value = startValue;
  while (performance.now() - start < ms) {
    await deliveredAtLeast(base + changes - window + 1);
    reg.set(`/3303/${changes % resources}/5700`, value++);
    changes++;
  }
  await deliveredAtLeast(base + changes);
  return { changes, elapsed: (performance.now() - start) / 1000 };
}

/** Waits until every notification sent since `sentBase` was acknowledged. */
async function allAcknowledged(ackBase: number, sentBase: number): Promise<void> {
  while (clientTransport.acks - ackBase < client.counters.notificationsSent - sentBase) await new Promise((r) => setImmediate(r));
}

await run(300, 1_000_000); // warm-up
await allAcknowledged(0, 0);
const ackBase = clientTransport.acks;
const sentBase = client.counters.notificationsSent;
const { changes, elapsed: deliveredIn } = await run(seconds * 1000, 1);
const start = performance.now();
await allAcknowledged(ackBase, sentBase);
const elapsed = deliveredIn + (performance.now() - start) / 1000;
const acknowledged = clientTransport.acks - ackBase;
console.log(`${changes} changes of ${resources} observed resources, window ${window}, retransmissions ${client.counters.retransmissions}`);
engine.close();
await client.close();
await server.close();
report({
  notifications_per_second: round(acknowledged / elapsed),
  delivered: changes,
  acknowledged,
  resources,
  window,
  seconds: round(elapsed, 2),
  retransmissions: client.counters.retransmissions,
});
