import { CodecError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';

function duplicate(p: LwM2mPath, timeSeries: boolean, formatName: string | undefined): CodecError {
  if (timeSeries) return new CodecError(`${p.toString()}: two values for the same path and time`);
  return new CodecError(`${p.toString()}: two values for the same path${formatName === undefined ? '' : ` (${formatName} carries no time series)`}`);
}

function conflict(p: LwM2mPath): CodecError {
  return new CodecError(`${p.toString()}: a resource cannot hold both a value and resource instances`);
}

/** The text of a depth-4 path's parent, without building the parent path. */
function parentText(p: LwM2mPath): string {
  const s = p.toString();
  return s.slice(0, s.lastIndexOf('/'));
}

/**
 * Structural rules every payload's records follow, checked the same way on both sides so that what
 * one side encodes the other side decodes:
 * - values live at resource (depth 3) or resource-instance (depth 4) paths;
 * - every path is the request's base path or below it (LwM2M Core 7.4: a path outside the request
 *   path is a 4.00);
 * - a path holds one value, or - in formats with timestamps - one value per distinct time;
 * - a resource does not hold both a value and resource instances.
 */
export function checkRecords(records: readonly LwM2mRecord[], basePath: LwM2mPath, timeSeries: boolean, formatName?: string): void {
  prepareRecords(records, basePath, timeSeries, false, formatName);
}

/**
 * `checkRecords`, then the records in path order when `sort` is set (a stable sort: time series keep
 * their order), else as given. One pass over the path ids when the records already come in path
 * order, as they usually do.
 */
export function prepareRecords(
  records: readonly LwM2mRecord[],
  basePath: LwM2mPath,
  timeSeries: boolean,
  sort: boolean,
  formatName?: string,
): readonly LwM2mRecord[] {
  // Ids are read once into locals: path ids are frozen arrays, slower to index than numbers in hand.
  const base = basePath.ids;
  const bl = base.length;
  const b0 = base[0] ?? -1;
  const b1 = base[1] ?? -1;
  const b2 = base[2] ?? -1;
  const b3 = base[3] ?? -1;
  let sorted = true;
  let pl = 0;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let runTimes: Set<number> | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const ids = r.path.ids;
    const depth = ids.length;
    if (depth < 3) throw new CodecError(`${r.path.toString()}: a value needs a resource or resource-instance path`);
    const i0 = ids[0]!;
    const i1 = ids[1]!;
    const i2 = ids[2]!;
    const i3 = depth === 4 ? ids[3]! : -1;
    if (
      (bl > 0 && i0 !== b0) ||
      (bl > 1 && i1 !== b1) ||
      (bl > 2 && i2 !== b2) ||
      (bl > 3 && i3 !== b3)
    ) {
      throw new CodecError(`${r.path.toString()} is outside the request path ${basePath.toString()}`);
    }
    const t = r.time;
    if (t !== undefined && !Number.isFinite(t)) throw new CodecError(`${r.path.toString()}: time ${String(t)} is not finite`);
    if (i > 0 && sorted) {
      // The first differing id decides the order; a shorter path first is its parent.
      const d = p0 !== i0 ? p0 - i0 : p1 !== i1 ? p1 - i1 : p2 !== i2 ? p2 - i2 : pl === 4 && depth === 4 ? p3 - i3 : 0;
      if (d !== 0) {
        if (d > 0) sorted = false;
        runTimes = undefined;
      } else if (pl > depth) sorted = false;
      else if (pl < depth) throw conflict(records[i - 1]!.path);
      else {
        // The same path again: only a time series may do that, with distinct times.
        const pt = records[i - 1]!.time;
        if (!timeSeries || t === undefined || pt === undefined) throw duplicate(r.path, timeSeries, formatName);
        runTimes ??= new Set([pt]);
        if (runTimes.has(t)) throw duplicate(r.path, true, formatName);
        runTimes.add(t);
      }
    }
    pl = depth;
    p0 = i0;
    p1 = i1;
    p2 = i2;
    p3 = i3;
  }
  if (sorted) return records;
  checkUnsorted(records, timeSeries, formatName);
  return sort ? records.slice().sort(byPath) : records;
}

function checkUnsorted(records: readonly LwM2mRecord[], timeSeries: boolean, formatName: string | undefined): void {
  const seen = new Set<string>();
  let values3: Set<string> | undefined;
  let parents4: Set<string> | undefined;
  for (const r of records) {
    const p = r.path;
    const t = r.time;
    const key = timeSeries && t !== undefined ? `${p.toString()}@${t}` : p.toString();
    if (seen.has(key)) throw duplicate(p, timeSeries, formatName);
    seen.add(key);
    if (p.ids.length === 3) (values3 ??= new Set()).add(p.toString());
    else (parents4 ??= new Set()).add(parentText(p));
  }
  if (timeSeries) {
    // A path with an untimed value and a timed one is still one path holding two values.
    const untimed = new Set<string>();
    const timed = new Set<string>();
    for (const r of records) (r.time === undefined ? untimed : timed).add(r.path.toString());
    for (const k of untimed) if (timed.has(k)) throw new CodecError(`${k}: two values for the same path and time`);
  }
  if (values3 !== undefined && parents4 !== undefined) {
    for (const k of parents4) if (values3.has(k)) throw new CodecError(`${k}: a resource cannot hold both a value and resource instances`);
  }
}

function byPath(a: LwM2mRecord, b: LwM2mRecord): number {
  return a.path.compare(b.path);
}
