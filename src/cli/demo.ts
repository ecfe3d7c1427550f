/**
 * `npm run demo`: the companion bootstrap server, LwM2M server and a client in one process on
 * loopback, walking through the LwM2M interfaces (LwM2M Core 1.1.1 6): client-initiated bootstrap,
 * registration, Read, Write, Execute, Observe with notifications, Send, registration Update and
 * De-registration, with a line for each step. Exits 0 when every step succeeded.
 */
import type { LwM2mRecord } from '../model/record.ts';
import { describeValue, formatValue } from '../model/resource-type.ts';
import { BootstrapServer } from '../server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../server/bootstrap-config.ts';
import { describeCode } from '../server/dm.ts';
import type { Registration } from '../server/registration.ts';
import { LwM2mServer } from '../server/server.ts';
import type { Peer } from '../transport/transport.ts';
import { ClientSession } from './client-session.ts';
import { SecurityModeId } from './client-options.ts';

const ENDPOINT = 'demo-device';
/** No step may take longer (the demo must end by itself). */
const STEP_TIMEOUT_MS = 8000;

export interface DemoOptions {
  readonly write?: (line: string) => void;
  /** How often the simulated temperature moves (default 300 ms, so notifications come quickly). */
  readonly driftPeriodMs?: number;
}

function uri(p: Peer): string {
  return `coap://${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port}`;
}

function objects(r: Registration): string {
  return r.objects.flatMap((o) => (o.instances.length === 0 ? [`/${o.id}`] : o.instances.map((i) => `/${o.id}/${i}`))).join(' ');
}

function records(rs: readonly LwM2mRecord[]): string[] {
  return rs.map((r) => `      ${r.path.toString().padEnd(14)} ${describeValue(r.value)}`);
}

function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no result within ${STEP_TIMEOUT_MS / 1000} s`));
    }, STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Runs the demo; resolves with the exit code. */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out =
    options.write ??
    ((line: string) => {
      process.stdout.write(`${line}\n`);
    });
  const t0 = performance.now();
  const log = (line: string): void => {
    out(`${((performance.now() - t0) / 1000).toFixed(2).padStart(6)}s  ${line}`);
  };
  let stepNo = 0;
  const step = (title: string): void => {
    out('');
    out(`${++stepNo}. ${title}`);
  };

  out('lwm2m-ts demo: a bootstrap server, an LwM2M server and a client in one process, on loopback');
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  const serverUri = uri(server.local);
  const bootstrap = await BootstrapServer.start({
    address: '127.0.0.1',
    port: 0,
    config: parseBootstrapConfig({
      endpoints: {
        [ENDPOINT]: {
          delete: ['/0', '/1'],
          security: { 1: { uri: serverUri, bootstrapServer: false, securityMode: 'nosec', shortServerId: 1 } },
          servers: { 0: { shortServerId: 1, lifetime: 60, binding: 'U', notificationStoring: true } },
        },
      },
    }),
  });
  const session = new ClientSession(
    { serverUri: uri(bootstrap.local), endpoint: ENDPOINT, bootstrap: true, lifetime: 60, version: '1.1', queue: false, stateFile: undefined, shell: false, security: { mode: SecurityModeId.nosec } },
    {
      log: (line) => {
        log(`client: ${line}`);
      },
      driftPeriodMs: options.driftPeriodMs ?? 300 },
  );
  log(`bootstrap server on ${uri(bootstrap.local)}, LwM2M server on ${serverUri}`);
  log(`client '${ENDPOINT}' knows only the bootstrap server; it has the Device object and a temperature sensor (3303/0)`);
  bootstrap.on('request', ({ endpoint }) => {
    log(`bootstrap server: Bootstrap-Request from ${endpoint}`);
  });
  bootstrap.on('finished', ({ result }) => {
    log(`bootstrap server: done: ${result.steps.join(', ')}`);
  });
  bootstrap.on('failed', ({ step: s, error }) => {
    log(`bootstrap server: failed at ${s}: ${error.message}`);
  });
  const client = (): ClientSession['client'] => session.client;
  let ok = false;
  try {
    step('Bootstrap (client-initiated), then Register with the server it was given');
    const registered = server.next('registered');
    const clientRegistered = client().next('event', (e) => e.type === 'REGISTRATION_COMPLETE');
    await within('bootstrap', session.start());
    const [{ registration }] = await within('registration', Promise.all([registered, clientRegistered]));
    log(`server: registered ${registration.endpoint}, id ${registration.id}, LwM2M ${registration.version}, lifetime ${registration.lifetime} s, binding ${registration.binding}`);
    log(`server: objects ${objects(registration)}`);

    step('Read the Device object /3/0');
    const device = await within('read', server.read(ENDPOINT, '/3/0'));
    log(`server: ${describeCode(device.code)}, ${device.records.length} values, among them:`);
    for (const line of records(device.records.filter((r) => [0, 1, 2, 3, 9, 13, 14, 16].includes(r.path.resourceId ?? -1)))) out(line);

    step('Write /3/0/14 (UTC Offset) = "+02:00"');
    const written = await within('write', server.write(ENDPOINT, '/3/0/14', '+02:00'));
    const now = client().get('/3/0/14');
    log(`server: ${describeCode(written.code)}; the client now holds ${typeof now === 'string' ? JSON.stringify(now) : '?'}`);

    step('Execute /3/0/4 (Reboot)');
    const executed = await within('execute', server.execute(ENDPOINT, '/3/0/4'));
    log(`server: ${describeCode(executed.code)}`);

    step('Observe /3303/0/5700 (temperature): the value drifts, the client notifies');
    const observation = await within('observe', server.observe(ENDPOINT, '/3303/0/5700'));
    const first = observation.initial.records[0];
    log(`server: ${describeCode(observation.initial.code)}, current value ${first !== undefined ? formatValue(first.value) : '?'} °C`);
    const iterator = observation[Symbol.asyncIterator]();
    for (let i = 1; i <= 3; i++) {
      const n = await within('notification', iterator.next());
      if (n.done === true) throw new Error('the observation ended early');
      const v = n.value.records[0];
      log(`server: notification ${i}: ${v !== undefined ? formatValue(v.value) : '?'} °C`);
    }
    await within('cancel observation', observation.cancel());
    log('server: observation cancelled');

    step('Send /3303/0/5700 and /3/0/9 (LwM2M 1.1 Send, SenML CBOR)');
    const sent = server.next('send');
    await within('send', client().send(['/3303/0/5700', '/3/0/9']));
    const { records: got } = await within('send', sent);
    log(`server: received ${got.length} values:`);
    for (const line of records(got)) out(line);

    step('Registration Update');
    const updated = server.next('updated');
    const updateComplete = client().next('event', (e) => e.type === 'REG_UPDATE_COMPLETE');
    client().update();
    const [{ registration: u }] = await within('update', Promise.all([updated, updateComplete]));
    log(`server: updated ${u.endpoint}, lifetime ${u.lifetime} s`);

    step('De-register');
    const deregistered = server.next('deregistered');
    await within('de-register', session.stop());
    await within('de-register', deregistered);
    log(`server: ${ENDPOINT} de-registered; ${server.registrations().length} clients registered`);
    ok = true;
  } catch (error) {
    log(`demo failed: ${(error as Error).message}`);
  } finally {
    await session.close();
    await Promise.all([server.close(), bootstrap.close()]);
  }
  out('');
  out(ok ? `demo complete in ${((performance.now() - t0) / 1000).toFixed(1)} s` : 'demo FAILED');
  return ok ? 0 : 1;
}
