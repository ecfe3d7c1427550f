/**
 * LwM2mServer: the companion LwM2M server (LwM2M Core 1.1.1 / 1.2 server side). It serves the
 * Registration interface (6.2: Register, Update, De-register, expiry), the Send operation (6.4.3),
 * and offers the Device Management and Information Reporting interfaces (6.3, 6.4) as Promises of
 * typed results, with queue mode (6.5) and optional DTLS (7.1) with per-endpoint credentials.
 */
import {
  CoapCode,
  type CoapEndpoint,
  type CoapRequest,
  type IncomingResponse,
  type RequestOptions as CoapRequestOptions,
} from '../coap/index.ts';
import { AbortedError, CodecError, TimeoutError, ValueError } from '../errors.ts';
import { ContentFormat, encode, encodePaths, formatName, supportsComposite } from '../codec/index.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import { LwM2mPath, toPath, type PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import { samePeer, type Peer } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import {
  attributeQuery,
  checkPathListFormat,
  defaultFormat,
  executePayload,
  toPaths,
  toRecords,
  type AttributesInput,
  type ExecuteArgument,
  type WriteContent,
} from './content.ts';
import {
  bareResult,
  createdLocation,
  decodeValues,
  discoverResult,
  dmRequest,
  endsObservation,
  expectCode,
  type CreateResult,
  type DiscoverResult,
  type DmResult,
} from './dm.ts';
import { ClientNotRegisteredError } from './errors.ts';
import { prefixSenmlNames } from '../dm/prefix-names.ts';
import {
  describeTarget,
  gatewayDevicesOf,
  gatewayInstances,
  GATEWAY_OBJECT,
  listsGatewayDevices,
  prefixedRoot,
  prefixedTarget,
  type GatewayDevice,
} from './gateway.ts';
import { ServerEmitter } from './emitter.ts';
import { Listeners, type ListenerOptions } from './listeners.ts';
import { Observation, type Notification, type ObservationHooks } from './observation.ts';
import { RequestQueue } from './queue.ts';
import { Registrar, type RegistrarHooks } from './registrar.ts';
import type { ListenerKind, Registration } from './registration.ts';
import { SecurityRegistry, type EndpointCredentials } from './security.ts';
import { InMemoryRegistrationStore, type RegistrationStore } from './store.ts';

export interface LwM2mServerOptions extends ListenerOptions {
  /** Where registrations live (default: in memory). */
  readonly store?: RegistrationStore;
  /** Per-endpoint DTLS credentials (also feeds the DTLS listener's PSK and RPK lookups). */
  readonly security?: SecurityRegistry | Iterable<readonly [string, EndpointCredentials]>;
  /** Object definitions for encoding and decoding; default: the built-in catalogue of the client's version. */
  readonly definitions?: DefinitionLookup | ((registration: Registration) => DefinitionLookup);
  /** Extra time after the lifetime before a registration expires, ms (default 15 000). */
  readonly expiryGraceMs?: number;
  /**
   * How long a queue-mode client stays reachable after it was last heard from, ms (default: the
   * CoAP MAX_TRANSMIT_WAIT of the listener, 93 s with the RFC 7252 parameters, as LwM2M Core 6.5 says).
   */
  readonly queueAwakeMs?: number;
  /** Largest Register/Update payload, bytes (default 65 536; larger is 4.13). */
  readonly maxRegistrationPayload?: number;
  /** Registration ids (default 10 random hex digits). Must be unique and a valid path segment. */
  readonly registrationId?: () => string;
  /** Notifications buffered per observation for its iterator (default 64, oldest dropped). */
  readonly notificationQueueLimit?: number;
}

export interface LwM2mServerEvents {
  /** A Register was accepted. `replaced` is the earlier registration of the same endpoint, now gone. */
  registered: { registration: Registration; replaced?: Registration };
  updated: { registration: Registration; previous: Registration };
  deregistered: { registration: Registration };
  /** The lifetime (plus grace) passed without an Update. */
  expired: { registration: Registration };
  notification: { registration: Registration; observation: Observation; notification: Notification };
  /**
   * LwM2M 1.1 Send (POST /dp). A gateway's Send may carry values of its IoT devices, named with
   * their prefix (LwM2M Gateway TS 1.1 section 9): such a Send gives one event per sender, in the
   * order they first appear in the payload, `prefix` naming the IoT device (absent for the
   * gateway's own values) and `records` holding plain LwM2M paths (`/3303/0/5700`).
   */
  send: { registration: Registration; records: readonly LwM2mRecord[]; format: number; prefix?: string };
  /** A queue-mode client was heard from after being asleep. */
  awake: { registration: Registration };
  /** A gateway's IoT devices were read (LwM2M Gateway TS 1.1 6): after Register, and after an Update that changed /25. */
  'gateway-devices': { registration: Registration; devices: readonly GatewayDevice[] };
  error: Error;
}

/** Options common to every device-management call. */
export interface DmOptions {
  /** Aborts the request (also while it waits in the queue of a sleeping client). */
  readonly signal?: AbortSignal;
  /** CON (default) or NON. */
  readonly confirmable?: boolean;
  /** Block size for block-wise transfers, 16..1024. */
  readonly blockSize?: number;
  /**
   * The IoT device behind a gateway to address (LwM2M Gateway TS 1.1 8.3.1): its prefix goes before
   * the path (`/dev1/3/0`) and into SenML names. A string path may carry it instead: `'/dev1/3/0'`.
   */
  readonly prefix?: string;
}

export interface FormatOptions extends DmOptions {
  /** Content format (number, e.g. ContentFormat.TLV); default from the registration. */
  readonly format?: number;
}

export interface WriteOptions extends FormatOptions {
  /** Partial update (POST) instead of replace (PUT) (LwM2M Core 1.1.1 5.4.3). */
  readonly partial?: boolean;
}

export interface CreateOptions extends FormatOptions {
  /** The instance id to create. Without it the client picks one (TLV) or the server takes the next free id. */
  readonly instanceId?: number;
}

export interface DiscoverOptions extends DmOptions {
  /** LwM2M 1.2 `depth` (0..3). */
  readonly depth?: number;
}

export interface CompositeOptions extends FormatOptions {
  /** Format of the path list in the request (default: `format` when it can carry one). */
  readonly pathFormat?: number;
}

export interface ObserveOptions extends CompositeOptions {
  /** Notifications buffered for the iterator (default: the server's notificationQueueLimit). */
  readonly queueLimit?: number;
}

/** Paths and values for Write-Composite: records, or `{ '/3/0/14': '+02:00' }`. */
export type CompositeContent = readonly LwM2mRecord[] | Readonly<Record<string, ResourceValue>>;

type Sender<T> = (registration: Registration, coap: CoapEndpoint) => Promise<T>;

const ROOT = LwM2mPath.ROOT;

export class LwM2mServer extends ServerEmitter<LwM2mServerEvents> {
  readonly clock: Clock;
  readonly store: RegistrationStore;
  readonly security: SecurityRegistry;
  #listeners!: Listeners;
  #options: LwM2mServerOptions;
  #registrar: Registrar;
  #queue = new RequestQueue();
  #observations = new Map<string, Set<Observation>>();
  /** IoT devices of gateways by registration id (LwM2M Gateway TS 1.1): the last read of /25, or the read under way. */
  #gateways = new Map<string, Promise<GatewayDevice[]>>();
  #closed = false;

  private constructor(options: LwM2mServerOptions) {
    super();
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new InMemoryRegistrationStore();
    this.security = options.security instanceof SecurityRegistry ? options.security : new SecurityRegistry(options.security);
    this.#registrar = new Registrar(
      {
        clock: this.clock,
        store: this.store,
        security: this.security,
        graceMs: options.expiryGraceMs ?? 15_000,
        awakeMs: options.queueAwakeMs ?? 0,
        maxPayload: options.maxRegistrationPayload ?? 65_536,
        newId: options.registrationId,
      },
      this.#registrarHooks(),
    );
  }

  #registrarHooks(): RegistrarHooks {
    return {
      registered: (registration, replaced) => {
        this.emit('registered', replaced === undefined ? { registration } : { registration, replaced });
        if (replaced !== undefined) this.#gateways.delete(replaced.id);
        if (listsGatewayDevices(registration)) this.#refreshGateway(registration);
      },
      updated: (registration, previous) => {
        this.emit('updated', { registration, previous });
        if (gatewayInstances(registration) !== gatewayInstances(previous)) this.#refreshGateway(registration);
      },
      deregistered: (registration) => {
        this.emit('deregistered', { registration });
      },
      expired: (registration) => {
        this.emit('expired', { registration });
      },
      send: (registration, records, format, prefix) => {
        this.emit('send', prefix === undefined ? { registration, records, format } : { registration, records, format, prefix });
      },
      unknownPrefixes: (registration, prefixes) => this.#unknownPrefixes(registration, prefixes),
      awake: (registration, wasAsleep) => {
        if (wasAsleep) {
          queueMicrotask(() => {
            this.emit('awake', { registration });
          });
        }
        if (this.#queue.size(registration.id) > 0) {
          // After the current datagram is handled (an Update may move the address first).
          queueMicrotask(() => {
            this.#queue.flush(registration.id);
          });
        }
      },
      moved: (registration) => {
        // Observations survive an Update (LwM2M Core 1.1.1 6.4.1): follow the client's new address.
        for (const o of this.#observations.get(registration.id) ?? []) o.retarget(registration.address);
      },
      ended: (registration) => {
        this.#ended(registration);
      },
      definitions: (registration) => this.#definitions(registration),
    };
  }

  /** Binds the listeners and starts serving. Throws TransportError when a port is taken. */
  static async start(options: LwM2mServerOptions = {}): Promise<LwM2mServer> {
    const server = new LwM2mServer(options);
    const registrar = server.#registrar;
    server.#listeners = await Listeners.open(options, server.security, (kind, peer) => {
      registrar.heard(kind, peer);
    });
    registrar.awakeMs = options.queueAwakeMs ?? server.#listeners.plain.params.maxTransmitWait;
    registrar.restore();
    for (const [kind, coap] of [['udp', server.#listeners.plain], ['dtls', server.#listeners.secure]] as const) {
      if (coap === undefined) continue;
      coap.on('error', (error) => {
        server.emit('error', error);
      });
      coap.onRequest((request) => registrar.handle(kind, request));
    }
    return server;
  }

  /** Address of the NoSec listener. */
  get local(): Peer {
    return this.#listeners.plain.local;
  }

  /** Address of the DTLS listener, if there is one. */
  get secureLocal(): Peer | undefined {
    return this.#listeners.secure?.local;
  }

  /** The CoAP endpoint of a listener (for diagnostics and counters). */
  coapEndpoint(kind: ListenerKind = 'udp'): CoapEndpoint {
    return this.#listeners.endpoint(kind);
  }

  registrations(): Registration[] {
    return [...this.store.all()];
  }

  registration(endpoint: string): Registration | undefined {
    return this.store.byEndpoint(endpoint);
  }

  /** Whether requests to the client go out now: always for clients not in queue mode (LwM2M Core 6.5). */
  isAwake(endpoint: string): boolean {
    const reg = this.store.byEndpoint(endpoint);
    return reg !== undefined && this.#registrar.isAwake(reg);
  }

  /** Requests waiting for a sleeping queue-mode client. */
  queuedRequests(endpoint: string): number {
    const reg = this.store.byEndpoint(endpoint);
    return reg === undefined ? 0 : this.#queue.size(reg.id);
  }

  /** Active observations, of one endpoint or of all. */
  observations(endpoint?: string): Observation[] {
    const out: Observation[] = [];
    for (const set of this.#observations.values()) for (const o of set) if (endpoint === undefined || o.endpoint === endpoint) out.push(o);
    return out;
  }

  /** Closes the listeners; waiting requests reject with AbortedError and observations end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#registrar.close();
    this.#queue.failAll(new AbortedError('server closed'));
    for (const o of this.observations()) o.terminate('closed');
    await this.#listeners.close();
    await this.store.close?.();
  }

  /** Cleans up after a registration that ended (de-registered, expired, replaced). */
  #ended(reg: Registration): void {
    if (this.#queue.size(reg.id) > 0) {
      this.#queue.fail(reg.id, new ClientNotRegisteredError(reg.endpoint, `the registration of '${reg.endpoint}' ended before the request was sent`));
    }
    const set = this.#observations.get(reg.id);
    if (set !== undefined) for (const o of [...set]) o.terminate('deregistered');
    this.#observations.delete(reg.id);
    this.#gateways.delete(reg.id);
  }

  // --- LwM2M Gateway (Gateway TS 1.1) ------------------------------------------------------------

  /** Reads /25 of a gateway in the background (after Register, and after an Update that changed /25). */
  #refreshGateway(reg: Registration): void {
    const pending = this.#readGateway(reg.endpoint, reg.id);
    this.#gateways.set(reg.id, pending);
    pending.then(
      (devices) => {
        const current = this.store.get(reg.id);
        if (current !== undefined && this.#gateways.get(reg.id) === pending) this.emit('gateway-devices', { registration: current, devices });
      },
      (error: unknown) => {
        if (this.#gateways.get(reg.id) === pending) this.#gateways.delete(reg.id);
        if (!(error instanceof ClientNotRegisteredError) && !(error instanceof AbortedError)) this.emit('error', error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  async #readGateway(endpoint: string, id: string): Promise<GatewayDevice[]> {
    // Let the response to the Register/Update go out first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const reg = this.store.get(id);
    if (reg === undefined || !listsGatewayDevices(reg)) return [];
    const result = await this.read(endpoint, LwM2mPath.of(GATEWAY_OBJECT));
    return gatewayDevicesOf(result.records);
  }

  /**
   * The IoT devices behind a gateway (LwM2M Gateway TS 1.1 section 6): Device ID, Prefix and objects
   * of each /25 instance. The server reads /25 when a gateway registers and when an Update changes
   * its /25 instances; this returns that read (waiting for it if under way), or reads now with
   * `refresh` or when there was none. An endpoint without /25 instances has no devices ([]).
   * Throws ClientNotRegisteredError, and the errors of the Read.
   */
  async gatewayDevices(endpoint: string, options: { readonly refresh?: boolean } = {}): Promise<GatewayDevice[]> {
    const reg = this.#require(endpoint);
    if (!listsGatewayDevices(reg)) return [];
    let pending = options.refresh === true ? undefined : this.#gateways.get(reg.id);
    if (pending === undefined) {
      pending = this.read(endpoint, LwM2mPath.of(GATEWAY_OBJECT)).then((r) => gatewayDevicesOf(r.records));
      this.#gateways.set(reg.id, pending);
      pending.catch(() => {
        if (this.#gateways.get(reg.id) === pending) this.#gateways.delete(reg.id);
      });
    }
    return (await pending).slice();
  }

  /**
   * The prefixes a gateway's IoT devices do not have (a Send named them, Gateway TS 1.1 section 9):
   * checked against the last read of /25 (waiting for one under way), and when one is missing
   * there, against a fresh read, once. Rejects with the errors of that read.
   */
  async #unknownPrefixes(reg: Registration, prefixes: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(prefixes)];
    const missing = (devices: readonly GatewayDevice[]): string[] => {
      const known = new Set(devices.map((d) => d.prefix));
      return wanted.filter((p) => !known.has(p));
    };
    if (!listsGatewayDevices(reg)) return wanted;
    const last = this.#gateways.get(reg.id);
    if (last !== undefined) {
      const left = missing(await last.catch(() => []));
      if (left.length === 0) return left;
    }
    return missing(await this.gatewayDevices(reg.endpoint, { refresh: true }));
  }

  // --- Device management -----------------------------------------------------------------------

  #definitions(reg: Registration): DefinitionLookup {
    const d = this.#options.definitions;
    if (d === undefined) return ObjectCatalogue.builtin(reg.version);
    return typeof d === 'function' ? d(reg) : d;
  }

  #require(endpoint: string): Registration {
    if (this.#closed) throw new AbortedError('server closed');
    const reg = this.store.byEndpoint(endpoint);
    if (reg === undefined) throw new ClientNotRegisteredError(endpoint);
    return reg;
  }

  /**
   * Runs `prepare` now (bad arguments reject at once) and sends what it returns: at once, or when
   * a sleeping queue-mode client is next heard from. The sender gets the registration as it is at
   * sending time (the address may have moved).
   */
  async #dispatch<T>(endpoint: string, signal: AbortSignal | undefined, prepare: (reg: Registration) => Sender<T>): Promise<T> {
    const reg = this.#require(endpoint);
    const sender = prepare(reg);
    if (this.#registrar.isAwake(reg)) return this.#run(reg, sender);
    return new Promise<T>((resolve, reject) => {
      this.#queue.enqueue(
        reg.id,
        {
          run: () => {
            const current = this.store.get(reg.id);
            if (current === undefined) reject(new ClientNotRegisteredError(endpoint));
            else this.#run(current, sender).then(resolve, reject);
          },
          fail: reject,
        },
        signal,
      );
    });
  }

  async #run<T>(reg: Registration, sender: Sender<T>): Promise<T> {
    try {
      return await sender(reg, this.#listeners.endpoint(reg.listener));
    } catch (error) {
      // A queue-mode client that does not answer has gone to sleep.
      if (error instanceof TimeoutError) this.#registrar.asleep(reg);
      throw error;
    }
  }

  #coapOptions(o: DmOptions): CoapRequestOptions {
    return {
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(o.confirmable !== undefined ? { confirmable: o.confirmable } : {}),
      ...(o.blockSize !== undefined ? { blockSize: o.blockSize } : {}),
    };
  }

  #request(reg: Registration, coap: CoapEndpoint, request: CoapRequest, o: DmOptions): Promise<IncomingResponse> {
    return coap.request(reg.address, request, this.#coapOptions(o));
  }

  /** Read (LwM2M Core 1.1.1 6.3.1 / 5.4.1): GET with Accept; 2.05 with the values. */
  read(endpoint: string, path: PathLike, options: FormatOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      const format = options.format ?? defaultFormat(reg);
      const request = dmRequest(CoapCode.GET, prefixedRoot(reg.rootPath, prefix), p, { accept: format });
      return async (r, coap) => {
        const what = `Read ${describeTarget(p, prefix)} on '${r.endpoint}'`;
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CONTENT, what);
        const { format: f, records } = decodeValues(res, p, this.#definitions(r), what, prefix);
        return { code: res.code, format: f, records, payload: res.payload };
      };
    });
  }

  #encode(reg: Registration, records: readonly LwM2mRecord[], basePath: LwM2mPath, format: number, prefix?: string): Uint8Array {
    const payload = encode(records, { format, basePath, definitions: this.#definitions(reg) });
    // An IoT device's SenML names carry its prefix (LwM2M Gateway TS 1.1 section 9).
    return prefix === undefined ? payload : prefixSenmlNames(payload, format, prefix);
  }

  /**
   * Write (LwM2M Core 1.1.1 6.3.3): replace (PUT) or partial update (POST, `partial: true`) of an
   * object instance or resource; 2.04.
   */
  write(endpoint: string, path: PathLike, content: WriteContent, options: WriteOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      if (p.depth < 2) throw new ValueError(`Write needs an object instance, resource or resource instance path, not ${p.toString()}`);
      const format = options.format ?? defaultFormat(reg);
      const payload = this.#encode(reg, toRecords(p, content), p, format, prefix);
      const request = dmRequest(options.partial === true ? CoapCode.POST : CoapCode.PUT, prefixedRoot(reg.rootPath, prefix), p, { contentFormat: format }, payload);
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CHANGED, `Write ${describeTarget(p, prefix)} on '${r.endpoint}'`);
        return bareResult(res);
      };
    });
  }

  /** Write of one resource instance (LwM2M Core 1.1.1 6.3.3 on /o/i/r/ri): PUT; 2.04. */
  async writeResourceInstance(endpoint: string, path: PathLike, value: ResourceValue, options: FormatOptions = {}): Promise<DmResult> {
    const { path: p, prefix } = prefixedTarget(path, options.prefix);
    if (p.depth !== 4) throw new ValueError(`${p.toString()} is not a resource instance path`);
    return this.write(endpoint, p, value, prefix === undefined ? options : { ...options, prefix });
  }

  /** Execute (LwM2M Core 1.1.1 6.3.5): POST on a resource with optional arguments; 2.04. */
  execute(endpoint: string, path: PathLike, args?: string | readonly ExecuteArgument[], options: DmOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      if (p.depth !== 3) throw new ValueError(`Execute needs a resource path, not ${p.toString()}`);
      const payload = executePayload(args);
      const request = dmRequest(CoapCode.POST, prefixedRoot(reg.rootPath, prefix), p, {}, payload.length > 0 ? payload : undefined);
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CHANGED, `Execute ${describeTarget(p, prefix)} on '${r.endpoint}'`);
        return bareResult(res);
      };
    });
  }

  /** The smallest instance id the registration does not list for object `oid`. */
  #freeInstance(reg: Registration, oid: number): number {
    const used = new Set(reg.objects.find((o) => o.id === oid)?.instances ?? []);
    let id = 0;
    while (used.has(id)) id++;
    return id;
  }

  /**
   * Create (LwM2M Core 1.1.1 6.3.6): POST on an object with the new instance's resources; 2.01, the
   * new instance in `location`. `content` is relative to the new instance (or records at its paths).
   * Without `instanceId`, TLV lets the client pick the id; other formats take the next free one.
   * An instance without resources always goes as TLV (only TLV can carry its id); asking for
   * another format then throws ValueError.
   */
  create(endpoint: string, path: PathLike, content: WriteContent, options: CreateOptions = {}): Promise<CreateResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      if (p.depth !== 1) throw new ValueError(`Create needs an object path, not ${p.toString()}`);
      let format = options.format ?? defaultFormat(reg);
      let payload: Uint8Array;
      const isTlv = (f: number): boolean => f === ContentFormat.TLV || f === ContentFormat.TLV_LEGACY;
      if ((Array.isArray(content) ? content : toRecords(p.child(0), content)).length === 0) {
        // An instance without resources: a SenML Pack holds one or more records (RFC 8428 section 2)
        // and LwM2M CBOR has no empty instance either, so only TLV can carry the new instance id
        // (an Object Instance TLV of length 0, LwM2M Core 1.1.1 7.4.3).
        if (options.format !== undefined && !isTlv(options.format)) {
          throw new ValueError(`Create of an instance without resources needs TLV: content-format ${options.format} cannot carry the instance id`);
        }
        if (!isTlv(format)) format = ContentFormat.TLV;
        // Without an id: no TLV at all, the client assigns one (as for TLV creates with resources).
        payload = options.instanceId === undefined ? new Uint8Array(0) : emptyInstanceTlv(options.instanceId);
      } else if (Array.isArray(content)) {
        payload = this.#encode(reg, toRecords(p, content as readonly LwM2mRecord[]), p, format, prefix);
      } else if (options.instanceId === undefined && isTlv(format)) {
        // LwM2M 1.0 style: resource TLVs only, the client assigns the instance id.
        const placeholder = p.child(0);
        payload = this.#encode(reg, toRecords(placeholder, content), placeholder, format, prefix);
      } else {
        // A gateway's registration does not list its devices' instances: the client picks the id there.
        const base = p.child(options.instanceId ?? (prefix === undefined ? this.#freeInstance(reg, p.objectId!) : 0));
        payload = this.#encode(reg, toRecords(base, content), p, format, prefix);
      }
      const root = prefixedRoot(reg.rootPath, prefix);
      const request = dmRequest(CoapCode.POST, root, p, { contentFormat: format }, payload);
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CREATED, `Create on ${describeTarget(p, prefix)} of '${r.endpoint}'`);
        return { ...bareResult(res), location: createdLocation(res, prefixedRoot(r.rootPath, prefix)) };
      };
    });
  }

  /** Delete (LwM2M Core 1.1.1 6.3.7): DELETE of an object instance; 2.02. */
  delete(endpoint: string, path: PathLike, options: DmOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      if (p.depth < 1) throw new ValueError('Delete needs an object or object instance path');
      const request = dmRequest(CoapCode.DELETE, prefixedRoot(reg.rootPath, prefix), p);
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.DELETED, `Delete ${describeTarget(p, prefix)} on '${r.endpoint}'`);
        return bareResult(res);
      };
    });
  }

  /** Discover (LwM2M Core 1.1.1 6.3.2, 1.2 `depth`): GET with Accept link-format; 2.05 with links. */
  discover(endpoint: string, path: PathLike, options: DiscoverOptions = {}): Promise<DiscoverResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      const depth = options.depth;
      if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > 3)) throw new ValueError(`depth ${depth} is not 0..3`);
      const request = dmRequest(CoapCode.GET, prefixedRoot(reg.rootPath, prefix), p, { accept: ContentFormat.LINK, ...(depth !== undefined ? { uriQuery: [`depth=${depth}`] } : {}) });
      return async (r, coap) => {
        const what = `Discover ${describeTarget(p, prefix)} on '${r.endpoint}'`;
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CONTENT, what);
        return discoverResult(res, what);
      };
    });
  }

  /** Write-Attributes (LwM2M Core 1.1.1 6.3.4): PUT with the attributes as Uri-Query; 2.04. */
  writeAttributes(endpoint: string, path: PathLike, attributes: AttributesInput, options: DmOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      if (p.depth < 1) throw new ValueError('Write-Attributes needs an object, instance or resource path');
      const request = dmRequest(CoapCode.PUT, prefixedRoot(reg.rootPath, prefix), p, { uriQuery: attributeQuery(attributes) });
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CHANGED, `Write-Attributes ${describeTarget(p, prefix)} on '${r.endpoint}'`);
        return bareResult(res);
      };
    });
  }

  /** A composite path list; an IoT device's SenML names carry its prefix (Gateway TS 1.1 8.3.2, 9). */
  #pathList(list: readonly LwM2mPath[], pathFormat: number, prefix: string | undefined): Uint8Array {
    const payload = encodePaths(list, pathFormat);
    return prefix === undefined ? payload : prefixSenmlNames(payload, pathFormat, prefix);
  }

  #compositeFormats(reg: Registration, options: CompositeOptions): { format: number; pathFormat: number } {
    const format = options.format ?? defaultFormat(reg, true);
    if (!supportsComposite(format)) throw new ValueError(`${formatName(format)} cannot carry composite values`);
    const pathFormat = options.pathFormat ?? format;
    checkPathListFormat(pathFormat);
    return { format, pathFormat };
  }

  /** Read-Composite (LwM2M Core 1.1.1 6.3.8): FETCH / with the path list; 2.05 with the values. */
  readComposite(endpoint: string, paths: readonly PathLike[], options: CompositeOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const list = toPaths(paths);
      const { format, pathFormat } = this.#compositeFormats(reg, options);
      const prefix = options.prefix;
      const request = dmRequest(CoapCode.FETCH, prefixedRoot(reg.rootPath, prefix), ROOT, { contentFormat: pathFormat, accept: format }, this.#pathList(list, pathFormat, prefix));
      return async (r, coap) => {
        const what = `Read-Composite${prefix === undefined ? '' : ` of '${prefix}'`} on '${r.endpoint}'`;
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CONTENT, what);
        const { format: f, records } = decodeValues(res, ROOT, this.#definitions(r), what, prefix);
        return { code: res.code, format: f, records, payload: res.payload };
      };
    });
  }

  /** Write-Composite (LwM2M Core 1.1.1 6.3.9): iPATCH / with values of several paths; 2.04. */
  writeComposite(endpoint: string, content: CompositeContent, options: FormatOptions = {}): Promise<DmResult> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const format = options.format ?? defaultFormat(reg, true);
      if (!supportsComposite(format)) throw new ValueError(`${formatName(format)} cannot carry composite values`);
      const records: LwM2mRecord[] = Array.isArray(content)
        ? (content as readonly LwM2mRecord[]).slice()
        : Object.entries(content as Readonly<Record<string, ResourceValue>>).map(([k, value]) => ({ path: toPath(k), value }));
      if (records.length === 0) throw new ValueError('Write-Composite needs at least one value');
      const prefix = options.prefix;
      const request = dmRequest(CoapCode.IPATCH, prefixedRoot(reg.rootPath, prefix), ROOT, { contentFormat: format }, this.#encode(reg, records, ROOT, format, prefix));
      return async (r, coap) => {
        const res = await this.#request(r, coap, request, options);
        expectCode(res, CoapCode.CHANGED, `Write-Composite on '${r.endpoint}'`);
        return bareResult(res);
      };
    });
  }

  /**
   * Observe (LwM2M Core 1.1.1 6.4.1): GET with Observe=0. Resolves once the client answered, with
   * the current value in `initial`; iterate the result for notifications. Aborting `signal` or
   * `forget()` cancels passively (RST), `cancel()` proactively (Observe=1).
   */
  observe(endpoint: string, path: PathLike, options: ObserveOptions = {}): Promise<Observation> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const { path: p, prefix } = prefixedTarget(path, options.prefix);
      const format = options.format ?? defaultFormat(reg);
      const request = dmRequest(CoapCode.GET, prefixedRoot(reg.rootPath, prefix), p, { accept: format });
      return (r, coap) => this.#observe(r, coap, request, [p], false, { ...options, prefix });
    });
  }

  /** Observe-Composite (LwM2M Core 1.1.1 6.4.4): FETCH / with the path list and Observe=0. */
  observeComposite(endpoint: string, paths: readonly PathLike[], options: ObserveOptions = {}): Promise<Observation> {
    return this.#dispatch(endpoint, options.signal, (reg) => {
      const list = toPaths(paths);
      const { format, pathFormat } = this.#compositeFormats(reg, options);
      const prefix = options.prefix;
      const request = dmRequest(CoapCode.FETCH, prefixedRoot(reg.rootPath, prefix), ROOT, { contentFormat: pathFormat, accept: format }, this.#pathList(list, pathFormat, prefix));
      return (r, coap) => this.#observe(r, coap, request, list, true, options);
    });
  }

  async #observe(reg: Registration, coap: CoapEndpoint, request: CoapRequest, paths: LwM2mPath[], composite: boolean, options: ObserveOptions): Promise<Observation> {
    const basePath = composite ? ROOT : paths[0]!;
    const prefix = options.prefix;
    const what = `${composite ? 'Observe-Composite' : `Observe ${describeTarget(basePath, prefix)}`} on '${reg.endpoint}'`;
    const hooks: ObservationHooks = {
      decode: (response) => this.#notification(reg, response, basePath, what, prefix),
      deliver: (observation, notification) => {
        const current = this.store.get(reg.id) ?? reg;
        this.emit('notification', { registration: current, observation, notification });
      },
      ended: (observation) => {
        this.#observations.get(reg.id)?.delete(observation);
      },
    };
    const observation = new Observation(reg.endpoint, reg.id, paths, composite, hooks, options.queueLimit ?? this.#options.notificationQueueLimit ?? 64, prefix);
    const coapObs = await coap.observe(reg.address, request, {
      ...this.#coapOptions(options),
      onNotification: (response) => {
        observation.receive(response, endsObservation(response));
      },
    });
    const first = coapObs.response;
    try {
      expectCode(first, CoapCode.CONTENT, what);
    } catch (error) {
      coapObs.forget();
      throw error;
    }
    const { format, records } = decodeValues(first, basePath, this.#definitions(reg), what, prefix);
    observation.attach(coapObs, { code: first.code, format, records, payload: first.payload });
    if (!coapObs.registered || this.store.get(reg.id) === undefined) {
      // The client answered without Observe (RFC 7641 3.2), or the registration ended meanwhile.
      observation.terminate('deregistered');
      return observation;
    }
    let set = this.#observations.get(reg.id);
    if (set === undefined) {
      set = new Set();
      this.#observations.set(reg.id, set);
    }
    set.add(observation);
    // The client may have moved while the Observe was under way; from now on `moved` keeps it current.
    const now = this.store.get(reg.id);
    if (now !== undefined && !samePeer(now.address, reg.address)) observation.retarget(now.address);
    options.signal?.addEventListener(
      'abort',
      () => {
        observation.forget();
      },
      { once: true },
    );
    return observation;
  }

  #notification(reg: Registration, response: IncomingResponse, basePath: LwM2mPath, what: string, prefix: string | undefined): Notification {
    const receivedAt = this.clock.wallTime();
    try {
      const { format, records } = decodeValues(response, basePath, this.#definitions(reg), `notification of ${what}`, prefix);
      return { code: response.code, format, records, payload: response.payload, receivedAt };
    } catch (error) {
      const e = error instanceof Error ? error : new CodecError(String(error));
      return { code: response.code, format: undefined, records: [], payload: response.payload, error: e, receivedAt };
    }
  }

  /**
   * Proactively cancels the observations of `path` on `endpoint` (Observe=1); resolves with how many
   * ended. An IoT device behind a gateway is named as in `observe`: a prefixed path (`'/dev1/3/0/0'`)
   * or `{ prefix }`; an unprefixed path only matches the gateway's own observations.
   */
  async cancelObservation(endpoint: string, path: PathLike, options: { readonly prefix?: string } = {}): Promise<number> {
    const { path: p, prefix } = prefixedTarget(path, options.prefix);
    const targets = this.observations(endpoint).filter((o) => o.prefix === prefix && o.paths.length === 1 && o.paths[0]!.equals(p));
    await Promise.all(targets.map((o) => o.cancel()));
    return targets.length;
  }
}

/** An Object Instance TLV with no resources (LwM2M Core 1.1.1 7.4.3): type byte, 8- or 16-bit id, length 0. */
function emptyInstanceTlv(iid: number): Uint8Array {
  return iid > 0xff ? Uint8Array.of(0x20, iid >> 8, iid & 0xff) : Uint8Array.of(0x00, iid);
}
