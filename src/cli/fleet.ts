/**
 * A fleet of simulated devices in one process (`lwm2m simulate`): N LwM2M clients, each with its own
 * UDP socket, the Device object and a drifting Temperature sensor (IPSO 3303/0), registering with one
 * server (LwM2M Core 1.1.1 6.2) or bootstrapping first (6.1). Devices are created as they start, at
 * most `rate` per second and `concurrency` registrations in progress at once; the RD events of
 * every device are folded into counts (registered, registering, failed...) for status lines.
 * Stopping de-registers every device within a time bound, then closes every socket.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LwM2mClient } from '../client/client.ts';
import type { RdEvent } from '../client/rd/events.ts';
import type { RdTiming } from '../client/rd/state.ts';
import { installDeviceModel, type DeviceModel } from './device-model.ts';
import { ChannelTally } from './fleet-channels.ts';
import { FleetDrift } from './fleet-drift.ts';
import type { TemperatureSensors } from './sensor-drift.ts';
import { endpointOf, securityOf, type SimulateConfig } from './simulate-options.ts';

/** Where a device is: not created yet, on its way, registered, failing (retrying), or stopped. */
export const DeviceState = { pending: 'pending', registering: 'registering', registered: 'registered', failed: 'failed', stopped: 'stopped' } as const;
export type DeviceState = (typeof DeviceState)[keyof typeof DeviceState];

export interface FleetStats {
  readonly devices: number;
  /** Devices created and started so far. */
  readonly started: number;
  readonly pending: number;
  readonly registering: number;
  readonly registered: number;
  readonly failed: number;
  readonly stopped: number;
  /** REGISTRATION_COMPLETE events (re-registrations included). */
  readonly registrations: number;
  /** REGISTRATION_FAILURE, REG_TIMEOUT, BOOTSTRAP_REG_FAILURE and NETWORK_ERROR events. */
  readonly failures: number;
  /** REG_UPDATE_COMPLETE events. */
  readonly updates: number;
  /** CoAP notifications sent by every device. */
  readonly notifications: number;
  /** De-registrations that completed (DEREGISTER then DISCONNECT without DEREGISTER_FAILURE). */
  readonly deregistered: number;
  /** Client 'error' events (callback and socket errors). */
  readonly errors: number;
  /** Milliseconds from the start until every device was registered at once, if that happened. */
  readonly allRegisteredMs: number | undefined;
  readonly elapsedMs: number;
}

export interface FleetOptions {
  /** Receives device messages and the first failures (the command writes them to stderr). */
  readonly log: (line: string) => void;
  /** Called once, when every device is registered for the first time. */
  readonly onAllRegistered?: (ms: number) => void;
  readonly timing?: Partial<RdTiming>;
  /** The sockets' factory and notification counts (default: UDP sockets). */
  readonly channels?: ChannelTally;
  /** Failures and errors logged one by one before further ones are only counted (default 20). */
  readonly logLimit?: number;
}

export interface FleetStopOptions {
  /** De-register first (default true); false closes the sockets at once. */
  readonly deregister?: boolean;
  /** Give up on de-registrations still pending after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Resolves to give up on pending de-registrations now (a second Ctrl-C). */
  readonly abandon?: Promise<unknown>;
}

/** One simulated device. */
class SimDevice {
  readonly endpoint: string;
  readonly client: LwM2mClient;
  readonly model: DeviceModel;
  state: DeviceState = DeviceState.registering;
  deregistering = false;
  /** Ends the starter's wait for this device's first registration outcome. */
  settle: (() => void) | undefined;

  constructor(endpoint: string, client: LwM2mClient, model: DeviceModel) {
    this.endpoint = endpoint;
    this.client = client;
    this.model = model;
  }
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export class Fleet {
  readonly config: SimulateConfig;
  readonly #options: FleetOptions;
  readonly #channels: ChannelTally;
  readonly #devices: (SimDevice | undefined)[];
  readonly #sensors: (TemperatureSensors | undefined)[];
  readonly #drift: FleetDrift;
  readonly #counts: Record<DeviceState, number>;
  readonly #halt = new AbortController();
  #registrations = 0;
  #failures = 0;
  #updates = 0;
  #deregistered = 0;
  #errors = 0;
  #logged = 0;
  #startedAt = 0;
  #allRegisteredMs: number | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(config: SimulateConfig, options: FleetOptions) {
    this.config = config;
    this.#options = options;
    this.#channels = options.channels ?? new ChannelTally();
    this.#devices = new Array<SimDevice | undefined>(config.count).fill(undefined);
    this.#sensors = new Array<TemperatureSensors | undefined>(config.count).fill(undefined);
    this.#counts = { pending: config.count, registering: 0, registered: 0, failed: 0, stopped: 0 };
    this.#drift = new FleetDrift(() => this.#sensors, config.sensorPeriodMs);
  }

  /**
   * Starts the devices in index order, paced by `rate` and `concurrency`, and the sensor drift.
   * Resolves once every device has started and had its first registration outcome (registered or
   * failed; failed devices keep retrying), or the fleet is stopping.
   */
  start(): Promise<void> {
    if (this.#starting !== undefined) return this.#starting;
    this.#startedAt = performance.now();
    this.#drift.start();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.config.count && !this.#halt.signal.aborted) {
        const index = next++;
        if (this.config.rate !== undefined) {
          const wait = this.#startedAt + (index * 1000) / this.config.rate - performance.now();
          if (wait > 0) {
            try {
              await sleep(wait, undefined, { signal: this.#halt.signal });
            } catch {
              return; // halted
            }
          }
        }
        await this.#startDevice(index);
      }
    };
    this.#starting = Promise.all(Array.from({ length: Math.min(this.config.concurrency, this.config.count) }, worker)).then(() => undefined);
    return this.#starting;
  }

  async #startDevice(index: number): Promise<void> {
    if (this.#halt.signal.aborted) return;
    const device = this.#create(index);
    const outcome = new Promise<void>((resolve) => {
      device.settle = resolve;
    });
    try {
      await device.client.start({ bootstrap: this.config.bootstrap, wait: false });
    } catch (error) {
      this.#failures++;
      this.#report(`${device.endpoint}: cannot start: ${(error as Error).message}`);
      this.#set(device, DeviceState.failed);
    }
    await outcome;
  }

  #create(index: number): SimDevice {
    const config = this.config;
    const endpoint = endpointOf(config, index);
    const client = new LwM2mClient({
      endpoint,
      version: config.version,
      queueMode: config.queue,
      channelFactory: this.#channels.factory,
      ...(this.#options.timing !== undefined ? { timing: this.#options.timing } : {}),
    });
    const log = this.#options.log;
    const model = installDeviceModel(
      client,
      { serverUri: config.serverUri, bootstrap: config.bootstrap, lifetime: config.lifetime, version: config.version, queue: config.queue, security: securityOf(config, index) },
      (line) => {
        log(`${endpoint}: ${line}`);
      },
      { extras: false, serialNumber: `SIM-${config.startIndex + index}`, modelNumber: 'lwm2m-simulate' },
    );
    const device = new SimDevice(endpoint, client, model);
    client.on('event', (e) => {
      this.#onEvent(device, e);
    });
    client.on('error', (e) => {
      this.#errors++;
      this.#report(`${endpoint}: error: ${e.message}`);
    });
    this.#devices[index] = device;
    this.#sensors[index] = model.temperatures;
    this.#counts.pending--;
    this.#counts.registering++;
    return device;
  }

  #set(device: SimDevice, state: DeviceState): void {
    if (device.state === state) return;
    this.#counts[device.state]--;
    this.#counts[state]++;
    device.state = state;
  }

  /** Logs the first `logLimit` failures, then says once that further ones are only counted. */
  #report(line: string): void {
    const limit = this.#options.logLimit ?? 20;
    this.#logged++;
    if (this.#logged <= limit) this.#options.log(line);
    if (this.#logged === limit + 1) this.#options.log(`(further failures and errors are counted in the status lines, not logged)`);
  }

  #onEvent(device: SimDevice, e: RdEvent): void {
    const stopping = this.#stopping !== undefined;
    switch (e.type) {
      case 'REGISTRATION_COMPLETE':
        this.#registrations++;
        this.#set(device, DeviceState.registered);
        device.settle?.();
        device.settle = undefined;
        if (this.#allRegisteredMs === undefined && this.#counts.registered === this.config.count) {
          this.#allRegisteredMs = performance.now() - this.#startedAt;
          this.#options.onAllRegistered?.(this.#allRegisteredMs);
        }
        return;
      case 'REG_UPDATE_COMPLETE':
        this.#updates++;
        return;
      case 'REGISTRATION_FAILURE':
      case 'BOOTSTRAP_REG_FAILURE':
      case 'NETWORK_ERROR':
      case 'REG_TIMEOUT':
        this.#failures++;
        this.#report(`${device.endpoint}: event ${e.type}${e.reason !== undefined ? ` reason=${JSON.stringify(e.reason)}` : ''}`);
        // A timed-out Update re-registers at once; the others wait for a retry.
        if (!stopping) this.#set(device, e.type === 'REG_TIMEOUT' && device.state === DeviceState.registered ? DeviceState.registering : DeviceState.failed);
        device.settle?.();
        device.settle = undefined;
        return;
      case 'SERVER_DISABLED':
        this.#set(device, DeviceState.registering);
        return;
      case 'DEREGISTER':
        device.deregistering = true;
        return;
      case 'DEREGISTER_FAILURE':
        device.deregistering = false;
        this.#report(`${device.endpoint}: event DEREGISTER_FAILURE${e.reason !== undefined ? ` reason=${JSON.stringify(e.reason)}` : ''}`);
        return;
      case 'DISCONNECT':
        if (device.deregistering) this.#deregistered++;
        device.deregistering = false;
        this.#set(device, DeviceState.stopped);
        device.settle?.();
        device.settle = undefined;
        return;
      default:
        return;
    }
  }

  stats(): FleetStats {
    const c = this.#counts;
    return {
      devices: this.config.count,
      started: this.config.count - c.pending,
      pending: c.pending,
      registering: c.registering,
      registered: c.registered,
      failed: c.failed,
      stopped: c.stopped,
      registrations: this.#registrations,
      failures: this.#failures,
      updates: this.#updates,
      notifications: this.#channels.notificationsSent,
      deregistered: this.#deregistered,
      errors: this.#errors,
      allRegisteredMs: this.#allRegisteredMs,
      elapsedMs: this.#startedAt === 0 ? 0 : performance.now() - this.#startedAt,
    };
  }

  /** Sockets open now (one per device, two while a device moves from bootstrap to registration). */
  get openSockets(): number {
    return this.#channels.openChannels;
  }

  /**
   * Stops starting devices and the drift, de-registers every started device (at most
   * `max(concurrency, 200)` at once) until done, `timeoutMs` or `abandon`, then closes every
   * client and socket.
   */
  stop(options: FleetStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  async #stop(options: FleetStopOptions): Promise<void> {
    this.#halt.abort();
    this.#drift.stop();
    for (const d of this.#devices) {
      d?.settle?.();
      if (d !== undefined) d.settle = undefined;
    }
    await this.#starting;
    const live = this.#devices.filter((d) => d !== undefined);
    const force = options.deregister === false;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < live.length) {
        const d = live[next++]!;
        try {
          await d.client.stop({ force });
        } catch (error) {
          this.#report(`${d.endpoint}: stop: ${(error as Error).message}`);
        }
      }
    };
    const giveUp = new AbortController();
    const deadline = sleep(options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, undefined, { signal: giveUp.signal }).catch(() => undefined);
    const workers = Promise.all(Array.from({ length: Math.min(live.length, Math.max(this.config.concurrency, 200)) }, worker));
    await Promise.race([workers, deadline, ...(options.abandon !== undefined ? [options.abandon] : [])]);
    giveUp.abort();
    await Promise.all(
      live.map(async (d) => {
        d.model.dispose();
        await d.client.close();
      }),
    );
    for (const d of live) this.#set(d, DeviceState.stopped);
    this.#sensors.fill(undefined);
  }
}
