/**
 * LwM2mClient: the application's handle on one LwM2M client (the seed's lwm2m_ctx with its RD
 * client). It owns the engine (data model and operations), one registration runner per server
 * account, each on its own socket, and the bootstrap runner; it routes the engine's
 * registration-related events to the runners and the runners' events to the application.
 */
import type { CoapEndpoint, CoapEndpointEvents, CoapEndpointOptions } from '../coap/endpoint.ts';
import { LwM2mEngine, type EngineEvents, type ObserverEvent, type SendOptions, type ServerSession } from '../dm/engine.ts';
import type { ObservationEndReason } from '../dm/observe.ts';
import { isInstances } from '../dm/registry.ts';
import { LwM2mError } from '../errors.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import type { DefinitionLookup, ObjectDefinition } from '../model/object-definition.ts';
import { LwM2mPath, toPath, type PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { DtlsClientOptions } from '../transport/dtls/options.ts';
import type { Peer, Transport } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import type { EventReceiver } from '../util/typed-events.ts';
import { bootstrapAccount, serverAccounts } from './accounts.ts';
import { DataModelApi } from './data-model-api.ts';
import { ClientDefinitions } from './definitions.ts';
import { ObjectHandle } from './handles.ts';
import { loadState, PERSISTED_OBJECTS, saveState, type PersistedState } from './persistence.ts';
import { udpChannelFactory, type Channel, type ChannelFactory, type ChannelRequest } from './rd/channel.ts';
import type { RdEvent, RdEventType } from './rd/events.ts';
import type { LwM2mVersion } from './rd/messages.ts';
import { planOrder, RegistrationOrder, type OrderHost } from './rd/order.ts';
import { BootstrapRunner, RegistrationRunner, type RunnerHost, type ServerAccount } from './rd/runner.ts';
import type { RdTiming } from './rd/state.ts';

export interface LwM2mClientOptions {
  /** Endpoint client name (`ep`). */
  readonly endpoint: string;
  /** LwM2M version: '1.1' (default) or '1.0'. */
  readonly version?: LwM2mVersion;
  readonly clock?: Clock;
  /** Definitions to use instead of the built-in catalogue of the version. */
  readonly catalogue?: DefinitionLookup;
  /** The application's own object definitions (also addable later with `install`). */
  readonly objects?: readonly ObjectDefinition[];
  /**
   * RD timing: retries, backoff, update margin, queue-mode uptime... Retry precedence: setting any of
   * `maxRetries`, `retryBaseMs`, `recoveryDelayMs` or `communicationRetry` here wins over the Server
   * object's /1/x/17-20; otherwise an LwM2M 1.1 client whose Server instance has any of those runs
   * the 1.1 retry procedure (LwM2M Core 1.1.1 6.2.1.1) with them, and else the Zephyr-style backoff.
   */
  readonly timing?: Partial<RdTiming>;
  /** CoAP transmission parameters and endpoint settings for every server socket. */
  readonly coap?: Omit<CoapEndpointOptions, 'clock' | 'block1Stream'>;
  /**
   * DTLS credentials or settings that win over the Security object (the seed's load_credentials /
   * set_socketoptions hooks), or a function choosing them per server.
   */
  readonly dtls?: DtlsClientOptions | ((request: ChannelRequest) => DtlsClientOptions | undefined);
  /** Local address for server sockets. */
  readonly localAddress?: string;
  /** Replaces the socket factory (tests, simulators). */
  readonly channelFactory?: ChannelFactory;
  /** Wraps each server socket below DTLS (network emulation: loss, delay). */
  readonly wrapTransport?: (transport: Transport) => Transport;
  /** Queue mode for every server (1.0 also takes "UQ" from /1/x/7). */
  readonly queueMode?: boolean;
  /** Keep bootstrapped Security/Server/ACL instances in this file across restarts. */
  readonly stateFile?: string;
  /** Multi-value format without Accept and advertised with `ct` (1.1: SenML CBOR, 1.0: TLV). */
  readonly preferredFormat?: number;
  /** Notifications as CON (default NON with a CON at least every 24 h). */
  readonly confirmableNotifications?: boolean;
}

export interface StartOptions {
  /** Bootstrap first (the seed's LWM2M_RD_CLIENT_FLAG_BOOTSTRAP). Also done when no server account is usable. */
  readonly bootstrap?: boolean;
  /**
   * Resolve once every server has registered (default true). Rejects on BOOTSTRAP_REG_FAILURE or
   * NETWORK_ERROR; the client keeps retrying per its timing either way.
   */
  readonly wait?: boolean;
  readonly signal?: AbortSignal;
}

export interface ClientEvents {
  /** RD client events with the seed's names: REGISTRATION_COMPLETE, REG_UPDATE_COMPLETE, ... */
  event: RdEvent;
  /**
   * Observation events, the seed's lwm2m_observe_cb (LwM2M Core 1.1.1 6.4): each names the server
   * (`ssid`) and the observed `paths` (several for Observe-Composite). OBSERVER_ADDED: a server
   * started observing.
   */
  'observer-added': ObserverEvent;
  /** OBSERVER_REMOVED: an observation ended, and why (RST, Observe=1 cancel, de-registration, path gone, timeout...). */
  'observer-removed': ObserverEvent & { readonly reason: ObservationEndReason };
  /** NOTIFY_ACK: the server acknowledged a Confirmable notification. */
  'notify-ack': ObserverEvent;
  /** NOTIFY_TIMEOUT: a Confirmable notification was not acknowledged (the observation ends; the RD client re-registers). */
  'notify-timeout': ObserverEvent;
  /** Application callback exceptions, engine and socket errors. */
  error: Error;
}

export class ConfigurationError extends LwM2mError {
  constructor(message: string) {
    super('CONFIGURATION', message);
  }
}

const TERMINAL_EVENTS: ReadonlySet<RdEventType> = new Set(['BOOTSTRAP_REG_FAILURE', 'NETWORK_ERROR']);

/** The engine's view of a registration runner's server (a class: no closures per session). */
class RegistrationSession implements ServerSession {
  readonly bootstrap = false;
  readonly ssid: number;
  readonly endpoint: CoapEndpoint;
  readonly peer: Peer;
  readonly #runner: RegistrationRunner;

  constructor(ssid: number, channel: Channel, runner: RegistrationRunner) {
    this.ssid = ssid;
    this.endpoint = channel.endpoint;
    this.peer = channel.peer;
    this.#runner = runner;
  }

  reachable(): boolean {
    return this.#runner.reachable;
  }
  traffic(): void {
    this.#runner.traffic();
  }
  outbound(): void {
    this.#runner.outbound();
  }
}

/** The engine's view of the bootstrap server: always reachable while attached, no queue mode. */
class BootstrapSession implements ServerSession {
  readonly bootstrap = true;
  readonly ssid = undefined;
  readonly endpoint: CoapEndpoint;
  readonly peer: Peer;

  constructor(channel: Channel) {
    this.endpoint = channel.endpoint;
    this.peer = channel.peer;
  }

  reachable(): boolean {
    return true;
  }
  traffic(): void {
    // bootstrap traffic is tracked by the bootstrap runner through 'bootstrap-activity'
  }
  outbound(): void {
    // nothing is ever queued for the bootstrap server
  }
}

export class LwM2mClient extends DataModelApi<ClientEvents> {
  readonly endpointName: string;
  readonly version: LwM2mVersion;
  readonly clock: Clock;
  readonly engine: LwM2mEngine;
  readonly #options: LwM2mClientOptions;
  readonly #definitions: ClientDefinitions;
  readonly #openChannel: ChannelFactory;
  readonly #host: RunnerHost & OrderHost & EventReceiver<EngineEvents> & EventReceiver<CoapEndpointEvents>;
  /** One registration runner per server account, in start order (a few: an array beats a Map). */
  #runners: readonly RegistrationRunner[] = [];
  #bootstrap: BootstrapRunner | undefined;
  /** The registration order of /1/x/13-15 (LwM2M 1.1), only while some Server instance has /1/x/13. */
  #order: RegistrationOrder | undefined;
  #started = false;
  #paused = false;
  /** Pending start() calls, settled by close(). Lazily created: a fleet of idle clients keeps none. */
  #closeWaiters: Set<() => void> | undefined;

  constructor(options: LwM2mClientOptions) {
    super();
    if (options.endpoint === '' || /[&?\s]/.test(options.endpoint)) {
      throw new ConfigurationError(`endpoint name '${options.endpoint}' is empty or has characters a query cannot carry`);
    }
    this.#options = options;
    this.endpointName = options.endpoint;
    this.version = options.version ?? '1.1';
    this.clock = options.clock ?? systemClock;
    this.#definitions = new ClientDefinitions(options.catalogue ?? ObjectCatalogue.builtin(this.version));
    for (const def of options.objects ?? []) this.#definitions.add(def);
    const engine = new LwM2mEngine({
      version: this.version,
      endpointName: options.endpoint,
      catalogue: this.#definitions,
      clock: this.clock,
      preferredFormat: options.preferredFormat,
      confirmableNotifications: options.confirmableNotifications,
    });
    this.engine = engine;
    const coap: CoapEndpointOptions = {
      ...options.coap,
      clock: this.clock,
      block1Stream(request) {
        return engine.block1Stream(request);
      },
    };
    this.#openChannel =
      options.channelFactory ??
      udpChannelFactory({
        coap,
        ...(options.dtls !== undefined ? { dtls: options.dtls } : {}),
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        ...(options.wrapTransport !== undefined ? { wrapTransport: options.wrapTransport } : {}),
      });
    const host = new LwM2mClient.#Host(this, options.timing);
    this.#host = host;
    engine.forwardTo(host);
    for (const oid of [0, 1]) this.registry.supportObject(oid);
  }

  /** Adds an application object (typed by its definition) and returns its handle. */
  install<D extends ObjectDefinition>(definition: D): ObjectHandle<D> {
    this.#definitions.add(definition);
    this.registry.supportObject(definition.id);
    return new ObjectHandle(this.registry, definition);
  }

  // --- RD client -------------------------------------------------------------------------------------

  /** Registration state of each server account. */
  servers(): { ssid: number; phase: string; location?: string }[] {
    return this.#runners.map((r) => ({
      ssid: r.ssid,
      phase: r.current.phase,
      ...(r.current.location !== undefined ? { location: r.current.location } : {}),
    }));
  }

  /** True when registered with `ssid`, or with every server when omitted (and at least one). */
  isRegistered(ssid?: number): boolean {
    if (ssid !== undefined) return this.#runner(ssid)?.registered ?? false;
    return this.#runners.length > 0 && this.#runners.every((r) => r.registered);
  }

  #runner(ssid: number): RegistrationRunner | undefined {
    return this.#runners.find((r) => r.ssid === ssid);
  }

  get bootstrapping(): boolean {
    return this.#bootstrap !== undefined;
  }

  /**
   * Starts the RD client (the seed's lwm2m_rd_client_start): bootstrap when asked or when no server
   * account is usable, then register with every server account.
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#started) throw new ConfigurationError('client already started');
    this.#started = true;
    this.#paused = false;
    const waiting = options.wait === false ? undefined : this.#waitRegistered(options.signal);
    try {
      if (this.#options.stateFile !== undefined) {
        const state = await loadState(this.#options.stateFile);
        if (state !== undefined) this.#applyState(state);
      }
      const accounts = serverAccounts(this.registry, { queueMode: this.#options.queueMode });
      if (options.bootstrap === true || accounts.length === 0) this.#startBootstrap();
      else this.#startRegistrations(accounts);
    } catch (error) {
      this.#started = false;
      throw error;
    }
    await waiting;
  }

  #waitRegistered(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = (event: RdEvent): void => {
        if (TERMINAL_EVENTS.has(event.type)) {
          done();
          reject(new LwM2mError(event.type, `${event.type}${event.reason !== undefined ? `: ${event.reason}` : ''}`));
        } else if (event.type === 'REGISTRATION_COMPLETE' && this.isRegistered()) {
          done();
          resolve();
        } else if (event.type === 'DISCONNECT' && !this.#started) {
          done();
          reject(new LwM2mError('STOPPED', 'client stopped before it registered'));
        }
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason instanceof Error ? signal.reason : new LwM2mError('ABORTED', 'start aborted'));
      };
      const onClose = (): void => {
        done();
        reject(new LwM2mError('CLOSED', 'client closed before it registered'));
      };
      const done = (): void => {
        this.off('event', listener);
        signal?.removeEventListener('abort', onAbort);
        this.#closeWaiters?.delete(onClose);
      };
      this.on('event', listener);
      (this.#closeWaiters ??= new Set()).add(onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * One runner per new account. They all start at once, unless a Server instance has a Registration
   * Priority Order (LwM2M 1.1, Core 1.1.1 6.2.1.1): then the registration order starts them.
   */
  #startRegistrations(accounts: readonly ServerAccount[]): void {
    const fresh = accounts.filter((account) => this.#runner(account.ssid) === undefined);
    for (const account of fresh) {
      const runner = new RegistrationRunner(this.#host, account);
      this.#runners = this.#runners.concat(runner); // exact size: push and spread reserve 17 slots
    }
    const previous = this.#order;
    const plan = this.version === '1.0' ? undefined : planOrder(fresh, previous?.registeredOnce);
    if (plan === undefined) {
      for (const account of fresh) this.#runner(account.ssid)?.start();
      return;
    }
    previous?.dispose();
    this.#order = new RegistrationOrder(this.#host, plan, previous?.registeredOnce);
    if (this.#paused) this.#order.pause();
    this.#order.begin();
  }

  #startBootstrap(): void {
    const account = bootstrapAccount(this.registry);
    if (account === undefined) {
      throw new ConfigurationError('no usable LwM2M server account and no bootstrap server account in the Security object');
    }
    for (const runner of this.#runners) {
      runner.halt();
      void runner.settled().then(() => runner.dispose());
    }
    this.#runners = [];
    // After a bootstrap the Initial Registration Delay Timers apply afresh.
    this.#order?.dispose();
    this.#order = undefined;
    if (this.#bootstrap !== undefined) return;
    this.#bootstrap = new BootstrapRunner(this.#host, account);
    this.#bootstrap.start();
  }

  #bootstrapDone(): void {
    const runner = this.#bootstrap;
    this.#bootstrap = undefined;
    if (runner !== undefined) void runner.settled().then(() => runner.dispose());
    void this.#persist().finally(() => {
      const accounts = serverAccounts(this.registry, { queueMode: this.#options.queueMode });
      if (accounts.length === 0) {
        this.#emitEvent({ type: 'REGISTRATION_FAILURE', reason: 'bootstrap left no usable LwM2M server account' });
        this.#emitEvent({ type: 'NETWORK_ERROR', reason: 'no server to register with' });
        return;
      }
      if (this.#started) this.#startRegistrations(accounts);
    });
  }

  #exhausted(account: ServerAccount): void {
    if (account.bootstrapOnFailure && bootstrapAccount(this.registry) !== undefined) {
      this.#startBootstrap();
      return;
    }
    const blocking = this.#order?.state.current === account.ssid && account.failureBlock === true;
    this.#emitEvent({
      type: 'NETWORK_ERROR',
      ssid: account.ssid,
      reason: blocking ? 'registration retries exhausted; the servers after it in the registration order wait for it (/1/x/15)' : 'registration retries exhausted',
    });
    this.#order?.failed(account.ssid);
  }

  /** Stops the RD client (the seed's lwm2m_rd_client_stop): de-registers unless `force`. */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    this.#started = false;
    this.#order?.dispose();
    const runners = [...this.#runners];
    const pending = runners.filter((r) => r.current.phase !== 'idle').map((r) => this.next('event', (e) => e.type === 'DISCONNECT' && e.ssid === r.ssid));
    for (const r of runners) r.stop(options.force !== true);
    this.#bootstrap?.stop();
    await Promise.all(pending);
    await Promise.all(runners.map((r) => r.settled()));
    const bs = this.#bootstrap;
    this.#bootstrap = undefined;
    await bs?.dispose();
    this.#runners = [];
  }

  /** Sends a Registration Update now (the seed's lwm2m_rd_client_update), to one server or all. */
  update(ssid?: number): void {
    for (const r of this.#runners) if (ssid === undefined || r.ssid === ssid) r.triggerUpdate();
  }

  /** The seed's lwm2m_engine_pause: timers stop, sockets stop listening, ENGINE_SUSPENDED. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#order?.pause();
    for (const r of this.#runners) r.pause();
    this.#bootstrap?.pause();
  }

  /** The seed's lwm2m_engine_resume: registers again or updates, as the time paused requires. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#order?.resume();
    for (const r of this.#runners) r.resume();
    this.#bootstrap?.resume();
  }

  /** LwM2M 1.1 Send of the resources at `paths` (SenML CBOR unless `format` says otherwise). */
  async send(paths: readonly PathLike[], options: SendOptions & { ssid?: number } = {}): Promise<void> {
    const ssid = options.ssid ?? this.#firstRegistered();
    if (ssid === undefined) throw new LwM2mError('NOT_REGISTERED', 'send needs a registered server');
    const { ssid: _s, ...sendOptions } = options;
    await this.engine.send(ssid, paths.map(toPath), sendOptions);
  }

  #firstRegistered(): number | undefined {
    for (const r of this.#runners) if (r.registered) return r.ssid;
    return this.#runners[0]?.ssid;
  }

  /** Closes every socket and timer without de-registering (process shutdown). */
  async close(): Promise<void> {
    this.#started = false;
    for (const onClose of [...(this.#closeWaiters ?? [])]) onClose();
    this.#order?.dispose();
    await Promise.all(this.#runners.map((r) => r.dispose()));
    this.#runners = [];
    await this.#bootstrap?.dispose();
    this.#bootstrap = undefined;
    this.engine.close();
  }

  // --- wiring ------------------------------------------------------------------------------------------

  #emitEvent(event: RdEvent): void {
    this.emit('event', event);
    if (event.type === 'REGISTRATION_COMPLETE' && event.ssid !== undefined) this.#order?.registered(event.ssid);
  }

  #attach(target: { ssid: number | undefined; bootstrap: boolean }, channel: Channel, runner: RegistrationRunner | BootstrapRunner): void {
    const session: ServerSession =
      runner instanceof RegistrationRunner && target.ssid !== undefined ? new RegistrationSession(target.ssid, channel, runner) : new BootstrapSession(channel);
    channel.endpoint.forwardTo(this.#host);
    this.engine.attachServer(session);
  }

  #refreshAccount(ssid: number): void {
    if (this.#bootstrap !== undefined) return;
    const runner = this.#runner(ssid);
    const account = serverAccounts(this.registry, { queueMode: this.#options.queueMode }).find((a) => a.ssid === ssid);
    if (runner !== undefined && account !== undefined) runner.updateAccount(account);
  }

  /** The engine's events that concern registration, routed to the runners. */
  #engineEvent<K extends keyof EngineEvents>(event: K, arg: EngineEvents[K]): void {
    switch (event) {
      case 'instances-changed': {
        const change = arg as EngineEvents['instances-changed'];
        if (change.source === 'bootstrap' || this.#bootstrap !== undefined) return;
        for (const r of this.#runners) r.triggerUpdate({ objects: true });
        return;
      }
      case 'lifetime-changed':
      case 'binding-changed':
        this.#refreshAccount((arg as EngineEvents['lifetime-changed']).ssid);
        return;
      case 'update-trigger':
        this.#runner((arg as EngineEvents['update-trigger']).ssid)?.triggerUpdate();
        return;
      case 'bootstrap-trigger':
        try {
          this.#startBootstrap();
        } catch (error) {
          this.emit('error', error as Error);
        }
        return;
      case 'disable': {
        const { ssid, timeout } = arg as EngineEvents['disable'];
        this.#runner(ssid)?.disable(timeout);
        return;
      }
      case 'bootstrap-finish':
        this.#bootstrap?.finish();
        return;
      case 'bootstrap-activity':
        this.#bootstrap?.activity();
        return;
      case 'notify-timeout': {
        const timeout = arg as EngineEvents['notify-timeout'];
        this.emit('notify-timeout', timeout);
        this.#runner(timeout.ssid)?.networkError('notification not acknowledged');
        return;
      }
      case 'observer-added':
        this.emit('observer-added', arg as EngineEvents['observer-added']);
        return;
      case 'observer-removed':
        this.emit('observer-removed', arg as EngineEvents['observer-removed']);
        return;
      case 'notify-ack':
        this.emit('notify-ack', arg as EngineEvents['notify-ack']);
        return;
      case 'error':
        this.emit('error', arg as Error);
        return;
    }
  }

  /**
   * The client's side of its runners (RunnerHost), and the receiver of its engine's and sockets'
   * events: one object per client whose methods live on a shared prototype. It is declared in the
   * class body so that it may use the client's private members; an object of arrow functions would
   * cost a closure per callback and client (~400 bytes each under tsx, which keeps function names),
   * and a fleet runs thousands of clients (DESIGN.md "Scale").
   */
  static readonly #Host = class ClientHost implements RunnerHost, OrderHost, EventReceiver<EngineEvents>, EventReceiver<CoapEndpointEvents> {
    readonly #client: LwM2mClient;
    readonly clock: Clock;
    readonly endpointName: string;
    readonly version: LwM2mVersion;
    readonly timing: Partial<RdTiming> | undefined;
    readonly bootstrapFormat: number | undefined;

    constructor(client: LwM2mClient, timing: Partial<RdTiming> | undefined) {
      this.#client = client;
      this.clock = client.clock;
      this.endpointName = client.endpointName;
      this.version = client.version;
      this.timing = timing;
      // pct (LwM2M Core 1.1.1 5.2.7.1): the client's preferred multi-value format, SenML CBOR unless configured.
      this.bootstrapFormat = client.version === '1.0' ? undefined : client.engine.formats.preferred;
    }

    openChannel(request: ChannelRequest, signal?: AbortSignal): Promise<Channel> {
      return this.#client.#openChannel(request, signal);
    }
    registrationLinks(): string {
      return this.#client.engine.registrationLinks();
    }
    attach(target: { ssid: number | undefined; bootstrap: boolean }, channel: Channel, runner: RegistrationRunner | BootstrapRunner): void {
      this.#client.#attach(target, channel, runner);
    }
    detach(target: { ssid: number | undefined; bootstrap: boolean }): void {
      this.#client.engine.detachServer(target.bootstrap ? 'bootstrap' : target.ssid!);
    }
    clearObservations(ssid: number): void {
      this.#client.engine.clearObservations(ssid);
    }
    flushQueued(ssid: number): void {
      this.#client.engine.flushQueued(ssid);
    }
    emit(event: RdEvent): void {
      this.#client.#emitEvent(event);
    }
    exhausted(account: ServerAccount): void {
      this.#client.#exhausted(account);
    }
    bootstrapDone(): void {
      this.#client.#bootstrapDone();
    }
    /** The registration order starts a server's registration. */
    startRegistration(ssid: number): void {
      if (this.#client.#started) this.#client.#runner(ssid)?.start();
    }
    /** Engine events, and the 'error' events of the client's CoAP endpoints. */
    receive<K extends keyof EngineEvents>(event: K, arg: EngineEvents[K]): void {
      this.#client.#engineEvent(event, arg);
    }
  };

  // --- persistence -------------------------------------------------------------------------------------

  #snapshot(): PersistedState {
    const instances: LwM2mPath[] = [];
    const records: LwM2mRecord[] = [];
    for (const oid of PERSISTED_OBJECTS) {
      for (const iid of this.registry.instanceIds(oid)) {
        instances.push(LwM2mPath.of(oid, iid));
        for (const rid of this.registry.presentResources(oid, iid)) {
          const path = LwM2mPath.of(oid, iid, rid);
          const data = this.registry.get(path);
          if (data === undefined) continue;
          if (isInstances(data)) for (const [riid, v] of data) records.push({ path: path.child(riid), value: v });
          else records.push({ path, value: data });
        }
      }
    }
    return { instances, records };
  }

  async #persist(): Promise<void> {
    if (this.#options.stateFile === undefined) return;
    try {
      await saveState(this.#options.stateFile, this.#snapshot());
    } catch (error) {
      this.emit('error', error as Error);
    }
  }

  #applyState(state: PersistedState): void {
    for (const oid of PERSISTED_OBJECTS) for (const iid of this.registry.instanceIds(oid)) this.registry.delete(LwM2mPath.of(oid, iid));
    for (const path of state.instances) this.registry.create(path);
    for (const record of state.records) this.registry.set(record.path, record.value);
  }
}
