/**
 * Test harness for engine integration tests: an LwM2mEngine on its own CoapEndpoint over real UDP
 * on 127.0.0.1, and a raw CoAP peer (our CoapEndpoint plus the codecs) in the server's role. The
 * engine is populated like the ETS "Configuration 3" device: Security /0/0, Server /1/0 (ssid 1),
 * Device /3/0. Everything is closed when the test ends.
 */
import type { TestContext } from 'node:test';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import type { IncomingResponse } from '../../src/coap/incoming.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions, type CoapOptionsInit } from '../../src/coap/options.ts';
import type { ClientObservation } from '../../src/coap/client-observe.ts';
import { decode, decodeLinks, encode, encodePaths, linkAttributes } from '../../src/codec/index.ts';
import { LwM2mEngine, type LwM2mEngineOptions, type ServerSession } from '../../src/dm/engine.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import type { Clock } from '../../src/util/clock.ts';

export const FAST = { ackTimeout: 50, ackRandomFactor: 1, maxRetransmit: 2 };
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

export interface RequestInit {
  readonly accept?: number;
  readonly format?: number;
  readonly payload?: Uint8Array | string;
  readonly query?: string;
  readonly observe?: number;
  readonly confirmable?: boolean;
  readonly other?: CoapOptionsInit['other'];
}

/** The server side of a test: requests to the engine's endpoint, decoding helpers. */
export class Peer {
  readonly endpoint: CoapEndpoint;
  readonly engine: LwM2mEngine;
  readonly client: CoapEndpoint;
  constructor(endpoint: CoapEndpoint, engine: LwM2mEngine, client: CoapEndpoint) {
    this.endpoint = endpoint;
    this.engine = engine;
    this.client = client;
  }

  #options(path: string, init: RequestInit = {}) {
    return buildOptions({
      uriPath: path,
      accept: init.accept,
      contentFormat: init.format,
      uriQuery: init.query,
      observe: init.observe,
      other: init.other,
    });
  }

  request(method: number, path: string, init: RequestInit = {}): Promise<IncomingResponse> {
    const payload = typeof init.payload === 'string' ? text(init.payload) : init.payload;
    return this.endpoint.request(this.client.local, { code: method, options: this.#options(path, init), payload }, { confirmable: init.confirmable });
  }

  get(path: string, init?: RequestInit): Promise<IncomingResponse> {
    return this.request(CoapCode.GET, path, init);
  }
  put(path: string, init?: RequestInit): Promise<IncomingResponse> {
    return this.request(CoapCode.PUT, path, init);
  }
  post(path: string, init?: RequestInit): Promise<IncomingResponse> {
    return this.request(CoapCode.POST, path, init);
  }
  delete(path: string, init?: RequestInit): Promise<IncomingResponse> {
    return this.request(CoapCode.DELETE, path, init);
  }
  fetch(paths: readonly string[], format: number, init: RequestInit = {}): Promise<IncomingResponse> {
    return this.request(CoapCode.FETCH, '/', { ...init, format, payload: encodePaths(paths, format) });
  }
  ipatch(records: readonly LwM2mRecord[], format: number): Promise<IncomingResponse> {
    return this.request(CoapCode.IPATCH, '/', { format, payload: encode(records, { format, basePath: '/', definitions: this.engine.catalogue }) });
  }

  observe(path: string, init: RequestInit = {}): Promise<ClientObservation> {
    return this.endpoint.observe(this.client.local, { code: CoapCode.GET, options: this.#options(path, { ...init, observe: 0 }) });
  }
  observeComposite(paths: readonly string[], format: number, init: RequestInit = {}): Promise<ClientObservation> {
    return this.endpoint.observe(this.client.local, {
      code: CoapCode.FETCH,
      options: this.#options('/', { ...init, format, observe: 0 }),
      payload: encodePaths(paths, format),
    });
  }

  /** Decodes a response's records for a request on `basePath`. */
  records(res: IncomingResponse, basePath: string): LwM2mRecord[] {
    const cf = res.options.find((o) => o.number === 12);
    const format = cf === undefined ? 0 : cf.value.reduce((a, b) => a * 256 + b, 0);
    return decode(res.payload, { format, basePath, definitions: this.engine.catalogue });
  }

  /** Records as a map path -> value. */
  values(res: IncomingResponse, basePath: string): Map<string, unknown> {
    return new Map(this.records(res, basePath).map((r) => [r.path.toString(), r.value]));
  }

  /** Discover links as target -> attributes. */
  links(res: IncomingResponse): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const l of decodeLinks(res.payload)) out.set(l.target, { ...linkAttributes(l) });
    return out;
  }
}

export interface SessionState {
  reachable: boolean;
  traffic: number;
  outbound: number;
}

export interface Harness {
  readonly engine: LwM2mEngine;
  readonly client: CoapEndpoint;
  readonly server: Peer;
  readonly session: ServerSession;
  readonly state: SessionState;
}

/** Populates the ETS Configuration 3 device: Security /0/0, Server /1/0 (ssid 1), Device /3/0. */
export function populate(engine: LwM2mEngine, ssid = 1): void {
  const reg = engine.registry;
  reg.create('/0/0', { 0: 'coap://127.0.0.1:5683', 1: false, 2: 3, 3: new Uint8Array(0), 4: new Uint8Array(0), 5: new Uint8Array(0), 10: ssid });
  reg.create('/1/0', { 0: ssid, 1: 86400, 2: 1, 3: 10, 5: 86400, 6: false, 7: 'U' });
  reg.create('/3/0', {
    0: 'lwm2m-ts',
    1: 'client-1',
    2: 'serial-1',
    3: '1.2.3',
    6: [1, 5],
    7: [3800, 5000],
    8: [125, 900],
    9: 100,
    11: [0],
    13: new Date(1_700_000_000_000),
    14: '+02:00',
    16: 'U',
  });
  reg.onExecute('/3/0/4', () => undefined);
}

/** Starts an engine on a real UDP socket with a raw CoAP peer as its LwM2M Server. */
export async function startEngine(
  t: TestContext,
  options: Partial<LwM2mEngineOptions> & { clock?: Clock; populate?: boolean; ssid?: number; bootstrap?: boolean } = {},
): Promise<Harness> {
  const clock = options.clock;
  const engine = new LwM2mEngine({ version: options.version ?? '1.1', endpointName: 'ep-test', ...options });
  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), {
    params: FAST,
    clock,
    block1Stream: (r) => engine.block1Stream(r),
  });
  const serverEp = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { params: FAST });
  t.after(async () => {
    engine.close();
    await client.close();
    await serverEp.close();
  });
  if (options.populate !== false) populate(engine, options.ssid ?? 1);
  const state: SessionState = { reachable: true, traffic: 0, outbound: 0 };
  const bootstrap = options.bootstrap === true;
  const session: ServerSession = {
    ssid: bootstrap ? undefined : (options.ssid ?? 1),
    bootstrap,
    endpoint: client,
    peer: serverEp.local,
    reachable: () => state.reachable,
    traffic: () => {
      state.traffic++;
    },
    outbound: () => {
      state.outbound++;
    },
  };
  engine.attachServer(session);
  return { engine, client, server: new Peer(serverEp, engine, client), session, state };
}

/** Resolves with the next notification of an observation, or rejects after `ms`. */
export async function nextNotification(obs: ClientObservation, ms = 2000): Promise<IncomingResponse> {
  const it = obs[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no notification within ${ms} ms`));
    }, ms);
  });
  try {
    const r = await Promise.race([it.next(), timeout]);
    if (r.done === true) throw new Error(`observation ended (${String(obs.endReason)})`);
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits `ms` of real time. */
export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects notifications of an observation as they arrive. */
export function collect(obs: ClientObservation): IncomingResponse[] {
  const out: IncomingResponse[] = [];
  void (async () => {
    for await (const n of obs) out.push(n);
  })();
  return out;
}

export function codeOf(res: IncomingResponse): string {
  return `${res.code >> 5}.${String(res.code & 0x1f).padStart(2, '0')}`;
}

export { LwM2mPath };

/** Attaches a second LwM2M Server (its own socket pair) to a running engine. */
export async function addServer(t: TestContext, engine: LwM2mEngine, ssid: number, bootstrap = false): Promise<{ server: Peer; client: CoapEndpoint; state: SessionState }> {
  const client = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { params: FAST, block1Stream: (r) => engine.block1Stream(r) });
  const serverEp = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }), { params: FAST });
  t.after(async () => {
    await client.close();
    await serverEp.close();
  });
  const state: SessionState = { reachable: true, traffic: 0, outbound: 0 };
  engine.attachServer({
    ssid: bootstrap ? undefined : ssid,
    bootstrap,
    endpoint: client,
    peer: serverEp.local,
    reachable: () => state.reachable,
    traffic: () => {
      state.traffic++;
    },
    outbound: () => {
      state.outbound++;
    },
  });
  return { server: new Peer(serverEp, engine, client), client, state };
}
