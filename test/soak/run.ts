/**
 * Soak run (`npm run soak`, outside `npm test`): our server and N clients in one process over a lossy
 * loopback link for a while. Clients re-register through short lifetimes (Updates), the server
 * observes each client's battery level, the clients change it every second and Send a sequence
 * counter (/3/0/10) every few seconds. At the end: every client still registered, every acknowledged Send
 * record received by the server, notifications flowing, and (in runs of 400 s or more) the heap flat
 * once CoAP's deduplication window (EXCHANGE_LIFETIME, 247 s) is full.
 *
 *   npm run soak -- [--clients 100] [--seconds 120] [--loss 0.05] [--lifetime 20] [--seed N]
 *
 * Prints progress on stderr and one JSON object as the last line on stdout; exits 1 when a check fails.
 */
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import type { Observation } from '../../src/server/observation.ts';
import { LossyTransport } from '../../src/transport/lossy.ts';
import { prng as seeded } from '../_prng.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
};
const CLIENTS = arg('clients', 100);
const SECONDS = arg('seconds', 120);
const LOSS = arg('loss', 0.05);
const LIFETIME = arg('lifetime', 20);
const SEED = arg('seed', Date.now() % 1_000_000);


const random = seeded(SEED);
const COAP = { params: { ackTimeout: 200, ackRandomFactor: 1.5, maxRetransmit: 4 } };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const heapMb = (): number => {
  globalThis.gc?.();
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
};

const server = await LwM2mServer.start({ address: '127.0.0.1', coap: COAP });
const received = new Map<string, Set<number>>();
let notifications = 0;
let sendEvents = 0;
server.on('send', ({ registration, records }) => {
  sendEvents++;
  let set = received.get(registration.endpoint);
  if (set === undefined) received.set(registration.endpoint, (set = new Set()));
  for (const r of records) if (r.path.toString() === '/3/0/10' && typeof r.value === 'number') set.add(r.value);
});

interface Device {
  readonly name: string;
  readonly client: LwM2mClient;
  acked: number[];
  sendFailures: number;
  seq: number;
}
const devices: Device[] = [];
let events = { REG_TIMEOUT: 0, NETWORK_ERROR: 0, REGISTRATION_FAILURE: 0, REG_UPDATE_COMPLETE: 0, REGISTRATION_COMPLETE: 0 };
for (let i = 0; i < CLIENTS; i++) {
  const name = `soak-${i}`;
  const client = new LwM2mClient({
    endpoint: name,
    localAddress: '127.0.0.1',
    coap: COAP,
    timing: { retryBaseMs: 500, maxRetries: 20 },
    wrapTransport: (inner) => new LossyTransport(inner, { lossRate: LOSS, random }),
  });
  client.create('/0/0', { 0: `coap://127.0.0.1:${server.local.port}`, 1: false, 2: 3, 10: 1 });
  client.create('/1/0', { 0: 1, 1: LIFETIME, 6: true, 7: 'U' });
  client.create('/3/0', { 0: 'soak', 9: 50, 10: 0, 16: 'U' });
  client.on('event', (e) => {
    if (e.type in events) events = { ...events, [e.type]: events[e.type as keyof typeof events] + 1 };
  });
  devices.push({ name, client, acked: [], sendFailures: 0, seq: 0 });
}

const started = performance.now();
await Promise.all(devices.map((d) => d.client.start()));
process.stderr.write(`soak: ${CLIENTS} clients registered in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED})\n`);

const observations: Observation[] = [];
for (const d of devices) {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const obs = await server.observe(d.name, '/3/0/9');
      observations.push(obs);
      void (async () => {
        for await (const _ of obs) notifications++;
      })();
      break;
    } catch {
      await sleep(200);
    }
  }
}

const heapStart = heapMb();
const runStart = performance.now();
const deadline = runStart + SECONDS * 1000;
// CoAP keeps each exchange for deduplication for EXCHANGE_LIFETIME (247 s): the heap grows until then.
const WARM_MS = 260_000;
let heapWarm: number | undefined;
let tick = 0;
while (performance.now() < deadline) {
  tick++;
  for (const d of devices) d.client.set('/3/0/9', 1 + Math.floor(random() * 100));
  if (tick % 3 === 0) {
    for (const d of devices) {
      const seq = ++d.seq;
      d.client.set('/3/0/10', seq);
      d.client.send(['/3/0/10']).then(
        () => d.acked.push(seq),
        () => d.sendFailures++,
      );
    }
  }
  if (tick % 10 === 0) {
    const regs = server.registrations().length;
    const heap = heapMb();
    if (heapWarm === undefined && performance.now() - runStart >= WARM_MS) heapWarm = heap;
    process.stderr.write(`soak ${tick}s: registered ${regs}/${CLIENTS}, notifications ${notifications}, sends ${sendEvents}, heap ${heap} MB\n`);
  }
  await sleep(1000);
}
await sleep(3000); // the last Sends and notifications settle
const heapEnd = heapMb();

let lostAcked = 0;
let acked = 0;
let failed = 0;
for (const d of devices) {
  const got = received.get(d.name) ?? new Set<number>();
  acked += d.acked.length;
  failed += d.sendFailures;
  for (const seq of d.acked) if (!got.has(seq)) lostAcked++;
}
const registered = server.registrations().length;
for (const o of observations) await o.cancel().catch(() => undefined);
await Promise.all(devices.map((d) => d.client.stop().catch(() => undefined)));
await Promise.all(devices.map((d) => d.client.close()));
await server.close();

const summary = {
  clients: CLIENTS,
  seconds: SECONDS,
  loss: LOSS,
  seed: SEED,
  registered_at_end: registered,
  notifications,
  sends_acked: acked,
  sends_failed: failed,
  acked_but_not_received: lostAcked,
  events,
  heap_mb_start: heapStart,
  heap_mb_after_exchange_lifetime: heapWarm ?? null,
  heap_mb_end: heapEnd,
};
// The heap check needs a run well past EXCHANGE_LIFETIME: from then on it must stay flat (within 20%).
const heapFlat = heapWarm === undefined || SECONDS * 1000 < WARM_MS + 120_000 || heapEnd <= heapWarm * 1.2;
const ok = registered === CLIENTS && lostAcked === 0 && notifications > 0 && acked > 0 && heapFlat;
process.stdout.write(JSON.stringify({ ok, ...summary }) + '\n');
process.exitCode = ok ? 0 : 1;
