/**
 * One command-line client and its lifecycle (the seed's lwm2m_rd_client_start/stop as the `lwm2m
 * client` command and the shell use them): builds the LwM2mClient with its data model from the
 * options, prints RD events as `event NAME ssid=N reason="..."` lines, runs the temperature
 * simulation, and replaces the client when the shell starts it under another endpoint name (the
 * data model is carried over).
 */
import { existsSync } from 'node:fs';
import { LwM2mClient } from '../client/client.ts';
import type { RdEvent } from '../client/rd/events.ts';
import type { RdTiming } from '../client/rd/state.ts';
import { isInstances, type Registry, type ResourceDataInput } from '../dm/registry.ts';
import { LwM2mPath } from '../model/path.ts';
import type { ClientConfig } from './client-options.ts';
import { installDeviceModel, type DeviceModel } from './device-model.ts';
import { UsageError } from './errors.ts';
import { SensorDrift } from './sensor-drift.ts';

/** Endpoint name of a shell client before `start EP_NAME` names it. */
export const UNNAMED_ENDPOINT = 'lwm2m-shell';

export interface SessionOptions {
  /** Receives event lines and simulated-device messages (the commands write them to stderr). */
  readonly log: (line: string) => void;
  /** Period of the temperature drift (default 1000 ms). */
  readonly driftPeriodMs?: number;
  /** RD timing overrides (the demo shortens them). */
  readonly timing?: Partial<RdTiming>;
  /** How long `stop()` waits for the De-register before closing anyway (default 5000 ms). */
  readonly stopTimeoutMs?: number;
}

/** One line for an RD event: `event NAME`, then `ssid=N` and `reason="..."` when present. */
export function formatEvent(event: RdEvent): string {
  return `event ${event.type}${event.ssid !== undefined ? ` ssid=${event.ssid}` : ''}${event.reason !== undefined ? ` reason=${JSON.stringify(event.reason)}` : ''}`;
}

export class ClientSession {
  readonly config: ClientConfig;
  readonly #options: SessionOptions;
  readonly #drift: SensorDrift;
  #client: LwM2mClient;
  #model: DeviceModel;
  #started = false;
  #closed = false;

  constructor(config: ClientConfig, options: SessionOptions) {
    this.config = config;
    this.#options = options;
    [this.#client, this.#model] = this.#build(config.endpoint ?? UNNAMED_ENDPOINT);
    this.#drift = new SensorDrift(() => (this.#closed ? undefined : this.#model.temperatures), { periodMs: options.driftPeriodMs });
    this.#drift.start();
  }

  get client(): LwM2mClient {
    return this.#client;
  }

  get registry(): Registry {
    return this.#client.registry;
  }

  /** Whether the RD client runs (between `start` and `stop`). */
  get started(): boolean {
    return this.#started;
  }

  /** The standard objects and sensors of the current client. */
  get model(): DeviceModel {
    return this.#model;
  }

  #build(endpoint: string): [LwM2mClient, DeviceModel] {
    const client = new LwM2mClient({
      endpoint,
      version: this.config.version,
      queueMode: this.config.queue,
      ...(this.config.stateFile !== undefined ? { stateFile: this.config.stateFile } : {}),
      ...(this.#options.timing !== undefined ? { timing: this.#options.timing } : {}),
    });
    const model = installDeviceModel(client, this.config, this.#options.log);
    client.on('event', (e) => {
      this.#options.log(formatEvent(e));
    });
    client.on('error', (e) => {
      this.#options.log(`error: ${e.message}`);
    });
    return [client, model];
  }

  /** Replaces the client with a new one under `endpoint` that takes over the data model. */
  async #replace(endpoint: string): Promise<void> {
    const [next, model] = this.#build(endpoint);
    copyData(this.#client.registry, next.registry);
    const old = this.#client;
    this.#model.dispose();
    this.#client = next;
    this.#model = model;
    await old.close();
  }

  /**
   * Starts the RD client (bootstrap first with `bootstrap`, or when there is no server account).
   * Without an explicit `bootstrap`, `--bootstrap` bootstraps unless the `--state` file holds an
   * earlier bootstrap's accounts (a restarted device registers without bootstrapping again).
   * With another endpoint name than the current client's, a new client takes over the data model.
   * Returns without waiting for the registration; events tell how it goes.
   */
  async start(options: { endpoint?: string; bootstrap?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new UsageError('the client is closed');
    if (this.#started) throw new UsageError('the client is already started (stop it first)');
    if (this.config.serverUri === undefined) throw new UsageError('no server configured: run lwm2m shell with --server URI');
    if (options.endpoint !== undefined && options.endpoint !== this.#client.endpointName) await this.#replace(options.endpoint);
    this.#started = true;
    try {
      const saved = this.config.stateFile !== undefined && existsSync(this.config.stateFile);
      await this.#client.start({ bootstrap: options.bootstrap ?? (this.config.bootstrap && !saved), wait: false });
    } catch (error) {
      this.#started = false;
      throw error;
    }
  }

  /**
   * Stops the RD client: De-register (unless `force`), then close the server sockets. Gives up on
   * the De-register after the stop timeout.
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    if (!this.#started) throw new UsageError('the client is not started');
    this.#started = false;
    const client = this.#client;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, this.#options.stopTimeoutMs ?? 5000);
    });
    try {
      const result = await Promise.race([client.stop({ force: options.force === true }).then(() => 'done' as const), timeout]);
      if (result === 'timeout') {
        this.#options.log('error: the De-register got no answer in time; closing without it');
        // A closed client cannot start again: a fresh one takes over the data model.
        if (this.#closed) await client.close();
        else await this.#replace(client.endpointName);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the simulation and closes the client (sockets, timers) without de-registering. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#drift.stop();
    this.#started = false;
    this.#model.dispose();
    await this.#client.close();
  }
}

/**
 * Copies every instance and value of `from` into `to`: existing instances get the values, missing
 * ones are created, instances `from` lacks are deleted. Values `to` refuses are skipped.
 */
export function copyData(from: Registry, to: Registry): void {
  to.lock();
  try {
    for (const oid of to.objectIds()) {
      for (const iid of to.instanceIds(oid)) if (!from.hasInstance(oid, iid)) to.delete(LwM2mPath.of(oid, iid));
    }
    for (const oid of from.objectIds()) {
      for (const iid of from.instanceIds(oid)) {
        const values: Record<number, ResourceDataInput> = {};
        for (const rid of from.presentResources(oid, iid)) {
          const data = from.get(LwM2mPath.of(oid, iid, rid));
          if (data !== undefined) values[rid] = isInstances(data) ? new Map(data) : data;
        }
        try {
          if (!to.hasInstance(oid, iid)) to.create(LwM2mPath.of(oid, iid), values);
          else for (const [rid, v] of Object.entries(values)) to.set(LwM2mPath.of(oid, iid, Number(rid)), v);
        } catch {
          // A value the new client's callbacks refuse: keep the new client's own.
        }
      }
    }
  } finally {
    to.unlock();
  }
}
