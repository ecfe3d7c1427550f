/**
 * Optional persistence of the bootstrapped configuration: the Security, Server and Access Control
 * instances a bootstrap server wrote survive a restart, so a rebooted device registers without
 * bootstrapping again. The file is JSON; values keep their types (bytes, 64-bit integers, time,
 * object links). Writes go to a temporary file first and are renamed into place.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LwM2mError } from '../errors.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ResourceValue } from '../model/resource-type.ts';

/** Objects whose instances are kept: Security, Server, Access Control. */
export const PERSISTED_OBJECTS: readonly number[] = [0, 1, 2];

const FORMAT = 'lwm2m-ts/state@1';

type StoredValue =
  | { s: string }
  | { n: number }
  | { i: string }
  | { b: boolean }
  | { o: string }
  | { t: number }
  | { l: [number, number] };

interface StoredState {
  format: typeof FORMAT;
  /** Object instances present, as paths ("/0/1"): an instance may have no stored resource. */
  instances: string[];
  values: [string, StoredValue][];
}

export class PersistenceError extends LwM2mError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERSISTENCE', message, options);
  }
}

function toStored(value: ResourceValue): StoredValue {
  if (typeof value === 'string') return { s: value };
  if (typeof value === 'number') return { n: value };
  if (typeof value === 'bigint') return { i: value.toString() };
  if (typeof value === 'boolean') return { b: value };
  if (value instanceof Uint8Array) return { o: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return { t: value.getTime() };
  return { l: [value.oid, value.iid] };
}

function fromStored(stored: StoredValue): ResourceValue {
  if ('s' in stored && typeof stored.s === 'string') return stored.s;
  if ('n' in stored && typeof stored.n === 'number') return stored.n;
  if ('i' in stored && typeof stored.i === 'string' && /^-?[0-9]+$/.test(stored.i)) return BigInt(stored.i);
  if ('b' in stored && typeof stored.b === 'boolean') return stored.b;
  if ('o' in stored && typeof stored.o === 'string') return new Uint8Array(Buffer.from(stored.o, 'base64'));
  if ('t' in stored && typeof stored.t === 'number') return new Date(stored.t);
  if ('l' in stored) {
    const link: unknown = stored.l;
    if (Array.isArray(link) && link.length === 2 && typeof link[0] === 'number' && typeof link[1] === 'number') {
      return { oid: link[0], iid: link[1] };
    }
  }
  throw new PersistenceError(`unreadable stored value ${JSON.stringify(stored)}`);
}

export interface PersistedState {
  /** Object instance paths (depth 2). */
  readonly instances: readonly LwM2mPath[];
  readonly records: readonly LwM2mRecord[];
}

/** Serializes the state; only objects 0, 1 and 2 are kept. */
export function serializeState(state: PersistedState): string {
  const keep = (p: LwM2mPath): boolean => PERSISTED_OBJECTS.includes(p.objectId ?? -1);
  const stored: StoredState = {
    format: FORMAT,
    instances: state.instances.filter(keep).map(String),
    values: state.records.filter((r) => keep(r.path)).map((r) => [r.path.toString(), toStored(r.value)]),
  };
  return JSON.stringify(stored, null, 1);
}

export function parseState(text: string): PersistedState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PersistenceError(`state file is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== FORMAT) {
    throw new PersistenceError(`state file is not in the ${FORMAT} format`);
  }
  const s = raw as { instances?: unknown; values?: unknown };
  if (!Array.isArray(s.instances) || !Array.isArray(s.values)) throw new PersistenceError('state file lacks instances or values');
  const instanceTexts: unknown[] = s.instances;
  const valueEntries: unknown[] = s.values;
  try {
    const instances = instanceTexts.map((p) => {
      const path = LwM2mPath.parse(String(p));
      if (!path.isObjectInstance()) throw new PersistenceError(`'${String(p)}' is not an object instance path`);
      return path;
    });
    const records = valueEntries.map((entry) => {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[1] !== 'object' || entry[1] === null) {
        throw new PersistenceError(`bad value entry ${JSON.stringify(entry)}`);
      }
      return { path: LwM2mPath.parse(String(entry[0])), value: fromStored(entry[1] as StoredValue) };
    });
    return { instances, records };
  } catch (error) {
    if (error instanceof PersistenceError) throw error;
    throw new PersistenceError(`bad state file: ${(error as Error).message}`, { cause: error });
  }
}

/** Loads a state file; undefined when it does not exist. */
export async function loadState(file: string): Promise<PersistedState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PersistenceError(`cannot read state file ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseState(text);
}

export async function saveState(file: string, state: PersistedState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, serializeState(state), { mode: 0o600 });
    await rename(tmp, file);
  } catch (error) {
    throw new PersistenceError(`cannot write state file ${file}: ${(error as Error).message}`, { cause: error });
  }
}
