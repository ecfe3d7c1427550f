/**
 * The composite operations of LwM2M 1.1 (Core 1.1.1 6.3.8 Read-Composite, 6.3.9 Write-Composite,
 * 6.4.3 Observe-Composite): FETCH / with a SenML path list reads (and with Observe=0 observes)
 * several paths at once; iPATCH / with SenML records writes several resources atomically. Reads
 * follow the partial-presence rule: paths that do not exist, are not readable or not accessible are
 * left out (4.04 only when none is readable).
 */
import type { CoapResponse } from '../../coap/message.ts';
import { decode, decodePaths } from '../../codec/codec.ts';
import { supportsTimestamps } from '../../codec/content-format.ts';
import { CodecError, NotFoundError, StatusError, UnauthorizedError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { LwM2mRecord } from '../../model/record.ts';
import { AclBit } from '../access-control.ts';
import { ALL_CACHE, NO_CACHE, readRecords, SECURITY_OBJECT, type CacheUse, type Reader, type ReadResult } from '../read-records.ts';
import { CHANGED, content, finishWrite, planWrites, sourceOf, type DmContext, type OpContext } from './common.ts';
import { encodeRecords } from './read.ts';

/**
 * The records of several paths (partial presence): paths that fail with a status are skipped;
 * records are kept once when paths overlap. Throws NotFoundError when nothing was readable.
 */
export function readComposite(dm: DmContext, reader: Reader, paths: readonly LwM2mPath[], cache: CacheUse, onError?: (e: unknown) => void): ReadResult {
  const records: LwM2mRecord[] = [];
  const seen = new Set<string>();
  let cacheTimes: Map<string, number> | undefined;
  let found = false;
  for (const p of paths) {
    let r: ReadResult;
    try {
      r = readRecords(dm, reader, p, { cache, onSkippedError: onError });
    } catch (error) {
      if (error instanceof StatusError) continue;
      throw error;
    }
    found = true;
    for (const rec of r.records) {
      const key = rec.time === undefined ? rec.path.toString() : `${rec.path.toString()}@${rec.time}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push(rec);
    }
    if (r.cacheTimes !== undefined) for (const [k, t] of r.cacheTimes) (cacheTimes ??= new Map()).set(k, t);
  }
  if (!found && paths.length > 0) throw new NotFoundError('none of the requested paths is readable');
  return { records, emptyResources: [], cacheTimes };
}

/** Read-Composite, and Observe-Composite when the request carries Observe=0. */
export function fetchComposite(op: OpContext): CoapResponse {
  const { dm, path, request, reader } = op;
  if (!path.isRoot()) throw new CodecError('Read-Composite addresses the root path');
  const reqFormat = dm.formats.compositeRequestFormat(request.contentFormat);
  const paths = decodePaths(request.payload, reqFormat);
  if (paths.length === 0) throw new CodecError('Read-Composite without any path');
  const format = dm.formats.compositeResponseFormat(request.accept, reqFormat);
  const result = readComposite(dm, reader, paths, supportsTimestamps(format) ? ALL_CACHE : NO_CACHE, (e) => {
    dm.reportError(e);
  });
  const payload = encodeRecords(dm, result, format, LwM2mPath.ROOT);
  const ssid = reader.ssid;
  if (request.observe === 0 && ssid !== undefined && !reader.bootstrap) {
    const sink = request.acceptObservation();
    dm.observations().add({ ssid, paths, composite: true, format }, sink, { payload, cacheTimes: result.cacheTimes });
  }
  return content(format, payload);
}

/** Write-Composite: every record's instance must exist and be writable by the server; all or nothing. */
export function writeComposite(op: OpContext): CoapResponse | Promise<CoapResponse> {
  const { dm, path, request, reader } = op;
  if (!path.isRoot()) throw new CodecError('Write-Composite addresses the root path');
  const format = dm.formats.compositeRequestFormat(request.contentFormat);
  const records = decode(request.payload, { format, basePath: LwM2mPath.ROOT, definitions: dm.registry.definitions });
  const ssid = reader.bootstrap ? undefined : reader.ssid;
  const checked = new Set<string>();
  for (const r of records) {
    const [oid, iid] = r.path.ids as [number, number];
    const key = `${oid}/${iid}`;
    if (checked.has(key)) continue;
    checked.add(key);
    if (oid === SECURITY_OBJECT && ssid !== undefined) throw new UnauthorizedError('the Security object is not accessible to an LwM2M Server');
    if (!dm.registry.hasInstance(oid, iid)) throw new NotFoundError(`/${oid}/${iid} does not exist`);
    if (ssid !== undefined) dm.acl.check(ssid, oid, iid, AclBit.WRITE);
  }
  const writes = planWrites(dm, records, { multipleMode: 'merge', checkWritable: true });
  const result = dm.registry.commitWrites(writes, { source: sourceOf(reader), ssid });
  return finishWrite(result, CHANGED);
}
