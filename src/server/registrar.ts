/**
 * The server side of the Registration interface (LwM2M Core 1.1.1 6.2, Transport 1.1.1 6.4) and of
 * Send (6.4.3): answers Register / Update / De-register / Send requests, keeps the store, expires
 * registrations, and tracks whether queue-mode clients are awake (6.5). The LwM2mServer owns one and
 * hears about everything through `RegistrarHooks`.
 */
import { randomFillSync } from 'node:crypto';
import { LwM2mStatusError } from '../errors.ts';
import { buildOptions, CoapCode, type CoapResponse, type IncomingRequest } from '../coap/index.ts';
import { formatName, supportsComposite } from '../codec/index.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { samePeer, type ChannelInfo, type Peer } from '../transport/transport.ts';
import type { Clock } from '../util/clock.ts';
import { ExpiryTimers } from './expiry.ts';
import { listsGatewayDevices } from './gateway.ts';
import {
  newRegistration,
  parseObjectLinks,
  parseRegisterQuery,
  parseUpdateQuery,
  updatedRegistration,
  type Arrival,
  type ListenerKind,
  type Registration,
} from './registration.ts';
import { identityOf, sameIdentity, type SecurityRegistry } from './security.ts';
import { decodeSendGroups, type SendGroup } from './send.ts';
import { addressKey, type RegistrationStore } from './store.ts';

/** What the registrar tells its owner. Events are called after the response to the client left. */
export interface RegistrarHooks {
  registered(registration: Registration, replaced: Registration | undefined): void;
  updated(registration: Registration, previous: Registration): void;
  deregistered(registration: Registration): void;
  expired(registration: Registration): void;
  /**
   * A Send was accepted: called once per sender in it, the gateway's own records with `prefix`
   * undefined, each IoT device's with its prefix (LwM2M Gateway TS 1.1 section 9).
   */
  send(registration: Registration, records: readonly LwM2mRecord[], format: number, prefix: string | undefined): void;
  /**
   * The prefixes of a Send the gateway's IoT devices do not have (after refreshing the device list
   * once if needed). Rejects when the device list cannot be read.
   */
  unknownPrefixes(registration: Registration, prefixes: readonly string[]): Promise<string[]>;
  /** A queue-mode client was heard from; `wasAsleep` when it had been asleep. Called synchronously. */
  awake(registration: Registration, wasAsleep: boolean): void;
  /**
   * The client now sends from another address (Update after a NAT rebinding, or DTLS credentials
   * from a new address): move what is bound to the old one. Synchronous, before the next datagram.
   */
  moved(registration: Registration, previous: Registration): void;
  /** A registration ended (de-registered, expired or replaced): clean up what depends on it. Synchronous. */
  ended(registration: Registration): void;
  definitions(registration: Registration): DefinitionLookup;
}

export interface RegistrarOptions {
  readonly clock: Clock;
  readonly store: RegistrationStore;
  readonly security: SecurityRegistry;
  readonly graceMs: number;
  readonly awakeMs: number;
  readonly maxPayload: number;
  readonly newId: (() => string) | undefined;
}

function quoteList(items: readonly string[]): string {
  return [...new Set(items)].map((p) => `'${p}'`).join(', ');
}

/** Random registration ids, 10 hex digits, drawn from a pool (one crypto call per 256 ids). */
const ID_POOL = Buffer.alloc(5 * 256);
let idPoolOffset = ID_POOL.length;
function randomId(): string {
  if (idPoolOffset >= ID_POOL.length) {
    randomFillSync(ID_POOL);
    idPoolOffset = 0;
  }
  const id = ID_POOL.toString('hex', idPoolOffset, idPoolOffset + 5);
  idPoolOffset += 5;
  return id;
}

export class Registrar {
  readonly #o: RegistrarOptions;
  readonly #hooks: RegistrarHooks;
  readonly #expiry: ExpiryTimers;
  readonly #newId: () => string;
  readonly #awakeUntil = new Map<string, number>();
  awakeMs: number;

  constructor(options: RegistrarOptions, hooks: RegistrarHooks) {
    this.#o = options;
    this.#hooks = hooks;
    this.awakeMs = options.awakeMs;
    this.#newId = options.newId ?? randomId;
    this.#expiry = new ExpiryTimers(options.clock, (id) => {
      this.#expire(id);
    });
  }

  /** Routes a request to /rd, /rd/{id} or /dp; anything else is 4.04. Only a Send with IoT device records answers later. */
  handle(kind: ListenerKind, request: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    const path = request.path;
    const method = request.method;
    if (path[0] === 'rd') {
      if (path.length === 1) {
        if (method !== CoapCode.POST) return { code: CoapCode.METHOD_NOT_ALLOWED };
        return this.#register(kind, request);
      }
      if (path.length === 2) {
        if (method === CoapCode.POST) return this.#update(kind, request, path[1]!);
        if (method === CoapCode.DELETE) return this.#deregister(kind, request, path[1]!);
        return { code: CoapCode.METHOD_NOT_ALLOWED };
      }
    } else if (path.length === 1 && path[0] === 'dp') {
      if (method !== CoapCode.POST) return { code: CoapCode.METHOD_NOT_ALLOWED };
      return this.#send(kind, request);
    }
    return { code: CoapCode.NOT_FOUND };
  }

  /**
   * Takes over the registrations already in the store (a persistent store after a restart): arms
   * their expiry; those whose time passed while the server was down expire on the next timer turn
   * (after `LwM2mServer.start` returned, so an 'expired' listener hears of them).
   */
  restore(): void {
    for (const reg of this.#o.store.all()) this.#expiry.set(reg.id, reg.expiresAt);
  }

  /** Stops the expiry timers. */
  close(): void {
    this.#expiry.clear();
  }

  #arrival(kind: ListenerKind, request: IncomingRequest): Arrival {
    const clock = this.#o.clock;
    return { address: request.peer, listener: kind, identity: identityOf(request.channel), now: clock.now(), wallTime: clock.wallTime() };
  }

  #checkPayloadSize(request: IncomingRequest): void {
    if (request.payload.length > this.#o.maxPayload) {
      throw new LwM2mStatusError(CoapCode.REQUEST_ENTITY_TOO_LARGE, `the object list is larger than ${this.#o.maxPayload} bytes`);
    }
  }

  #freshId(): string {
    let id = this.#newId();
    for (let tries = 1; this.#o.store.get(id) !== undefined || !/^[A-Za-z0-9_.~-]{1,64}$/.test(id); tries++) {
      if (tries >= 16) throw new Error(`the registrationId generator keeps returning ids in use or unusable ('${id}')`);
      id = this.#newId();
    }
    return id;
  }

  /** Register (LwM2M Core 1.1.1 6.2.1, Transport 6.4.1): 2.01 with Location-Path rd/{id}. */
  #register(kind: ListenerKind, request: IncomingRequest): CoapResponse {
    const params = parseRegisterQuery(request.query);
    const refusal = this.#o.security.verify(params.endpoint, request.channel);
    if (refusal !== undefined) throw new LwM2mStatusError(CoapCode.FORBIDDEN, refusal);
    this.#checkPayloadSize(request);
    const objects = parseObjectLinks(request.payload, request.contentFormat);
    const reg = newRegistration(this.#freshId(), params, objects, this.#arrival(kind, request), this.#o.graceMs);
    const replaced = this.#o.store.add(reg);
    if (replaced !== undefined) this.#ended(replaced);
    this.#expiry.set(reg.id, reg.expiresAt);
    if (reg.queueMode) this.#awakeUntil.set(reg.id, this.#o.clock.now() + this.awakeMs);
    // Events run after the response left, so listeners that send requests at once follow it.
    queueMicrotask(() => {
      this.#hooks.registered(reg, replaced);
    });
    return { code: CoapCode.CREATED, options: buildOptions({ locationPath: ['rd', reg.id] }) };
  }

  /** The registration an Update or De-register names, checked against the channel it came on. */
  #owned(kind: ListenerKind, request: IncomingRequest, id: string): Registration {
    const reg = this.#o.store.get(id);
    if (reg === undefined) throw new LwM2mStatusError(CoapCode.NOT_FOUND, `no registration /rd/${id}`);
    if (reg.listener !== kind || !sameIdentity(reg.identity, identityOf(request.channel))) {
      throw new LwM2mStatusError(CoapCode.FORBIDDEN, `registration /rd/${id} belongs to other credentials`);
    }
    return reg;
  }

  /** Update (LwM2M Core 1.1.1 6.2.2, Transport 6.4.2): 2.04; the address moves to the sender's. */
  #update(kind: ListenerKind, request: IncomingRequest, id: string): CoapResponse {
    const previous = this.#owned(kind, request, id);
    const params = parseUpdateQuery(request.query, previous.version);
    this.#checkPayloadSize(request);
    const objects = request.payload.length > 0 ? parseObjectLinks(request.payload, request.contentFormat) : undefined;
    const reg = updatedRegistration(previous, params, objects, this.#arrival(kind, request), this.#o.graceMs);
    this.#o.store.update(reg);
    if (!samePeer(reg.address, previous.address)) this.#hooks.moved(reg, previous);
    this.#expiry.set(reg.id, reg.expiresAt);
    this.#markAwake(reg);
    queueMicrotask(() => {
      this.#hooks.updated(reg, previous);
    });
    return { code: CoapCode.CHANGED };
  }

  /** De-register (LwM2M Core 1.1.1 6.2.3, Transport 6.4.3): 2.02. */
  #deregister(kind: ListenerKind, request: IncomingRequest, id: string): CoapResponse {
    const reg = this.#owned(kind, request, id);
    this.#o.store.remove(id);
    this.#ended(reg);
    queueMicrotask(() => {
      this.#hooks.deregistered(reg);
    });
    return { code: CoapCode.DELETED };
  }

  #expire(id: string): void {
    const reg = this.#o.store.get(id);
    if (reg === undefined) return;
    if (reg.expiresAt > this.#o.clock.now()) {
      this.#expiry.set(id, reg.expiresAt);
      return;
    }
    this.#o.store.remove(id);
    this.#ended(reg);
    this.#hooks.expired(reg);
  }

  #ended(reg: Registration): void {
    this.#expiry.delete(reg.id);
    this.#awakeUntil.delete(reg.id);
    this.#hooks.ended(reg);
  }

  /** The registration of the client sending from `peer` (secure channels also by their credentials). */
  #sender(kind: ListenerKind, peer: Peer, channel: ChannelInfo): Registration | undefined {
    const store = this.#o.store;
    const reg = store.byAddress(addressKey(kind, peer));
    if (reg !== undefined || !channel.secure) return reg;
    const endpoint = this.#o.security.endpointOf(channel);
    const byName = endpoint === undefined ? undefined : store.byEndpoint(endpoint);
    if (byName === undefined || byName.listener !== kind || !sameIdentity(byName.identity, identityOf(channel))) return undefined;
    // The same DTLS credentials from a new address (connection ID after a NAT rebinding).
    const moved = { ...byName, address: peer };
    store.update(moved);
    this.#hooks.moved(moved, byName);
    return moved;
  }

  /**
   * Send (LwM2M Core 1.1.1 6.4.3, Transport 6.6.3): SenML JSON/CBOR or LwM2M CBOR from a registered
   * client; 2.04. SenML names with an IoT device prefix (LwM2M Gateway TS 1.1 section 9) are accepted
   * when the sender is a gateway whose /25 lists the prefix; an unknown prefix is 4.04.
   */
  #send(kind: ListenerKind, request: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    const reg = this.#sender(kind, request.peer, request.channel);
    if (reg === undefined) throw new LwM2mStatusError(CoapCode.NOT_FOUND, 'Send from a client that is not registered');
    const format = request.contentFormat;
    if (format === undefined || !supportsComposite(format)) {
      throw new LwM2mStatusError(
        CoapCode.UNSUPPORTED_CONTENT_FORMAT,
        `Send needs SenML JSON, SenML CBOR or LwM2M CBOR, not ${format === undefined ? 'no Content-Format' : formatName(format)}`,
      );
    }
    const groups = decodeSendGroups(request.payload, { format, definitions: this.#hooks.definitions(reg), now: this.#o.clock.wallTime() / 1000 });
    this.#markAwake(reg);
    const prefixes = groups.flatMap((g) => (g.prefix === undefined ? [] : [g.prefix]));
    if (prefixes.length === 0) {
      queueMicrotask(() => {
        this.#emitSend(reg, groups, format);
      });
      return { code: CoapCode.CHANGED };
    }
    return this.#deviceSend(reg, groups, format, prefixes);
  }

  /** A Send with IoT device records: answered once the prefixes are known to be the gateway's. */
  async #deviceSend(reg: Registration, groups: readonly SendGroup[], format: number, prefixes: readonly string[]): Promise<CoapResponse> {
    let unknown: string[];
    try {
      unknown = await this.#hooks.unknownPrefixes(reg, prefixes);
    } catch (error) {
      throw new LwM2mStatusError(
        CoapCode.NOT_FOUND,
        `IoT device prefix ${quoteList(prefixes)} not known: the IoT devices of '${reg.endpoint}' could not be read (${(error as Error).message})`,
      );
    }
    if (unknown.length > 0) {
      const what = !listsGatewayDevices(reg) ? `'${reg.endpoint}' is not a gateway with IoT devices (no /25 instances)` : `the /25 of gateway '${reg.endpoint}' does not list it`;
      throw new LwM2mStatusError(CoapCode.NOT_FOUND, `unknown IoT device prefix ${quoteList(unknown)}: ${what}`);
    }
    const current = this.#o.store.get(reg.id);
    if (current === undefined) throw new LwM2mStatusError(CoapCode.NOT_FOUND, 'Send from a client that is not registered');
    // After the response left (the handler's promise settles first).
    setImmediate(() => {
      this.#emitSend(current, groups, format);
    });
    return { code: CoapCode.CHANGED };
  }

  #emitSend(reg: Registration, groups: readonly SendGroup[], format: number): void {
    for (const g of groups) this.#hooks.send(reg, g.records, format, g.prefix);
  }

  // --- Queue mode (LwM2M Core 1.1.1 6.5) --------------------------------------------------------

  /** Whether requests to the client go out now: always for clients not in queue mode. */
  isAwake(reg: Registration): boolean {
    return !reg.queueMode || (this.#awakeUntil.get(reg.id) ?? -Infinity) > this.#o.clock.now();
  }

  /** Any datagram from a registered queue-mode client wakes it. */
  heard(kind: ListenerKind, peer: Peer): void {
    const reg = this.#o.store.byAddress(addressKey(kind, peer));
    if (reg?.queueMode === true) this.#markAwake(reg);
  }

  #markAwake(reg: Registration): void {
    if (!reg.queueMode) return;
    const wasAsleep = !this.isAwake(reg);
    this.#awakeUntil.set(reg.id, this.#o.clock.now() + this.awakeMs);
    this.#hooks.awake(reg, wasAsleep);
  }

  /** The client did not answer: treat it as asleep until it is heard from. */
  asleep(reg: Registration): void {
    if (reg.queueMode) this.#awakeUntil.set(reg.id, -Infinity);
  }
}
