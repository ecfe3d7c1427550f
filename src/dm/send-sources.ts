/**
 * Values that only a Send carries (LwM2M Core 1.1.1 6.4.4 Send): some resources have no Read
 * operation yet are meant for the Send payload - e.g. Event Log LogDataIncremental (/20/x/4016,
 * registry object 20 v2.1), which a server that tries Read or Observe gets 4.05 for. An object
 * registers a SendSource for such a resource path; when a Send lists exactly that path, the engine
 * asks the source for the value to send to that server instead of reading the registry, and tells
 * it once the server acknowledged the Send. Read, Observe and Discover never see these values.
 */
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import { AclBit, type AccessControl } from './access-control.ts';
import type { Registry } from './registry.ts';

/** Supplies the value of one resource (or resource instance) for Sends. */
export interface SendSource {
  /** The value to send to server `ssid` now; undefined leaves the path out of this Send. */
  value(ssid: number, path: LwM2mPath): ResourceValue | undefined;
  /** Server `ssid` acknowledged a Send that carried `value` (the very object `value()` returned). */
  delivered?(ssid: number, path: LwM2mPath, value: ResourceValue): void;
}

/** One supplied value of a Send being built. */
export interface SuppliedValue {
  readonly path: LwM2mPath;
  readonly value: ResourceValue;
  readonly source: SendSource;
}

/** The registered sources of one engine, by path string. */
export class SendSources {
  readonly #byPath = new Map<string, SendSource>();

  get size(): number {
    return this.#byPath.size;
  }

  /** Registers the source of `path`, a resource or resource-instance path (replacing any other). */
  set(path: LwM2mPath, source: SendSource): void {
    if (path.depth < 3) throw new TypeError(`a Send source belongs to a resource, not ${path.toString()}`);
    this.#byPath.set(path.toString(), source);
  }

  /** Removes the source of `path` if it is still `source`. */
  remove(path: LwM2mPath, source: SendSource): void {
    const key = path.toString();
    if (this.#byPath.get(key) === source) this.#byPath.delete(key);
  }

  /**
   * Splits the paths of a Send: those with a source give their value for server `ssid` (when the
   * instance exists and the server may read it, as for any Send), the rest are read as usual.
   */
  take(paths: readonly LwM2mPath[], ssid: number, registry: Registry, acl: AccessControl): { supplied: SuppliedValue[]; rest: LwM2mPath[] } {
    const supplied: SuppliedValue[] = [];
    const rest: LwM2mPath[] = [];
    for (const path of paths) {
      const source = this.#byPath.get(path.toString());
      if (source === undefined) {
        rest.push(path);
        continue;
      }
      const [oid, iid] = path.ids as [number, number];
      if (!registry.hasInstance(oid, iid) || !acl.allows(ssid, oid, iid, AclBit.READ)) continue;
      const value = source.value(ssid, path);
      if (value !== undefined) supplied.push({ path, value, source });
    }
    return { supplied, rest };
  }
}

/** Records read from the registry plus supplied values, in path order (the read order kept within a path). */
export function mergeSupplied(records: readonly LwM2mRecord[], supplied: readonly SuppliedValue[]): LwM2mRecord[] {
  if (supplied.length === 0) return records.slice();
  const all: LwM2mRecord[] = records.concat(supplied.map((s) => ({ path: s.path, value: s.value })));
  return all.sort((a, b) => a.path.compare(b.path));
}
