/**
 * Fleet: N clients (default 1,000; `--count 10000`) in one process, each on its own UDP socket,
 * registering to our server in the same process (in a worker thread, so that its heap is its own).
 * Prints registrations per second, the time until all are registered, the heap bytes per
 * registered idle client (heap after GC with the fleet registered, minus the heap before the clients
 * were created, divided by N), and the process CPU time (both threads) per registration, which
 * depends less than the rate on what else the machine is running.
 *
 *   npm run bench -- fleet [--count N] [--concurrency C]
 */
import { execSync } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { LwM2mClient } from '../src/client/client.ts';
import { benchArgs, report, round } from './_harness.ts';

const args = benchArgs();
const count = Number(args.get('count') ?? 1000);
const concurrency = Number(args.get('concurrency') ?? 200);

function fdLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  } catch {
    return Number.NaN;
  }
}

const limit = fdLimit();
if (Number.isFinite(limit) && limit < count + 100) {
  process.stderr.write(`fleet: ${count} clients need ${count + 100} file descriptors, but ulimit -n is ${limit}; raise it (ulimit -n ${count + 1000})\n`);
  process.exit(2);
}

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const worker = new Worker(new URL('./_worker-shim.mjs', import.meta.url), {
  workerData: { module: new URL('./_fleet-server.ts', import.meta.url).href },
});
const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
const uri = `coap://127.0.0.1:${port}`;
async function serverCount(): Promise<number> {
  worker.postMessage({ type: 'count' });
  const [{ count: n }] = (await once(worker, 'message')) as [{ count: number }];
  return n;
}
const before = heap();

const clients: LwM2mClient[] = [];
for (let i = 0; i < count; i++) {
  const c = new LwM2mClient({ endpoint: `fleet-${i}`, localAddress: '127.0.0.1' });
  c.create('/0/0', { 0: uri, 1: false, 2: 3, 10: 1 });
  c.create('/1/0', { 0: 1, 1: 86400, 6: false, 7: 'U' });
  c.create('/3/0', { 0: 'lwm2m-ts', 1: 'fleet', 2: `SN-${i}`, 16: 'U' });
  clients.push(c);
}

const start = performance.now();
const cpuStart = process.cpuUsage();
let next = 0;
let failures = 0;
async function starter(): Promise<void> {
  while (next < clients.length) {
    const c = clients[next++]!;
    try {
      await c.start();
    } catch {
      failures++;
    }
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, starter));
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const registered = await serverCount();

const after = heap();
const perClient = (after - before) / count;
process.stderr.write(`fleet: ${registered}/${count} registered in ${seconds.toFixed(2)} s; ${Math.round(perClient)} heap bytes per client\n`);

report({
  benchmark: 'fleet',
  clients: count,
  registered,
  failures,
  concurrency,
  seconds_to_all_registered: round(seconds, 2),
  registrations_per_second: round(registered / seconds),
  cpu_us_per_registration: Math.round((cpu.user + cpu.system) / Math.max(1, registered)),
  heap_bytes_per_client: Math.round(perClient),
  target_heap_bytes_per_client: 10_240,
});

await Promise.all(clients.map((c) => c.close()));
worker.postMessage({ type: 'close' });
await once(worker, 'exit');
