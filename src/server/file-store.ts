/**
 * A RegistrationStore kept in a JSON file, so a restarted server still knows its clients: their
 * Updates (`POST /rd/{id}`) keep working instead of being answered 4.04 and forcing every device to
 * register again (LwM2M Core 1.1.1 6.2.2). Registrations live in memory as with
 * InMemoryRegistrationStore; each change schedules one write of the whole file (coalesced, written to
 * a temporary file and renamed over the old one, so a crash leaves the old or the new file).
 *
 * Expiry times are monotonic clock readings in memory and wall-clock times in the file; a
 * registration whose time passed while the server was down is dropped by the server when it starts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { formatLinks } from '../codec/link-format.ts';
import { LwM2mError } from '../errors.ts';
import { LWM2M_VERSIONS, type Lwm2mVersion } from '../model/objects/index.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { parseObjectLinks, type ClientIdentity, type Registration } from './registration.ts';
import { InMemoryRegistrationStore, type RegistrationStore } from './store.ts';

/** The store file cannot be read or written, or does not hold registrations. */
export class RegistrationStoreError extends LwM2mError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }
}

const FORMAT = 'lwm2m-ts registrations';
const FORMAT_VERSION = 1;

/** One registration as the file holds it. */
interface StoredRegistration {
  id: string;
  endpoint: string;
  lifetime: number;
  version: string;
  binding: string;
  queueMode: boolean;
  smsNumber?: string;
  additionalParameters: Record<string, string>;
  /** The Register/Update payload as link-format text; objects, root path and `ct` are parsed from it again. */
  links: string;
  address: { address: string; port: number };
  listener: string;
  identity: ClientIdentity;
  registeredAt: number;
  updatedAt: number;
  /** Wall-clock ms; null for lifetime 0 (never expires). */
  expiresAtWall: number | null;
}

export interface FileRegistrationStoreOptions {
  /** Clock for converting expiry times (default: the system clock). */
  readonly clock?: Clock;
}

export class FileRegistrationStore implements RegistrationStore {
  readonly path: string;
  readonly #memory = new InMemoryRegistrationStore();
  readonly #clock: Clock;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #lastError: RegistrationStoreError | undefined;

  private constructor(path: string, clock: Clock) {
    this.path = path;
    this.#clock = clock;
  }

  /** Opens the store at `path`, loading its registrations; a missing file is an empty store. Throws RegistrationStoreError. */
  static async open(path: string, options: FileRegistrationStoreOptions = {}): Promise<FileRegistrationStore> {
    const store = new FileRegistrationStore(path, options.clock ?? systemClock);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw new RegistrationStoreError(`cannot read the registration store ${path}: ${(error as Error).message}`, { cause: error });
    }
    for (const reg of store.#parse(text)) store.#memory.add(reg);
    return store;
  }

  #parse(text: string): Registration[] {
    const fail = (why: string): never => {
      throw new RegistrationStoreError(`the registration store ${this.path} is not valid: ${why}`);
    };
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      return fail((error as Error).message);
    }
    if (!isRecord(doc) || doc.format !== FORMAT) return fail(`it is not a "${FORMAT}" file`);
    if (doc.version !== FORMAT_VERSION) return fail(`unknown version ${String(doc.version)}`);
    if (!Array.isArray(doc.registrations)) return fail('"registrations" is not a list');
    const now = this.#clock.now();
    const wall = this.#clock.wallTime();
    return doc.registrations.map((entry: unknown, i) => {
      try {
        return fromStored(entry, now, wall);
      } catch (error) {
        return fail(`registration ${i}: ${(error as Error).message}`);
      }
    });
  }

  add(registration: Registration): Registration | undefined {
    const previous = this.#memory.add(registration);
    this.#changed();
    return previous;
  }

  update(registration: Registration): boolean {
    const ok = this.#memory.update(registration);
    if (ok) this.#changed();
    return ok;
  }

  remove(id: string): Registration | undefined {
    const removed = this.#memory.remove(id);
    if (removed !== undefined) this.#changed();
    return removed;
  }

  get(id: string): Registration | undefined {
    return this.#memory.get(id);
  }

  byEndpoint(endpoint: string): Registration | undefined {
    return this.#memory.byEndpoint(endpoint);
  }

  byAddress(key: string): Registration | undefined {
    return this.#memory.byAddress(key);
  }

  all(): IterableIterator<Registration> {
    return this.#memory.all();
  }

  get size(): number {
    return this.#memory.size;
  }

  /** The last write failure, if the last write failed (the next change tries again). */
  get lastError(): RegistrationStoreError | undefined {
    return this.#lastError;
  }

  #changed(): void {
    this.#dirty = true;
    this.#writing ??= this.#writeLoop();
  }

  /** Writes until nothing changed during the write; changes in one tick become one write. */
  async #writeLoop(): Promise<void> {
    try {
      while (this.#dirty) {
        await new Promise<void>((r) => setImmediate(r));
        this.#dirty = false;
        await this.#write();
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #write(): Promise<void> {
    const now = this.#clock.now();
    const wall = this.#clock.wallTime();
    const doc = { format: FORMAT, version: FORMAT_VERSION, registrations: [...this.#memory.all()].map((r) => toStored(r, now, wall)) };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(doc, null, 1) + '\n');
      await rename(tmp, this.path);
      this.#lastError = undefined;
    } catch (error) {
      this.#lastError = new RegistrationStoreError(`cannot write the registration store ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Resolves when every change so far is in the file; rejects with the write error if the last write failed. */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (this.#lastError !== undefined) throw this.#lastError;
  }

  /** Writes what is pending (the server calls it when it closes). */
  async close(): Promise<void> {
    await this.flush();
  }
}

function toStored(r: Registration, now: number, wall: number): StoredRegistration {
  return {
    id: r.id,
    endpoint: r.endpoint,
    lifetime: r.lifetime,
    version: r.version,
    binding: r.binding,
    queueMode: r.queueMode,
    ...(r.smsNumber !== undefined ? { smsNumber: r.smsNumber } : {}),
    additionalParameters: Object.fromEntries(r.additionalParameters),
    links: formatLinks(r.links),
    address: { address: r.address.address, port: r.address.port },
    listener: r.listener,
    identity: { ...r.identity },
    registeredAt: r.registeredAt,
    updatedAt: r.updatedAt,
    expiresAtWall: r.expiresAt === Infinity ? null : Math.round(wall + (r.expiresAt - now)),
  };
}

function fromStored(entry: unknown, now: number, wall: number): Registration {
  if (!isRecord(entry)) throw new Error('not an object');
  const str = (k: string): string => {
    const v = entry[k];
    if (typeof v !== 'string') throw new Error(`"${k}" is not a string`);
    return v;
  };
  const num = (k: string): number => {
    const v = entry[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`"${k}" is not a number`);
    return v;
  };
  const version = str('version');
  if (!(LWM2M_VERSIONS as readonly string[]).includes(version)) throw new Error(`"version" ${version} is not a LwM2M version`);
  const listener = str('listener');
  if (listener !== 'udp' && listener !== 'dtls') throw new Error(`"listener" ${listener} is not udp or dtls`);
  const address = entry.address;
  if (!isRecord(address) || typeof address.address !== 'string' || typeof address.port !== 'number') throw new Error('"address" is not {address, port}');
  const additional = entry.additionalParameters;
  if (!isRecord(additional) || !Object.values(additional).every((v) => typeof v === 'string')) throw new Error('"additionalParameters" is not a map of strings');
  const identity = entry.identity;
  if (!isRecord(identity) || !Object.values(identity).every((v) => typeof v === 'string')) throw new Error('"identity" is not a map of strings');
  if (typeof entry.queueMode !== 'boolean') throw new Error('"queueMode" is not a boolean');
  const expiresAtWall = entry.expiresAtWall;
  if (expiresAtWall !== null && (typeof expiresAtWall !== 'number' || !Number.isFinite(expiresAtWall))) throw new Error('"expiresAtWall" is not a number or null');
  const smsNumber = entry.smsNumber;
  if (smsNumber !== undefined && typeof smsNumber !== 'string') throw new Error('"smsNumber" is not a string');
  const objects = parseObjectLinks(new TextEncoder().encode(str('links')), undefined);
  return {
    id: str('id'),
    endpoint: str('endpoint'),
    lifetime: num('lifetime'),
    version: version as Lwm2mVersion,
    binding: str('binding'),
    queueMode: entry.queueMode,
    ...(smsNumber !== undefined ? { smsNumber } : {}),
    additionalParameters: new Map(Object.entries(additional as Record<string, string>)),
    rootPath: objects.rootPath,
    objects: objects.objects,
    contentFormats: objects.contentFormats,
    links: objects.links,
    address: { address: address.address, port: address.port },
    listener: listener,
    identity: identity,
    registeredAt: num('registeredAt'),
    updatedAt: num('updatedAt'),
    expiresAt: expiresAtWall === null ? Infinity : now + (expiresAtWall - wall),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
