/**
 * `lwm2m simulate`: N simulated devices in one process (see fleet.ts) against an LwM2M server or
 * bootstrap server. A status line on stderr every `--stats-interval` seconds; at SIGINT/SIGTERM or
 * after `--duration` every device de-registers (LwM2M Core 1.1.1 6.2.3) within a time bound (a
 * second signal stops waiting) and a JSON summary is the last line on stdout. Exit 0 once stopped;
 * bad options: usage on stderr, exit 2; a system limit too low for N: one line saying how to raise
 * it, exit 2.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from './errors.ts';
import { Fleet, type FleetStats } from './fleet.ts';
import { fleetLimitProblem, readFleetLimits, type FleetLimits } from './fleet-limits.ts';
import { endpointOf, parseSimulateArgs, SIMULATE_USAGE, type SimulateConfig } from './simulate-options.ts';
import { stopSignal } from './signals.ts';

export interface SimulateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves when the command should stop (default: SIGINT / SIGTERM). */
  readonly stop?: Promise<void>;
  /** The system limits to check N against (default: this process's). */
  readonly limits?: FleetLimits;
}

/** The final JSON line. */
export interface SimulateSummary {
  readonly command: 'simulate';
  readonly devices: number;
  readonly started: number;
  /** Devices registered when the stop began. */
  readonly registered: number;
  readonly registrations: number;
  readonly failures: number;
  readonly updates: number;
  readonly notifications: number;
  readonly deregistered: number;
  readonly errors: number;
  readonly seconds: number;
  readonly seconds_to_all_registered: number | null;
  readonly registrations_per_second: number;
  readonly heap_mb: number;
  readonly stopped_by: string;
}

function heapMb(): number {
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
}

/** One status line; `rate` is the registrations per second since the previous line. */
export function statusLine(s: FleetStats, rate: number, heap: number): string {
  return (
    `simulate ${(s.elapsedMs / 1000).toFixed(1)}s: registered ${s.registered}/${s.devices}, registering ${s.registering}, failed ${s.failed}, pending ${s.pending}` +
    ` | ${rate.toFixed(1)} reg/s | updates ${s.updates} | notifications ${s.notifications} | heap ${heap.toFixed(1)} MB`
  );
}

export function summaryOf(before: FleetStats, after: FleetStats, stoppedBy: string, heap: number): SimulateSummary {
  const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
  const all = before.allRegisteredMs;
  const rate = all !== undefined ? before.devices / (all / 1000) : before.elapsedMs > 0 ? before.registrations / (before.elapsedMs / 1000) : 0;
  return {
    command: 'simulate',
    devices: after.devices,
    started: after.started,
    registered: before.registered,
    registrations: after.registrations,
    failures: after.failures,
    updates: after.updates,
    notifications: after.notifications,
    deregistered: after.deregistered,
    errors: after.errors,
    seconds: round(after.elapsedMs / 1000, 2),
    seconds_to_all_registered: all === undefined ? null : round(all / 1000, 3),
    registrations_per_second: round(rate, 1),
    heap_mb: heap,
    stopped_by: stoppedBy,
  };
}

function describeStart(c: SimulateConfig): string {
  const names = c.count === 1 ? endpointOf(c, 0) : `${endpointOf(c, 0)}..${endpointOf(c, c.count - 1)}`;
  const pace = c.rate !== undefined ? `, at most ${c.rate}/s` : '';
  return `lwm2m simulate: ${c.count} device${c.count === 1 ? '' : 's'} ${names} ${c.bootstrap ? 'bootstrapping from' : 'registering with'} ${c.serverUri} (LwM2M ${c.version}${c.queue ? ', queue mode' : ''}${c.psk !== undefined ? ', PSK' : ''}${pace}, ${c.concurrency} at once)`;
}

/** Runs the command; resolves with the exit code once every device is stopped. */
export async function runSimulateCommand(argv: readonly string[], io: SimulateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let config: SimulateConfig | undefined;
  try {
    config = parseSimulateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`lwm2m simulate: ${error.message}\n${SIMULATE_USAGE}`);
    return 2;
  }
  if (config === undefined) {
    io.stdout.write(SIMULATE_USAGE);
    return 0;
  }
  const log = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  // With --bootstrap a device holds its bootstrap socket until its registration socket is open.
  const sockets = config.count + (config.bootstrap ? Math.min(config.count, config.concurrency) : 0);
  const problem = fleetLimitProblem(config.count, sockets, io.limits ?? readFleetLimits());
  if (problem !== undefined) {
    log(`lwm2m simulate: ${problem}`);
    return 2;
  }

  const fleet = new Fleet(config, {
    log,
    onAllRegistered: (ms) => {
      log(`simulate: all ${config.count} registered in ${(ms / 1000).toFixed(2)} s`);
    },
  });
  log(describeStart(config));
  const signal = stopSignal(io.stop);
  const ending = new AbortController();
  const duration = config.durationS === undefined ? new Promise<never>(() => undefined) : sleep(config.durationS * 1000, 'duration', { signal: ending.signal });

  let lastAt = performance.now();
  let lastRegistrations = 0;
  const status = (): void => {
    const s = fleet.stats();
    const now = performance.now();
    const rate = now > lastAt ? (s.registrations - lastRegistrations) / ((now - lastAt) / 1000) : 0;
    lastAt = now;
    lastRegistrations = s.registrations;
    log(statusLine(s, rate, heapMb()));
  };
  const statusTimer = config.statsIntervalS > 0 ? setInterval(status, config.statsIntervalS * 1000) : undefined;

  void fleet.start();
  const why = await Promise.race([signal.stopped, duration]);
  signal.dispose();
  ending.abort();
  const before = fleet.stats();
  log(`stopping (${why}): de-registering ${before.registered} registered device${before.registered === 1 ? '' : 's'}`);
  // A second SIGINT/SIGTERM closes the sockets without waiting for the De-registers.
  const again = io.stop === undefined ? stopSignal() : undefined;
  await fleet.stop({
    ...(again !== undefined
      ? {
          abandon: again.stopped.then((s) => {
            log(`${s} again: closing without waiting for the de-registrations`);
          }),
        }
      : {}),
  });
  again?.dispose();
  clearInterval(statusTimer);
  const after = fleet.stats();
  const heap = heapMb();
  log(statusLine(after, 0, heap));
  io.stdout.write(`${JSON.stringify(summaryOf(before, after, why, heap))}\n`);
  return 0;
}
