/**
 * LwM2mEngine: the client side of the LwM2M Device Management & Service Enablement, Information
 * Reporting and Bootstrap interfaces (LwM2M Core 1.0.2 / 1.1.1), for ONE client. It answers the
 * requests of each attached server session, keeps observations and sends notifications and Sends;
 * the RD runner (registration, queue mode) drives it through ServerSession and the events below.
 *
 * The engine routes registration-relevant changes to the RD layer as events, after the response
 * that caused them went out: a write of /1/x/1 ('lifetime-changed'), /1/x/7 ('binding-changed'),
 * Execute of /1/x/4 ('disable'), /1/x/8 ('update-trigger'), /1/x/9 ('bootstrap-trigger'), object
 * instances created or deleted ('instances-changed'), Bootstrap-Finish ('bootstrap-finish').
 */
import type { CoapEndpoint } from '../coap/endpoint.ts';
import type { IncomingRequest } from '../coap/incoming.ts';
import { CoapCode, CoapOption, type CoapResponse } from '../coap/message.ts';
import { stringOption } from '../coap/options.ts';
import { encode } from '../codec/codec.ts';
import { supportsTimestamps } from '../codec/content-format.ts';
import { formatLinks, registerLinks } from '../codec/link-format.ts';
import { AbortedError, NotFoundError, RequestRejectedError, StatusError, UnsupportedFormatError } from '../errors.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import { LwM2mPath, toPath, type PathLike } from '../model/path.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import type { Peer } from '../transport/transport.ts';
import { samePeer } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { TypedEmitter, type EventReceiver } from '../util/typed-events.ts';
import { AccessControl } from './access-control.ts';
import { AttributeStore, type Attributes } from './attributes.ts';
import { dispatch } from './dispatch.ts';
import { SendError } from './errors.ts';
import { formatProfile, type EngineVersion, type FormatProfile } from './formats.ts';
import { ObservationManager, type BuiltNotification, type Observation, type ObservationEndReason, type ObservationHost } from './observe.ts';
import { contentFormatOption, content, statusResponse, type DmContext } from './operations/common.ts';
import { deviceRequest, deviceResponse } from './device-requests.ts';
import { isPrefixSegment, prefixPayload } from './prefix-names.ts';
import { readComposite } from './operations/composite.ts';
import { mergeSupplied, SendSources, type SendSource, type SuppliedValue } from './send-sources.ts';
import { encodeRecords } from './operations/read.ts';
import { wantsBlockStream } from './operations/write.ts';
import { ALL_CACHE, NO_CACHE, readRecords, type Reader, type ReadResult } from './read-records.ts';
import { isInstances, Registry, type BuiltinExecutables, type ExecuteCallback, type ExecuteContext, type InstancesChange, type RegistryEvents } from './registry.ts';

/** One server the engine serves: its socket, address and the RD runner's view of reachability. */
export interface ServerSession {
  /** Short server id; undefined for the bootstrap server. */
  readonly ssid: number | undefined;
  readonly bootstrap: boolean;
  /** One socket per server; requests from this server arrive here. */
  readonly endpoint: CoapEndpoint;
  readonly peer: Peer;
  /** False while queue-mode RX is off or the client is not registered: notifications and Sends wait. */
  reachable(): boolean;
  /** The engine saw an exchange with this server (keeps queue mode awake). */
  traffic(): void;
  /** The engine has something to send while unreachable: wake up (Update first), then call flushQueued. */
  outbound(): void;
}

export interface LwM2mEngineOptions {
  readonly version: EngineVersion;
  /** Object definitions; default the built-in catalogue of the version. */
  readonly catalogue?: DefinitionLookup | undefined;
  readonly clock?: Clock | undefined;
  readonly endpointName: string;
  /** Multi-value format used without Accept and advertised with `ct` (1.1 default SenML CBOR, 1.0 TLV). */
  readonly preferredFormat?: number | undefined;
  /** Send notifications as Confirmable (default false: NON, with a CON at least every 24 h). */
  readonly confirmableNotifications?: boolean | undefined;
  // --- LwM2M Gateway (Gateway TS 1.1): set by addDevice() for the engine of an IoT device.
  /** The gateway's engine: an IoT device's engine serves the gateway's sessions. */
  readonly parent?: LwM2mEngine | undefined;
  /** The IoT device's prefix (its first Uri-Path segment and SenML name prefix). */
  readonly prefix?: string | undefined;
}

/** The observation an observer event concerns: the observing server and the observed paths. */
export interface ObserverEvent {
  readonly ssid: number;
  readonly paths: readonly LwM2mPath[];
}

export interface EngineEvents {
  /** Object instances were created or deleted: the RD client sends an Update with the object list. */
  'instances-changed': InstancesChange;
  /** /1/x/1 changed. */
  'lifetime-changed': { readonly ssid: number; readonly lifetime: number };
  /** /1/x/7 changed. */
  'binding-changed': { readonly ssid: number; readonly binding: string };
  /** /1/x/8 was executed. */
  'update-trigger': { readonly ssid: number };
  /** /1/x/9 was executed (1.1). */
  'bootstrap-trigger': { readonly ssid: number };
  /** /1/x/4 was executed: deregister, stay away `timeout` seconds (/1/x/5, default 86400). */
  disable: { readonly ssid: number; readonly timeout: number };
  /** Bootstrap-Finish was accepted. */
  'bootstrap-finish': { readonly at: number };
  /** The bootstrap server sent a request (the RD runner restarts its transfer timeout). */
  'bootstrap-activity': { readonly method: number; readonly path: string };
  /** A Confirmable notification was not acknowledged: the observation ended (the seed's NOTIFY_TIMEOUT). */
  'notify-timeout': ObserverEvent;
  /** A server started observing `paths` (Observe or Observe-Composite; the seed's OBSERVER_ADDED). */
  'observer-added': ObserverEvent;
  /** An observation ended, with why (the seed's OBSERVER_REMOVED); a timeout also gives 'notify-timeout'. */
  'observer-removed': ObserverEvent & { readonly reason: ObservationEndReason };
  /** The server acknowledged a Confirmable notification (the seed's NOTIFY_ACK). */
  'notify-ack': ObserverEvent;
  /** Callback exceptions (answered 5.00) and other unexpected errors. */
  error: Error;
}

export interface SendOptions {
  /** SenML CBOR (112, default) or SenML JSON (110). */
  readonly format?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface QueuedSend {
  readonly run: () => void;
  readonly reject: (error: Error) => void;
}

const SERVER = 1;
const DEFAULT_DISABLE_TIMEOUT = 86400;
const UNREGISTERED_OBJECTS: ReadonlySet<number> = new Set([0, 21]);

function sessionKey(ssid: number | undefined, bootstrap: boolean): number | 'bootstrap' {
  return bootstrap || ssid === undefined ? 'bootstrap' : ssid;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return v instanceof Promise;
}

/** The LwM2M client engine of one client. */
export class LwM2mEngine extends TypedEmitter<EngineEvents> {
  readonly version: EngineVersion;
  readonly endpointName: string;
  readonly catalogue: DefinitionLookup;
  readonly clock: Clock;
  readonly formats: FormatProfile;
  readonly registry: Registry;
  readonly acl: AccessControl;
  readonly attributes = new AttributeStore();
  readonly #dm: DmContext;
  readonly #confirmable: boolean;
  // Per-client state is kept small (DESIGN.md "Scale": thousands of clients per process): the
  // observation manager exists while observations do, the tables below while they hold something.
  #observations: ObservationManager | undefined;
  /** Attached sessions, in attach order (one per server and the bootstrap server: a few). */
  #sessions: readonly ServerSession[] = [];
  #queuedSends: Map<number, QueuedSend[]> | undefined;
  #wakeRequested: Set<number> | undefined;
  #collector: (() => void)[] | undefined;
  /** Values only Sends carry (Send-only resources), by path; created on first use. */
  #sendSources: SendSources | undefined;
  #pendingInstances:
    | { owner: (() => void)[] | undefined; changes: Map<string, { source: InstancesChange['source']; ssid: number | undefined; created: LwM2mPath[]; deleted: LwM2mPath[] }> }
    | undefined;
  #closed = false;
  // --- LwM2M Gateway (Gateway TS 1.1 8.3): IoT device engines by prefix; a device's gateway engine.
  /** The IoT device prefix of this engine; undefined for a gateway's (or any plain client's) own engine. */
  readonly prefix: string | undefined;
  readonly #parent: LwM2mEngine | undefined;
  #devices: Map<string, LwM2mEngine> | undefined;

  constructor(options: LwM2mEngineOptions) {
    super();
    this.#parent = options.parent;
    this.prefix = options.prefix;
    this.version = options.version;
    this.endpointName = options.endpointName;
    this.catalogue = options.catalogue ?? ObjectCatalogue.builtin(options.version);
    this.clock = options.clock ?? systemClock;
    this.formats = formatProfile(options.version, options.preferredFormat);
    this.#confirmable = options.confirmableNotifications ?? false;
    this.registry = new Registry({ definitions: this.catalogue, clock: this.clock });
    this.acl = new AccessControl(this.registry);
    const context = new LwM2mEngine.#Context(this);
    this.#dm = context;
    this.registry.setBuiltinExecutables(context);
    this.registry.forwardTo(context);
  }

  #registryEvent<K extends keyof RegistryEvents>(event: K, arg: RegistryEvents[K]): void {
    switch (event) {
      case 'change': {
        const paths = arg as RegistryEvents['change'];
        this.#observations?.changed(paths);
        this.#serverObjectChanged(paths);
        return;
      }
      case 'instances-changed':
        this.#instancesChanged(arg as InstancesChange);
        return;
      case 'error':
        this.#reportError(arg);
        return;
    }
  }

  /**
   * What the operations see of the engine (DmContext), its built-in executables of the Server object,
   * and the receiver of its registry's events: one object per engine whose methods live on a shared
   * prototype. It is declared in the class body so that it may use the engine's private members; an
   * object of arrow functions would cost a closure per callback and engine (~400 bytes each under
   * tsx, which keeps function names), and a fleet runs thousands of engines (DESIGN.md "Scale").
   */
  static readonly #Context = class EngineContext implements DmContext, BuiltinExecutables, EventReceiver<RegistryEvents> {
    readonly #engine: LwM2mEngine;
    readonly registry: Registry;
    readonly acl: AccessControl;
    readonly version: EngineVersion;
    readonly formats: FormatProfile;
    readonly attributes: AttributeStore;
    readonly clock: Clock;

    constructor(engine: LwM2mEngine) {
      this.#engine = engine;
      this.registry = engine.registry;
      this.acl = engine.acl;
      this.version = engine.version;
      this.formats = engine.formats;
      this.attributes = engine.attributes;
      this.clock = engine.clock;
    }

    observations(): ObservationManager {
      return this.#engine.#manager();
    }
    serverDefaults(ssid: number): Attributes {
      return this.#engine.#serverDefaults(ssid);
    }
    reportError(error: unknown): void {
      this.#engine.#reportError(error);
    }
    afterResponse(fn: () => void): void {
      this.#engine.#defer(fn);
    }
    builtinExecute(oid: number, rid: number): ExecuteCallback | undefined {
      return this.#engine.#builtinExecute(oid, rid);
    }
    receive<K extends keyof RegistryEvents>(event: K, arg: RegistryEvents[K]): void {
      this.#engine.#registryEvent(event, arg);
    }
  };

  /** The observation manager's view of the engine (created with the manager; see #Context for the pattern). */
  static readonly #ObservationHost = class EngineObservationHost implements ObservationHost {
    readonly #engine: LwM2mEngine;
    readonly clock: Clock;

    constructor(engine: LwM2mEngine) {
      this.#engine = engine;
      this.clock = engine.clock;
    }

    attributes(ssid: number, path: LwM2mPath): Attributes {
      const e = this.#engine;
      return e.attributes.effective(ssid, path, e.#serverDefaults(ssid));
    }
    build(obs: Observation): BuiltNotification {
      return this.#engine.#buildNotification(obs);
    }
    sample(path: LwM2mPath): number | boolean | undefined {
      return this.#engine.#sample(path);
    }
    reachable(ssid: number): boolean {
      return this.#engine.#session(ssid)?.reachable() === true;
    }
    outbound(ssid: number): void {
      this.#engine.#wake(ssid);
    }
    traffic(ssid: number): void {
      this.#engine.#session(ssid)?.traffic();
    }
    storing(ssid: number): boolean {
      return this.#engine.#serverValue(ssid, 6) === true;
    }
    confirmable(): boolean {
      return this.#engine.#confirmable;
    }
    started(obs: Observation): void {
      this.#engine.emit('observer-added', { ssid: obs.ssid, paths: obs.paths });
    }
    acknowledged(obs: Observation): void {
      this.#engine.emit('notify-ack', { ssid: obs.ssid, paths: obs.paths });
    }
    ended(obs: Observation, reason: ObservationEndReason): void {
      const e = this.#engine;
      if (reason === 'timeout') e.emit('notify-timeout', { ssid: obs.ssid, paths: obs.paths });
      e.emit('observer-removed', { ssid: obs.ssid, paths: obs.paths, reason });
    }
    reportError(error: unknown): void {
      this.#engine.#reportError(error);
    }
  };

  #manager(): ObservationManager {
    return (this.#observations ??= new ObservationManager(new LwM2mEngine.#ObservationHost(this)));
  }

  /** Drops the observation manager (its tables and timer queue) once no observation is left. */
  #releaseManager(): void {
    const m = this.#observations;
    if (m === undefined || m.size > 0) return;
    this.#observations = undefined;
    m.close();
  }

  // --- sessions ----------------------------------------------------------------------------------

  /**
   * Serves the requests arriving on `session.endpoint` from `session.peer` (the engine installs
   * itself as the endpoint's request handler). Attaching a session for the same server again
   * replaces the old one and drops its observations.
   */
  attachServer(session: ServerSession): void {
    if (this.#closed) throw new AbortedError('engine closed');
    const key = sessionKey(session.ssid, session.bootstrap);
    if (this.#session(key) !== undefined) this.detachServer(key);
    const endpoint = session.endpoint;
    const served = this.#sessions.some((s) => s.endpoint === endpoint);
    this.#sessions = this.#sessions.concat(session); // exact size: push and spread reserve 17 slots
    if (!served) endpoint.onRequest((request) => this.#handle(endpoint, request));
  }

  /** Stops serving a server (its short server id, or 'bootstrap'); drops its observations and queued Sends. */
  detachServer(ssidOrBootstrap: number | 'bootstrap'): void {
    const i = this.#sessions.findIndex((s) => sessionKey(s.ssid, s.bootstrap) === ssidOrBootstrap);
    if (i < 0) return;
    this.#sessions = this.#sessions.slice(0, i).concat(this.#sessions.slice(i + 1));
    if (typeof ssidOrBootstrap === 'number') this.#sessionGone(ssidOrBootstrap);
  }

  #sessionGone(ssid: number): void {
    this.clearObservations(ssid);
    this.#wakeDone(ssid);
    const queued = this.#takeQueuedSends(ssid);
    for (const q of queued ?? []) q.reject(new SendError('detached', `server ${ssid} was detached before the Send went out`));
    for (const d of this.#devices?.values() ?? []) d.#sessionGone(ssid);
  }

  /** The sessions served: an IoT device's engine serves its gateway's. */
  #served(): readonly ServerSession[] {
    return this.#parent === undefined ? this.#sessions : this.#parent.#served();
  }

  #session(ssidOrBootstrap: number | 'bootstrap'): ServerSession | undefined {
    for (const s of this.#served()) if (sessionKey(s.ssid, s.bootstrap) === ssidOrBootstrap) return s;
    return undefined;
  }

  /** The attached session of a server, if any. */
  session(ssidOrBootstrap: number | 'bootstrap'): ServerSession | undefined {
    return this.#session(ssidOrBootstrap);
  }

  /** Cancels a server's observations: a new registration starts without them (LwM2M Core 1.1.1 6.2.1). */
  clearObservations(ssid: number): void {
    this.#observations?.clear(ssid);
    this.#releaseManager();
    for (const d of this.#devices?.values() ?? []) d.clearObservations(ssid);
  }

  /** Number of active observations (of one server, or all). */
  observationCount(ssid?: number): number {
    const m = this.#observations;
    if (m === undefined) return 0;
    return ssid === undefined ? m.size : m.list(ssid).length;
  }

  /** The observations (of one server, or all), for inspection. */
  observations(ssid?: number): Observation[] {
    return this.#observations?.list(ssid) ?? [];
  }

  #sessionFor(endpoint: CoapEndpoint, peer: Peer): ServerSession | undefined {
    let only: ServerSession | undefined;
    let count = 0;
    for (const s of this.#served()) {
      if (s.endpoint !== endpoint) continue;
      if (samePeer(s.peer, peer)) return s;
      only = s;
      count++;
    }
    // One server per socket: tolerate an address written differently (e.g. a v4-mapped v6 address).
    return count === 1 ? only : undefined;
  }

  // --- requests ----------------------------------------------------------------------------------

  #handle(endpoint: CoapEndpoint, request: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    const session = this.#sessionFor(endpoint, request.peer);
    if (session === undefined) return { code: CoapCode.UNAUTHORIZED };
    session.traffic();
    const devices = this.#devices;
    const first = request.path[0];
    // Gateway TS 1.1 8.3.1: a first segment that is not an object id is an IoT device's prefix; the
    // bootstrap server never reaches IoT devices (8.1), and an unknown prefix falls through to 4.04.
    if (devices !== undefined && !session.bootstrap && first !== undefined && isPrefixSegment(first)) {
      const device = devices.get(first);
      if (device !== undefined) return device.#serveDevice(session, request);
    }
    return this.#serve(session, request);
  }

  /** Serves a request addressed to this IoT device's engine: prefix off on the way in, on again on the way out. */
  #serveDevice(session: ServerSession, request: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    const prefix = this.prefix!;
    let inner: IncomingRequest;
    try {
      inner = deviceRequest(request, prefix);
    } catch (error) {
      return this.#errorToResponse(error);
    }
    const result = this.#serve(session, inner);
    if (isPromise(result)) return result.then((r) => deviceResponse(r, prefix));
    return deviceResponse(result, prefix);
  }

  #serve(session: ServerSession, request: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    const reader: Reader = { ssid: session.ssid, bootstrap: session.bootstrap };
    const after: (() => void)[] = [];
    if (session.bootstrap) {
      const method = request.method;
      const path = '/' + request.path.join('/');
      after.push(() => {
        this.emit('bootstrap-activity', { method, path });
      });
    }
    this.#collector = after;
    let result: CoapResponse | Promise<CoapResponse>;
    try {
      result = dispatch(this.#dm, reader, request, {
        bootstrapFinished: () => {
          this.emit('bootstrap-finish', { at: this.clock.now() });
        },
      });
    } catch (error) {
      result = this.#errorToResponse(error);
    } finally {
      this.#collector = undefined;
    }
    if (isPromise(result)) {
      return result.then(
        (r) => {
          this.#runAfter(after);
          return r;
        },
        (error: unknown) => {
          this.#runAfter(after);
          return this.#errorToResponse(error);
        },
      );
    }
    this.#runAfter(after);
    return result;
  }

  #runAfter(after: (() => void)[]): void {
    if (after.length === 0) return;
    // setImmediate: the response is serialized and sent before these run.
    setImmediate(() => {
      for (const fn of after) {
        try {
          fn();
        } catch (error) {
          this.#reportError(error);
        }
      }
    });
  }

  /**
   * Coalesces instance changes of one request (or one synchronous run of application calls) into
   * one event per source, so the RD layer sends one Update.
   */
  #instancesChanged(change: InstancesChange): void {
    const key = `${change.source}/${String(change.ssid)}`;
    let pending = this.#pendingInstances;
    if (pending?.owner !== this.#collector) pending = undefined;
    if (pending === undefined) {
      const batch = { owner: this.#collector, changes: new Map<string, { source: InstancesChange['source']; ssid: number | undefined; created: LwM2mPath[]; deleted: LwM2mPath[] }>() };
      pending = batch;
      this.#pendingInstances = batch;
      this.#defer(() => {
        if (this.#pendingInstances === batch) this.#pendingInstances = undefined;
        for (const c of batch.changes.values()) this.emit('instances-changed', c);
      });
    }
    let entry = pending.changes.get(key);
    if (entry === undefined) {
      entry = { source: change.source, ssid: change.ssid, created: [], deleted: [] };
      pending.changes.set(key, entry);
    }
    entry.created.push(...change.created);
    entry.deleted.push(...change.deleted);
  }

  #defer(fn: () => void): void {
    if (this.#collector !== undefined) this.#collector.push(fn);
    else queueMicrotask(fn);
  }

  #errorToResponse(error: unknown): CoapResponse {
    if (error instanceof StatusError) return statusResponse(error);
    this.#reportError(error);
    return { code: CoapCode.INTERNAL_SERVER_ERROR };
  }

  #reportError(error: unknown): void {
    // An IoT device's errors are the gateway's: the client forwards those of its engine.
    if (this.#parent !== undefined) {
      this.#parent.#reportError(error);
      return;
    }
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  /**
   * The endpoint's `block1Stream` hook: true for a Block1 PUT/POST of application/octet-stream to an
   * Opaque resource with a post-write callback, which then gets each block with its context.
   */
  block1Stream(request: IncomingRequest): boolean {
    const path = request.path;
    const device = path[0] !== undefined && isPrefixSegment(path[0]) ? this.#devices?.get(path[0]) : undefined;
    if (device !== undefined) return wantsBlockStream(device.registry, request.method, path.slice(1), request.contentFormat);
    return wantsBlockStream(this.registry, request.method, path, request.contentFormat);
  }

  // --- the Server object -------------------------------------------------------------------------

  #serverInstance(ssid: number): number | undefined {
    for (const iid of this.registry.instanceIds(SERVER)) {
      if (this.#num(SERVER, iid, 0) === ssid) return iid;
    }
    return undefined;
  }

  #num(oid: number, iid: number, rid: number): number | undefined {
    const v = this.registry.get(LwM2mPath.of(oid, iid, rid));
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
  }

  #serverValue(ssid: number, rid: number): ResourceValue | undefined {
    if (this.#parent !== undefined) return this.#parent.#serverValue(ssid, rid);
    const iid = this.#serverInstance(ssid);
    if (iid === undefined) return undefined;
    const v = this.registry.get(LwM2mPath.of(SERVER, iid, rid));
    return isInstances(v) ? undefined : v;
  }

  #serverDefaults(ssid: number): Attributes {
    if (this.#parent !== undefined) return this.#parent.#serverDefaults(ssid);
    const iid = this.#serverInstance(ssid);
    if (iid === undefined) return {};
    return { pmin: this.#num(SERVER, iid, 2), pmax: this.#num(SERVER, iid, 3) };
  }

  #serverObjectChanged(paths: readonly LwM2mPath[]): void {
    let refresh = false;
    for (const p of paths) {
      if (p.ids[0] !== SERVER) continue;
      if (p.depth === 2) {
        refresh = true;
        continue;
      }
      const iid = p.ids[1]!;
      const rid = p.ids[2];
      const ssid = this.#num(SERVER, iid, 0);
      if (rid === 2 || rid === 3) refresh = true;
      if (ssid === undefined) continue;
      if (rid === 1) {
        const lifetime = this.#num(SERVER, iid, 1);
        if (lifetime !== undefined) {
          this.#defer(() => {
            this.emit('lifetime-changed', { ssid, lifetime });
          });
        }
      } else if (rid === 7) {
        const binding = this.registry.get(p);
        if (typeof binding === 'string') {
          this.#defer(() => {
            this.emit('binding-changed', { ssid, binding });
          });
        }
      }
    }
    if (refresh) this.#observations?.refresh();
  }

  #ssidOf(ctx: ExecuteContext): number {
    const ssid = this.#num(SERVER, ctx.path.ids[1]!, 0);
    if (ssid === undefined) throw new NotFoundError(`${ctx.path.ancestor(2).toString()} has no Short Server ID`);
    return ssid;
  }

  /** The Server object's executables the engine implements: Disable (4), Update Trigger (8), Bootstrap-Request Trigger (9, 1.1). */
  #builtinExecute(oid: number, rid: number): ExecuteCallback | undefined {
    if (oid !== SERVER) return undefined;
    switch (rid) {
      case 4:
        return (_args, ctx) => {
          const ssid = this.#ssidOf(ctx);
          const timeout = this.#num(SERVER, ctx.path.ids[1]!, 5) ?? DEFAULT_DISABLE_TIMEOUT;
          this.#defer(() => {
            this.emit('disable', { ssid, timeout });
          });
        };
      case 8:
        return (_args, ctx) => {
          const ssid = this.#ssidOf(ctx);
          this.#defer(() => {
            this.emit('update-trigger', { ssid });
          });
        };
      case 9:
        if (this.registry.resourceDefinition(SERVER, 9) === undefined) return undefined;
        return (_args, ctx) => {
          const ssid = this.#ssidOf(ctx);
          this.#defer(() => {
            this.emit('bootstrap-trigger', { ssid });
          });
        };
      default:
        return undefined;
    }
  }

  // --- LwM2M Gateway: IoT devices ------------------------------------------------------------------

  /**
   * Adds the engine of an IoT device behind this gateway (LwM2M Gateway TS 1.1 8.3): requests from
   * an LwM2M Server whose first Uri-Path segment is `prefix` go to it, without the prefix, over this
   * engine's sessions; its notifications and Sends go out on them too, with the prefix in SenML
   * names (section 9). Its objects are never in this engine's Register/Update links (section 6).
   * The caller validates the prefix (client/gateway); a prefix in use or a numeric one throws.
   */
  addDevice(prefix: string, options: { readonly catalogue?: DefinitionLookup | undefined } = {}): LwM2mEngine {
    if (this.#parent !== undefined) throw new TypeError('an IoT device engine cannot have IoT devices');
    if (!isPrefixSegment(prefix) || prefix === '' || prefix.includes('/')) throw new TypeError(`'${prefix}' cannot be an IoT device prefix`);
    const devices = (this.#devices ??= new Map<string, LwM2mEngine>());
    if (devices.has(prefix)) throw new TypeError(`IoT device prefix '${prefix}' is in use`);
    const device = new LwM2mEngine({
      version: this.version,
      endpointName: this.endpointName,
      catalogue: options.catalogue ?? this.catalogue,
      clock: this.clock,
      confirmableNotifications: this.#confirmable,
      parent: this,
      prefix,
    });
    devices.set(prefix, device);
    return device;
  }

  /** Removes an IoT device: its observations end, its waiting Sends fail, later requests for its prefix get 4.04. */
  removeDevice(prefix: string): boolean {
    const device = this.#devices?.get(prefix);
    if (device === undefined) return false;
    this.#devices!.delete(prefix);
    if (this.#devices!.size === 0) this.#devices = undefined;
    device.close();
    return true;
  }

  /** The engine of the IoT device with this prefix. */
  device(prefix: string): LwM2mEngine | undefined {
    return this.#devices?.get(prefix);
  }

  /** Prefixes of the IoT devices, in the order they were added. */
  devicePrefixes(): string[] {
    return [...(this.#devices?.keys() ?? [])];
  }

  // --- registration ----------------------------------------------------------------------------

  /**
   * The link-format payload of Register / Update (LwM2M Core 1.1.1 6.2.1; 1.0.2 5.3.1): the root
   * link `</>;rt="oma.lwm2m";ct=...` (1.1: the preferred format; 1.0: OMA JSON support), then every
   * supported object except Security (and OSCORE), with `ver` (1.1, versions other than 1.0) and
   * `</oid>` alone for an object without instances, and `</oid/iid>` per instance.
   */
  registrationLinks(): string {
    const objects = this.registry
      .objectIds()
      .filter((oid) => !UNREGISTERED_OBJECTS.has(oid))
      .map((oid) => ({
        id: oid,
        version: this.version === '1.0' ? undefined : this.catalogue.object(oid)?.version,
        instances: this.registry.instanceIds(oid),
      }));
    return formatLinks(registerLinks(objects, { contentFormats: this.formats.registerContentFormats() }));
  }

  // --- observation host ----------------------------------------------------------------------------

  #sample(path: LwM2mPath): number | boolean | undefined {
    const [oid, iid, rid, riid] = path.ids;
    if (rid === undefined) return undefined;
    const data = this.registry.readResource(oid!, iid!, rid);
    const v = isInstances(data) ? (riid === undefined ? undefined : data.get(riid)) : data;
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Date) return v.getTime() / 1000;
    return undefined;
  }

  #buildNotification(obs: Observation): BuiltNotification {
    const dm = this.#dm;
    const reader: Reader = { ssid: obs.ssid, bootstrap: false };
    const cache = supportsTimestamps(obs.format) ? ({ kind: 'since', sent: obs.cacheSent } as const) : NO_CACHE;
    const onError = (e: unknown): void => {
      this.#reportError(e);
    };
    let result: ReadResult;
    let base: LwM2mPath;
    if (obs.composite) {
      base = LwM2mPath.ROOT;
      try {
        result = readComposite(dm, reader, obs.paths, cache, onError);
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        result = { records: [], emptyResources: [], cacheTimes: undefined };
      }
    } else {
      base = obs.paths[0]!;
      result = readRecords(dm, reader, base, { cache, onSkippedError: onError });
    }
    let payload = encodeRecords(dm, result, obs.format, base);
    if (this.prefix !== undefined) payload = prefixPayload(payload, obs.format, this.prefix);
    return { response: content(obs.format, payload), cacheTimes: result.cacheTimes };
  }

  #wake(ssid: number): void {
    if (this.#wakeRequested?.has(ssid) === true) return;
    const session = this.#session(ssid);
    if (session === undefined) return;
    (this.#wakeRequested ??= new Set<number>()).add(ssid);
    session.outbound();
  }

  /** Delivers the notifications and Sends held while the server was not reachable. */
  flushQueued(ssid: number): void {
    for (const d of this.#devices?.values() ?? []) d.flushQueued(ssid);
    this.#wakeDone(ssid);
    const session = this.#session(ssid);
    if (session === undefined || !session.reachable()) return;
    this.#observations?.flush(ssid);
    for (const q of this.#takeQueuedSends(ssid) ?? []) q.run();
  }

  #wakeDone(ssid: number): void {
    const wake = this.#wakeRequested;
    if (wake?.delete(ssid) === true && wake.size === 0) this.#wakeRequested = undefined;
  }

  /** Removes and returns the Sends waiting for `ssid` (the table goes once empty). */
  #takeQueuedSends(ssid: number): QueuedSend[] | undefined {
    const sends = this.#queuedSends;
    const list = sends?.get(ssid);
    if (sends === undefined || list === undefined) return undefined;
    sends.delete(ssid);
    if (sends.size === 0) this.#queuedSends = undefined;
    return list;
  }

  // --- Send -------------------------------------------------------------------------------------

  /**
   * LwM2M 1.1 Send: POST /dp to server `ssid` with the values at `paths` (cached time series
   * included) in SenML CBOR or JSON. Resolves when the server acknowledged it (2.04); cached entries
   * sent are removed only then. Rejects with SendError (1.0 engine, Mute Send /1/x/23, no session,
   * nothing readable, detached), RequestRejectedError (error response), TimeoutError, AbortedError.
   * While the server is unreachable the Send waits (the RD runner is asked to wake up).
   */
  async send(ssid: number, paths: readonly PathLike[], options: SendOptions = {}): Promise<void> {
    if (this.version === '1.0') throw new SendError('unsupported', 'Send is a LwM2M 1.1 operation');
    const session = this.#session(ssid);
    if (session === undefined) throw new SendError('no-server', `no session for server ${ssid}`);
    if (this.#serverValue(ssid, 23) === true) throw new SendError('muted', `Send is muted for server ${ssid} (/1/x/23)`);
    const format = options.format ?? this.formats.compositeResponseFormat(undefined, undefined);
    if (!this.formats.composite(format)) throw new UnsupportedFormatError(`Send needs SenML JSON or SenML CBOR, not format ${format}`, { format });
    const reader: Reader = { ssid, bootstrap: false };
    const all = paths.map(toPath);
    const { supplied, rest } = this.#sendSources?.take(all, ssid, this.registry, this.acl) ?? { supplied: [] as SuppliedValue[], rest: all };
    let result: ReadResult = { records: [], emptyResources: [], cacheTimes: undefined };
    try {
      if (rest.length > 0 || supplied.length === 0) {
        result = readComposite(this.#dm, reader, rest, ALL_CACHE, (e) => {
          this.#reportError(e);
        });
      }
      if (result.records.length === 0 && supplied.length === 0) throw new NotFoundError('no value to send');
    } catch (error) {
      if (error instanceof StatusError && supplied.length === 0) throw new SendError('no-data', `nothing readable at ${paths.map(String).join(', ')}`, { cause: error });
      if (!(error instanceof StatusError)) throw error;
    }
    const records = mergeSupplied(result.records, supplied);
    let payload: Uint8Array = encode(records, { format, basePath: LwM2mPath.ROOT, definitions: this.catalogue });
    // An IoT device's paths carry its prefix (SenML names, or the top key of LwM2M CBOR).
    if (this.prefix !== undefined) payload = prefixPayload(payload, format, this.prefix);
    const drains = new Map<string, { path: LwM2mPath; count: number }>();
    for (const r of result.records) {
      if (r.time === undefined) continue;
      const key = r.path.toString();
      const d = drains.get(key);
      if (d === undefined) drains.set(key, { path: r.path, count: 1 });
      else d.count++;
    }
    const signal = options.signal;
    signal?.throwIfAborted();
    if (!session.reachable()) await this.#waitReachable(ssid, signal);
    const current = this.#session(ssid);
    if (current === undefined) throw new SendError('detached', `server ${ssid} was detached before the Send went out`);
    const response = await current.endpoint.request(
      current.peer,
      { code: CoapCode.POST, options: [stringOption(CoapOption.URI_PATH, 'dp'), contentFormatOption(format)], payload },
      { signal },
    );
    current.traffic();
    if (response.code >> 5 !== 2) throw new RequestRejectedError(response.code, undefined, { payload: response.payload });
    for (const d of drains.values()) this.registry.cache.drain(d.path, d.count);
    for (const v of supplied) {
      try {
        v.source.delivered?.(ssid, v.path, v.value);
      } catch (error) {
        this.#reportError(error);
      }
    }
  }

  /**
   * Registers the source of a Send-only value (see send-sources.ts): a Send that lists exactly
   * `path` carries what `source.value(ssid, path)` returns for that server, and `source.delivered`
   * hears when the server acknowledged it. Read and Observe of the path are unchanged (a resource
   * without R stays 4.05). Returns a function that removes the source.
   */
  setSendSource(path: PathLike, source: SendSource): () => void {
    const p = toPath(path);
    const sources = (this.#sendSources ??= new SendSources());
    sources.set(p, source);
    return () => {
      const current = this.#sendSources;
      if (current === undefined) return;
      current.remove(p, source);
      if (current.size === 0) this.#sendSources = undefined;
    };
  }

  #waitReachable(ssid: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const sends = (this.#queuedSends ??= new Map<number, QueuedSend[]>());
      let list = sends.get(ssid);
      if (list === undefined) {
        list = [];
        sends.set(ssid, list);
      }
      const onAbort = (): void => {
        const l = this.#queuedSends?.get(ssid);
        const i = l?.indexOf(entry) ?? -1;
        if (i >= 0) l!.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new AbortedError('Send aborted'));
      };
      const entry: QueuedSend = {
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      list.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake(ssid);
    });
  }

  /** Stops timers, ends observations and rejects waiting Sends. Sessions' endpoints are left to their owner. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const d of this.#devices?.values() ?? []) d.close();
    this.#devices = undefined;
    if (this.#parent !== undefined) for (const s of this.#served()) if (s.ssid !== undefined) this.#sessionGone(s.ssid);
    for (const s of this.#sessions) this.detachServer(sessionKey(s.ssid, s.bootstrap));
    this.#observations?.close();
    this.#observations = undefined;
  }
}
