/**
 * BootstrapServer: the companion LwM2M Bootstrap-Server (LwM2M Core 1.1.1 6.1, Transport 1.1.1 6.3).
 * Client-initiated: answers `POST /bs?ep=&pct=` with 2.04, then runs the endpoint's plan against
 * the client (Bootstrap-Discover, -Delete, -Write, -Read, -Finish). Server-initiated: runs a plan
 * against a client listening at a known address. Optional DTLS with per-endpoint credentials.
 */
import { AbortedError, CodecError, LwM2mStatusError } from '../errors.ts';
import { buildOptions, CoapCode, contentFormat, type CoapEndpoint, type CoapRequest, type CoapResponse, type IncomingRequest, type IncomingResponse } from '../coap/index.ts';
import { ContentFormat, decodeBootstrapDiscoverLinks, encode, formatName, type Link } from '../codec/index.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { Peer } from '../transport/transport.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { planFor, type BootstrapConfig, type BootstrapPlan } from './bootstrap-config.ts';
import { decodeValues, dmRequest, expectCode } from './dm.ts';
import { ServerEmitter } from './emitter.ts';
import { Listeners, type ListenerOptions } from './listeners.ts';
import type { ListenerKind } from './registration.ts';
import { SecurityRegistry, type EndpointCredentials } from './security.ts';

export interface BootstrapServerOptions extends ListenerOptions {
  /** The plans: a parsed configuration, or a function of the endpoint name. */
  readonly config?: BootstrapConfig | ((endpoint: string) => BootstrapPlan | undefined);
  /** Per-endpoint DTLS credentials (the DTLS listener's PSK and RPK lookups). */
  readonly security?: SecurityRegistry | Iterable<readonly [string, EndpointCredentials]>;
}

/** What one bootstrap sequence did. */
export interface BootstrapResult {
  readonly endpoint: string;
  readonly address: Peer;
  readonly listener: ListenerKind;
  /** Content format of the Bootstrap-Writes. */
  readonly format: number;
  /** Links of the Bootstrap-Discover, when the plan asked for one. */
  readonly discovered: readonly Link[] | undefined;
  /** Values of the Bootstrap-Reads, by path. */
  readonly read: ReadonlyMap<string, readonly LwM2mRecord[]>;
  /** Operations done, e.g. "DELETE /", "WRITE /0/1", "FINISH". */
  readonly steps: readonly string[];
}

export interface BootstrapServerEvents {
  /** A Bootstrap-Request was accepted. */
  request: { endpoint: string; address: Peer; listener: ListenerKind; preferredFormat: number | undefined };
  finished: { result: BootstrapResult };
  /** A step failed (error response, timeout, or a new Bootstrap-Request replacing the session). */
  failed: { endpoint: string; address: Peer; step: string; error: Error };
  error: Error;
}

/** Formats a Bootstrap-Write can use (they carry object instances). */
const WRITE_FORMATS: readonly number[] = [ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR, ContentFormat.OMA_JSON];

/**
 * The links of a Bootstrap-Discover response (LwM2M Core 1.1.1 5.2.7.3), also in the pre-1.1.1
 * form whose payload starts with a bare `lwm2m="1.0"` attribute (LwM2M 1.0.x / 1.1 clients).
 */
function discoveredLinks(res: IncomingResponse, what: string): Link[] {
  const declared = contentFormat(res.options);
  if (declared !== undefined && declared !== ContentFormat.LINK) {
    throw new CodecError(`${what}: expected application/link-format, the client answered ${formatName(declared)}`);
  }
  try {
    return decodeBootstrapDiscoverLinks(res.payload);
  } catch (error) {
    throw new CodecError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

export class BootstrapServer extends ServerEmitter<BootstrapServerEvents> {
  readonly clock: Clock;
  readonly security: SecurityRegistry;
  #listeners!: Listeners;
  #plans: (endpoint: string) => BootstrapPlan | undefined;
  #sessions = new Map<string, AbortController>();
  #closed = false;

  private constructor(options: BootstrapServerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.security = options.security instanceof SecurityRegistry ? options.security : new SecurityRegistry(options.security);
    const config = options.config;
    this.#plans = config === undefined ? () => undefined : typeof config === 'function' ? config : (ep) => planFor(config, ep);
  }

  /** Binds the listeners. Throws TransportError when a port is taken. */
  static async start(options: BootstrapServerOptions = {}): Promise<BootstrapServer> {
    const server = new BootstrapServer(options);
    server.#listeners = await Listeners.open(options, server.security, () => undefined);
    for (const [kind, coap] of [['udp', server.#listeners.plain], ['dtls', server.#listeners.secure]] as const) {
      if (coap === undefined) continue;
      coap.on('error', (error) => {
        server.emit('error', error);
      });
      coap.onRequest((request) => server.#handle(kind, request));
    }
    return server;
  }

  get local(): Peer {
    return this.#listeners.plain.local;
  }

  get secureLocal(): Peer | undefined {
    return this.#listeners.secure?.local;
  }

  /** Endpoints with a bootstrap sequence running. */
  get activeSessions(): string[] {
    return [...this.#sessions.keys()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#sessions.values()) c.abort(new AbortedError('bootstrap server closed'));
    this.#sessions.clear();
    await this.#listeners.close();
  }

  #handle(kind: ListenerKind, request: IncomingRequest): CoapResponse {
    if (request.path.length !== 1 || request.path[0] !== 'bs') return { code: CoapCode.NOT_FOUND };
    if (request.method !== CoapCode.POST) return { code: CoapCode.METHOD_NOT_ALLOWED };
    return this.#bootstrapRequest(kind, request);
  }

  /**
   * Bootstrap-Request (LwM2M Core 1.1.1 5.2.7.1, Transport 6.3): `ep` is mandatory, `pct` an
   * optional preferred content format. 4.00 for a bad or unknown endpoint, 4.15 for a `pct` the
   * server cannot write with, 4.03 when DTLS credentials do not belong to the endpoint.
   */
  #bootstrapRequest(kind: ListenerKind, request: IncomingRequest): CoapResponse {
    const params = new Map<string, string | undefined>();
    for (const q of request.query) {
      const eq = q.indexOf('=');
      const name = eq < 0 ? q : q.slice(0, eq);
      if (params.has(name)) throw new LwM2mStatusError(CoapCode.BAD_REQUEST, `query parameter '${name}' given twice`);
      params.set(name, eq < 0 ? undefined : q.slice(eq + 1));
    }
    const endpoint = params.get('ep');
    if (endpoint === undefined || endpoint === '') throw new LwM2mStatusError(CoapCode.BAD_REQUEST, "missing the Endpoint Client Name parameter 'ep'");
    let preferred: number | undefined;
    if (params.has('pct')) {
      const text = params.get('pct') ?? '';
      if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new LwM2mStatusError(CoapCode.BAD_REQUEST, `pct=${text} is not a content format`);
      preferred = Number(text);
      if (!WRITE_FORMATS.includes(preferred) && preferred !== 1542) {
        throw new LwM2mStatusError(CoapCode.UNSUPPORTED_CONTENT_FORMAT, `cannot bootstrap with ${formatName(preferred)}`);
      }
    }
    const refusal = this.security.verify(endpoint, request.channel);
    if (refusal !== undefined) throw new LwM2mStatusError(CoapCode.FORBIDDEN, refusal);
    const plan = this.#plans(endpoint);
    if (plan === undefined) throw new LwM2mStatusError(CoapCode.BAD_REQUEST, `unknown endpoint '${endpoint}'`);
    const address = request.peer;
    queueMicrotask(() => {
      this.emit('request', { endpoint, address, listener: kind, preferredFormat: preferred });
      this.#run(endpoint, address, kind, plan, plan.format ?? (preferred === 1542 ? ContentFormat.TLV : preferred) ?? ContentFormat.TLV).catch(() => undefined);
    });
    return { code: CoapCode.CHANGED };
  }

  /**
   * Server-initiated bootstrap (LwM2M Core 1.1.1 6.1.3.2): runs `endpoint`'s plan (or `plan`)
   * against a client listening at `address`. Resolves with the result; rejects with the error of
   * the step that failed.
   */
  bootstrap(endpoint: string, address: Peer, options: { listener?: ListenerKind; plan?: BootstrapPlan; format?: number } = {}): Promise<BootstrapResult> {
    const plan = options.plan ?? this.#plans(endpoint);
    if (plan === undefined) return Promise.reject(new RangeError(`no bootstrap plan for endpoint '${endpoint}'`));
    return this.#run(endpoint, address, options.listener ?? 'udp', plan, options.format ?? plan.format ?? ContentFormat.TLV);
  }

  async #run(endpoint: string, address: Peer, kind: ListenerKind, plan: BootstrapPlan, format: number): Promise<BootstrapResult> {
    if (this.#closed) throw new AbortedError('bootstrap server closed');
    // A new Bootstrap-Request from the endpoint replaces a sequence still running.
    this.#sessions.get(endpoint)?.abort(new AbortedError('replaced by a new bootstrap sequence'));
    const controller = new AbortController();
    this.#sessions.set(endpoint, controller);
    const coap = this.#listeners.endpoint(kind);
    const definitions = ObjectCatalogue.builtin(plan.version);
    const steps: string[] = [];
    const read = new Map<string, LwM2mRecord[]>();
    let discovered: Link[] | undefined;
    let step = '';
    const send = (request: CoapRequest): Promise<IncomingResponse> => coap.request(address, request, { signal: controller.signal });
    try {
      if (plan.discover !== undefined) {
        step = `DISCOVER ${plan.discover.toString()}`;
        const res = await send(dmRequest(CoapCode.GET, '', plan.discover, { accept: ContentFormat.LINK }));
        const what = `Bootstrap-Discover on '${endpoint}'`;
        expectCode(res, CoapCode.CONTENT, what);
        discovered = discoveredLinks(res, what);
        steps.push(step);
      }
      for (const path of plan.deletes) {
        step = `DELETE ${path.toString()}`;
        expectCode(await send(dmRequest(CoapCode.DELETE, '', path)), CoapCode.DELETED, `Bootstrap-Delete ${path.toString()} on '${endpoint}'`);
        steps.push(step);
      }
      for (const w of plan.writes) {
        step = `WRITE ${w.path.toString()}`;
        const payload = encode(w.records, { format, basePath: w.path, definitions });
        expectCode(await send(dmRequest(CoapCode.PUT, '', w.path, { contentFormat: format }, payload)), CoapCode.CHANGED, `Bootstrap-Write ${w.path.toString()} on '${endpoint}'`);
        steps.push(step);
      }
      // Bootstrap-Read is LwM2M 1.1 (5.2.7.2): a client whose Discover says 1.0 would answer 4.00.
      const enabler = discovered?.find((l) => l.target === '/')?.attributes.get('lwm2m');
      const readable = enabler === undefined || enabler !== '1.0';
      for (const path of plan.reads) {
        if (!readable) {
          steps.push(`SKIP READ ${path.toString()} (LwM2M 1.0 client)`);
          continue;
        }
        step = `READ ${path.toString()}`;
        const what = `Bootstrap-Read ${path.toString()} on '${endpoint}'`;
        const res = await send(dmRequest(CoapCode.GET, '', path, { accept: format }));
        expectCode(res, CoapCode.CONTENT, what);
        read.set(path.toString(), decodeValues(res, path, definitions, what).records);
        steps.push(step);
      }
      step = 'FINISH';
      // Bootstrap-Finish (5.2.7.6): 4.06 Not Acceptable when the client finds its configuration inconsistent.
      expectCode(await send({ code: CoapCode.POST, options: buildOptions({ uriPath: '/bs' }) }), CoapCode.CHANGED, `Bootstrap-Finish on '${endpoint}'`);
      steps.push(step);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      if (this.#sessions.get(endpoint) === controller) this.#sessions.delete(endpoint);
      queueMicrotask(() => {
        this.emit('failed', { endpoint, address, step, error: e });
      });
      throw e;
    }
    if (this.#sessions.get(endpoint) === controller) this.#sessions.delete(endpoint);
    const result: BootstrapResult = { endpoint, address, listener: kind, format, discovered, read, steps };
    queueMicrotask(() => {
      this.emit('finished', { result });
    });
    return result;
  }

  /** The CoAP endpoint of a listener (diagnostics). */
  coapEndpoint(kind: ListenerKind = 'udp'): CoapEndpoint {
    return this.#listeners.endpoint(kind);
  }
}

