/**
 * A scripted LwM2M device for the server tests, built from our CoapEndpoint and codecs only (it
 * does not use the client engine): it registers, answers Read / Write / Execute / Create / Delete /
 * Discover / Write-Attributes / Observe / composite requests in every format it declares, sends
 * notifications on `set()`, and can be told to fail with a chosen code.
 */
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import type { IncomingRequest } from '../../src/coap/incoming.ts';
import { CoapCode, type CoapResponse } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';
import { ContentFormat, decode, decodePaths, encode, encodeLinks, makeLink, registerLinks, type Link } from '../../src/codec/index.ts';
import { CodecError, UnsupportedFormatError } from '../../src/errors.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';
import type { ResourceValue } from '../../src/model/resource-type.ts';
import type { Lwm2mVersion } from '../../src/model/objects/index.ts';
import type { Peer, Transport } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';

export interface FakeDeviceOptions {
  readonly server: Peer;
  readonly endpoint: string;
  readonly version?: Lwm2mVersion;
  /** Content formats declared in `ct` (1.1+) and accepted; default: every value format. */
  readonly formats?: readonly number[];
  readonly queueMode?: boolean;
  readonly lifetime?: number;
  /** A transport to use instead of a UDP socket on 127.0.0.1 (DTLS tests). */
  readonly transport?: Transport;
  readonly coap?: CoapEndpointOptions;
  /** Declare the formats in `ct` (default true for 1.1+). */
  readonly declareFormats?: boolean;
  /** Alternate path of the objects, e.g. "/lwm2m". */
  readonly rootPath?: string;
}

export const ALL_FORMATS: readonly number[] = [
  ContentFormat.TEXT,
  ContentFormat.OPAQUE,
  ContentFormat.CBOR,
  ContentFormat.SENML_JSON,
  ContentFormat.SENML_CBOR,
  ContentFormat.TLV,
  ContentFormat.OMA_JSON,
  ContentFormat.LWM2M_CBOR,
];

interface DeviceObservation {
  readonly paths: readonly LwM2mPath[];
  readonly format: number;
  readonly composite: boolean;
  readonly handle: ServerObservation;
}

const ROOT = LwM2mPath.ROOT;

export class FakeDevice {
  readonly coap: CoapEndpoint;
  readonly endpoint: string;
  readonly version: Lwm2mVersion;
  readonly formats: readonly number[];
  readonly definitions: ObjectCatalogue;
  readonly server: Peer;
  /** Values by resource / resource instance path. */
  readonly values = new Map<string, LwM2mRecord>();
  /** Instances by object id. */
  readonly instances = new Map<number, Set<number>>();
  readonly attributes = new Map<string, string[]>();
  readonly executed: { path: string; args: string }[] = [];
  readonly requests: IncomingRequest[] = [];
  readonly observations: DeviceObservation[] = [];
  /** Answer requests on these paths (or all: '*') with this code. */
  readonly failures = new Map<string, number>();
  /** Answer requests on these paths with exactly this response. */
  readonly overrides = new Map<string, CoapResponse>();
  /** Do not answer at all (simulates a device that went away). */
  silent = false;
  location: string[] | undefined;
  #options: FakeDeviceOptions;
  #rootSegments: string[];

  private constructor(coap: CoapEndpoint, options: FakeDeviceOptions) {
    this.coap = coap;
    this.endpoint = options.endpoint;
    this.version = options.version ?? '1.1';
    this.formats = options.formats ?? ALL_FORMATS;
    this.definitions = ObjectCatalogue.builtin(this.version);
    this.server = options.server;
    this.#options = options;
    this.#rootSegments = (options.rootPath ?? '').split('/').filter((s) => s !== '');
    this.#seed();
    coap.onRequest((req) => this.#handle(req));
  }

  static async start(options: FakeDeviceOptions): Promise<FakeDevice> {
    const transport = options.transport ?? (await UdpTransport.bind({ address: '127.0.0.1' }));
    return new FakeDevice(new CoapEndpoint(transport, { separateResponseDelay: 0, ...options.coap }), options);
  }

  get local(): Peer {
    return this.coap.local;
  }

  #seed(): void {
    const d = new Date(1_700_000_000_000);
    this.put('/1/0/0', 1);
    this.put('/1/0/1', 300);
    this.put('/1/0/6', false);
    this.put('/1/0/7', 'U');
    this.put('/3/0/0', 'ACME');
    this.put('/3/0/1', 'Model 1');
    this.put('/3/0/3', '1.0.0');
    this.put('/3/0/6/0', 1);
    this.put('/3/0/6/1', 5);
    this.put('/3/0/7/0', 3800);
    this.put('/3/0/7/1', 5000);
    this.put('/3/0/9', 88);
    this.put('/3/0/11/0', 0);
    this.put('/3/0/13', d);
    this.put('/3/0/14', '+01:00');
    this.put('/3/0/16', 'U');
    this.put('/3303/0/5700', 21.5);
    this.put('/3303/0/5701', 'Cel');
    this.put('/3303/0/5750', 'room');
    this.put('/3303/1/5700', 18.25);
    this.put('/3303/1/5701', 'Cel');
    this.put('/16/0/0/0', 'id-a');
    this.put('/16/0/0/1', 'id-b');
    this.put('/16/0/3', 1);
  }

  addInstance(oid: number, iid: number): void {
    let s = this.instances.get(oid);
    if (s === undefined) {
      s = new Set();
      this.instances.set(oid, s);
    }
    s.add(iid);
  }

  /** Sets a value without notifying. */
  put(path: string | LwM2mPath, value: ResourceValue): void {
    const p = typeof path === 'string' ? LwM2mPath.parse(path) : path;
    this.addInstance(p.objectId!, p.instanceId!);
    this.values.set(p.toString(), { path: p, value });
  }

  get(path: string): ResourceValue | undefined {
    return this.values.get(path)?.value;
  }

  /** Sets a value and notifies the observations that cover it. */
  async set(path: string, value: ResourceValue): Promise<void> {
    const p = LwM2mPath.parse(path);
    this.put(p, value);
    await Promise.all(
      this.observations
        .filter((o) => o.handle.active && o.paths.some((q) => p.startsWith(q) || q.startsWith(p)))
        .map((o) => o.handle.notify(this.#content(o.paths, o.format, o.composite), { confirmable: true })),
    );
  }

  #content(paths: readonly LwM2mPath[], format: number, composite: boolean): CoapResponse {
    const records = paths.flatMap((p) => this.#collect(p));
    const payload = encode(records, { format, basePath: composite ? ROOT : paths[0]!, definitions: this.definitions });
    return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: format }), payload };
  }

  #collect(path: LwM2mPath): LwM2mRecord[] {
    return [...this.values.values()].filter((r) => r.path.startsWith(path)).sort((a, b) => a.path.compare(b.path));
  }

  #exists(path: LwM2mPath): boolean {
    if (path.isRoot()) return true;
    const inst = this.instances.get(path.objectId!);
    if (inst === undefined) return false;
    if (path.depth === 1) return true;
    if (!inst.has(path.instanceId!)) return false;
    if (path.depth === 2) return true;
    if (path.depth === 3 && this.definitions.resource(path.objectId!, path.resourceId!)?.operations === 'E') return true;
    return this.#collect(path).length > 0;
  }

  // --- registration ----------------------------------------------------------------------------

  #links(): Link[] {
    const objects = [...this.instances].map(([id, set]) => ({ id, ...(id === 3 && this.version !== '1.0' ? { version: '1.1' } : {}), instances: [...set] }));
    const ct = this.version === '1.0' || this.#options.declareFormats === false ? undefined : this.formats;
    return registerLinks(objects, { ...(this.#options.rootPath !== undefined ? { rootPath: this.#options.rootPath } : {}), ...(ct !== undefined ? { contentFormats: ct } : {}) });
  }

  async register(extraQuery: readonly string[] = []): Promise<number> {
    const query = [`ep=${this.endpoint}`, `lt=${this.#options.lifetime ?? 300}`, `lwm2m=${this.version}`, `b=${this.#options.queueMode === true && this.version === '1.0' ? 'UQ' : 'U'}`];
    if (this.#options.queueMode === true && this.version !== '1.0') query.push('Q');
    const res = await this.coap.request(this.server, {
      code: CoapCode.POST,
      options: buildOptions({ uriPath: '/rd', contentFormat: ContentFormat.LINK, uriQuery: [...query, ...extraQuery] }),
      payload: encodeLinks(this.#links()),
    });
    if (res.code === CoapCode.CREATED) {
      const dec = new TextDecoder();
      this.location = res.options.filter((o) => o.number === 8).map((o) => dec.decode(o.value));
    }
    return res.code;
  }

  async update(query: readonly string[] = [], withObjects = false): Promise<number> {
    const res = await this.coap.request(this.server, {
      code: CoapCode.POST,
      options: buildOptions({ uriPath: this.location ?? [], uriQuery: query, ...(withObjects ? { contentFormat: ContentFormat.LINK } : {}) }),
      ...(withObjects ? { payload: encodeLinks(this.#links()) } : {}),
    });
    return res.code;
  }

  async deregister(): Promise<number> {
    const res = await this.coap.request(this.server, { code: CoapCode.DELETE, options: buildOptions({ uriPath: this.location ?? [] }) });
    return res.code;
  }

  /** LwM2M Send of the given paths' current values. */
  async send(paths: readonly string[], format: number = ContentFormat.SENML_CBOR): Promise<number> {
    const records = paths.flatMap((p) => this.#collect(LwM2mPath.parse(p)));
    const res = await this.coap.request(this.server, {
      code: CoapCode.POST,
      options: buildOptions({ uriPath: '/dp', contentFormat: format }),
      payload: encode(records, { format, basePath: ROOT, definitions: this.definitions }),
    });
    return res.code;
  }

  close(): Promise<void> {
    return this.coap.close();
  }

  // --- requests from the server ----------------------------------------------------------------

  #handle(req: IncomingRequest): CoapResponse | Promise<CoapResponse> {
    this.requests.push(req);
    if (this.silent) return new Promise(() => undefined);
    const segments = req.path;
    if (this.#rootSegments.some((s, i) => segments[i] !== s)) return { code: CoapCode.NOT_FOUND };
    let path: LwM2mPath;
    try {
      path = LwM2mPath.fromSegments(segments.slice(this.#rootSegments.length));
    } catch {
      return { code: CoapCode.NOT_FOUND };
    }
    const injected = this.failures.get(path.toString()) ?? this.failures.get('*');
    if (injected !== undefined) return { code: injected, payload: new TextEncoder().encode('injected failure') };
    const override = this.overrides.get(path.toString());
    if (override !== undefined) return override;
    try {
      switch (req.method) {
        case CoapCode.GET:
          return req.accept === ContentFormat.LINK ? this.#discover(req, path) : this.#read(req, path);
        case CoapCode.PUT:
          return req.payload.length === 0 && req.query.length > 0 ? this.#attributes(req, path) : this.#write(req, path, true);
        case CoapCode.POST:
          return this.#post(req, path);
        case CoapCode.DELETE:
          return this.#delete(path);
        case CoapCode.FETCH:
          return this.#fetch(req, path);
        case CoapCode.IPATCH:
          return this.#ipatch(req, path);
        default:
          return { code: CoapCode.METHOD_NOT_ALLOWED };
      }
    } catch (error) {
      if (error instanceof UnsupportedFormatError) return { code: error.coapCode };
      if (error instanceof CodecError) return { code: CoapCode.BAD_REQUEST, payload: new TextEncoder().encode(error.message) };
      throw error;
    }
  }

  #defaultFormat(path: LwM2mPath): number {
    if (this.version === '1.0') return path.depth >= 3 ? ContentFormat.TEXT : ContentFormat.TLV;
    return ContentFormat.SENML_CBOR;
  }

  #checkFormat(format: number, accept: boolean): void {
    if (!this.formats.includes(format) && format !== ContentFormat.LINK) {
      throw new UnsupportedFormatError(`format ${format} not supported`, { format, accept });
    }
  }

  #read(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (!this.#exists(path)) return { code: CoapCode.NOT_FOUND };
    const def = path.depth >= 3 ? this.definitions.resource(path.objectId!, path.resourceId!) : undefined;
    if (def?.operations === 'E') return { code: CoapCode.METHOD_NOT_ALLOWED };
    const format = req.accept ?? this.#defaultFormat(path);
    this.#checkFormat(format, true);
    const content = this.#content([path], format, false);
    if (req.observe === 0) this.observations.push({ paths: [path], format, composite: false, handle: req.acceptObservation() });
    return content;
  }

  #discover(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (!this.#exists(path) || path.depth > 3) return { code: CoapCode.NOT_FOUND };
    const depthParam = req.query.find((q) => q.startsWith('depth='));
    const maxDepth = depthParam === undefined ? 3 : path.depth + Number(depthParam.slice(6));
    const links: Link[] = [];
    const add = (p: LwM2mPath): void => {
      if (p.depth > maxDepth) return;
      const attrs: Record<string, string | number> = {};
      for (const a of this.attributes.get(p.toString()) ?? []) {
        const [k, v] = a.split('=');
        if (v !== undefined) attrs[k!] = v;
      }
      if (p.depth === 3) {
        const def = this.definitions.resource(p.objectId!, p.resourceId!);
        if (def?.multiple === true) attrs.dim = this.#collect(p).length;
      }
      links.push(makeLink(p.toString(), attrs));
    };
    add(path);
    const seen = new Set<string>([path.toString()]);
    for (const r of this.#collect(path)) {
      for (let d = path.depth + 1; d <= 3; d++) {
        const p = r.path.ancestor(d as 1 | 2 | 3);
        if (!seen.has(p.toString())) {
          seen.add(p.toString());
          add(p);
        }
      }
    }
    return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: ContentFormat.LINK }), payload: encodeLinks(links) };
  }

  #decode(req: IncomingRequest, base: LwM2mPath, newInstanceId?: number): LwM2mRecord[] {
    const format = req.contentFormat ?? ContentFormat.TEXT;
    this.#checkFormat(format, false);
    return decode(req.payload, { format, basePath: base, definitions: this.definitions, ...(newInstanceId !== undefined ? { newInstanceId } : {}) });
  }

  #writable(records: readonly LwM2mRecord[]): boolean {
    return records.every((r) => this.definitions.resource(r.path.objectId!, r.path.resourceId!)?.operations.includes('W') === true);
  }

  #write(req: IncomingRequest, path: LwM2mPath, replace: boolean): CoapResponse {
    if (path.depth < 2) return { code: CoapCode.METHOD_NOT_ALLOWED };
    if (!this.#exists(path.depth === 4 ? path.parent() : path)) return { code: CoapCode.NOT_FOUND };
    const records = this.#decode(req, path);
    if (!this.#writable(records)) return { code: CoapCode.METHOD_NOT_ALLOWED };
    if (replace && path.depth === 3) for (const r of this.#collect(path)) this.values.delete(r.path.toString());
    for (const r of records) this.put(r.path, r.value);
    return { code: CoapCode.CHANGED };
  }

  #attributes(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (!this.#exists(path)) return { code: CoapCode.NOT_FOUND };
    const current = new Map((this.attributes.get(path.toString()) ?? []).map((a) => [a.split('=')[0]!, a]));
    for (const q of req.query) {
      const name = q.split('=')[0]!;
      if (!['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'].includes(name)) return { code: CoapCode.BAD_REQUEST };
      if (q.includes('=')) current.set(name, q);
      else current.delete(name);
    }
    this.attributes.set(path.toString(), [...current.values()]);
    return { code: CoapCode.CHANGED };
  }

  #post(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (path.depth === 3) {
      const def = this.definitions.resource(path.objectId!, path.resourceId!);
      if (def?.operations === 'E') {
        if (!this.instances.get(path.objectId!)?.has(path.instanceId!)) return { code: CoapCode.NOT_FOUND };
        this.executed.push({ path: path.toString(), args: new TextDecoder().decode(req.payload) });
        return { code: CoapCode.CHANGED };
      }
      return this.#write(req, path, false);
    }
    if (path.depth === 2) return this.#write(req, path, false);
    if (path.depth === 1) {
      if (this.definitions.object(path.objectId!) === undefined) return { code: CoapCode.NOT_FOUND };
      const used = this.instances.get(path.objectId!) ?? new Set();
      let free = 0;
      while (used.has(free)) free++;
      const records = this.#decode(req, path, free);
      const iids = new Set(records.map((r) => r.path.instanceId!));
      if (iids.size > 1) return { code: CoapCode.BAD_REQUEST };
      const iid = iids.size === 0 ? free : [...iids][0]!;
      if (used.has(iid)) return { code: CoapCode.BAD_REQUEST, payload: new TextEncoder().encode('instance exists') };
      this.addInstance(path.objectId!, iid);
      for (const r of records) this.put(r.path, r.value);
      return { code: CoapCode.CREATED, options: buildOptions({ locationPath: [...this.#rootSegments, String(path.objectId), String(iid)] }) };
    }
    return { code: CoapCode.METHOD_NOT_ALLOWED };
  }

  #delete(path: LwM2mPath): CoapResponse {
    if (path.depth !== 2) return { code: CoapCode.METHOD_NOT_ALLOWED };
    if (!this.#exists(path)) return { code: CoapCode.NOT_FOUND };
    this.instances.get(path.objectId!)?.delete(path.instanceId!);
    for (const r of this.#collect(path)) this.values.delete(r.path.toString());
    return { code: CoapCode.DELETED };
  }

  #fetch(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (!path.isRoot()) return { code: CoapCode.METHOD_NOT_ALLOWED };
    const pathFormat = req.contentFormat ?? ContentFormat.SENML_CBOR;
    this.#checkFormat(pathFormat, false);
    const paths = decodePaths(req.payload, pathFormat);
    const format = req.accept ?? pathFormat;
    this.#checkFormat(format, true);
    const content = this.#content(paths.filter((p) => this.#exists(p)), format, true);
    if (req.observe === 0) this.observations.push({ paths, format, composite: true, handle: req.acceptObservation() });
    return content;
  }

  #ipatch(req: IncomingRequest, path: LwM2mPath): CoapResponse {
    if (!path.isRoot()) return { code: CoapCode.METHOD_NOT_ALLOWED };
    const records = this.#decode(req, ROOT);
    if (!this.#writable(records)) return { code: CoapCode.METHOD_NOT_ALLOWED };
    for (const r of records) if (!this.#exists(r.path.ancestor(2))) return { code: CoapCode.NOT_FOUND };
    for (const r of records) this.put(r.path, r.value);
    return { code: CoapCode.CHANGED };
  }
}
