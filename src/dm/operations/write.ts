/**
 * Write (LwM2M Core 1.1.1 6.3.3; 1.0.2 5.4.3): PUT replaces an object instance (optional writable
 * resources left out of the payload lose their data), a
 * resource or (1.1) a resource instance; POST updates an object instance partially, or (1.1) adds
 * or updates instances of a multiple resource. The whole payload is decoded and checked - and every
 * validate callback run - before anything is stored: a bad payload (4.00), a read-only resource
 * (4.05) or a rejected value leaves the registry untouched. Opaque resources receive the seed's
 * block context; a Block1 transfer to an Opaque resource with a post-write callback is delivered
 * block by block without reassembly (firmware images).
 */
import { CoapCode, type CoapResponse } from '../../coap/message.ts';
import { decodeDetailed } from '../../codec/codec.ts';
import { ContentFormat } from '../../codec/content-format.ts';
import { MethodNotAllowedError, NotFoundError, UnsupportedFormatError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { AclBit } from '../access-control.ts';
import type { BlockContext, Registry } from '../registry.ts';
import { CHANGED, finishWrite, planWrites, sourceOf, wholeBlock, type OpContext } from './common.ts';
import { formatTarget } from './read.ts';

/** Write on an instance, resource or resource instance; `mode` is PUT's replace or POST's partial update. */
export function write(op: OpContext, mode: 'replace' | 'partial'): CoapResponse | Promise<CoapResponse> {
  const { dm, path, request, reader } = op;
  const reg = dm.registry;
  if (path.depth < 2) throw new MethodNotAllowedError('Write needs an object instance, resource or resource instance path');
  const [oid, iid, rid] = path.ids as [number, number, number | undefined];
  const def = reg.definition(oid);
  if (def === undefined || !reg.hasInstance(oid, iid)) throw new NotFoundError(`${path.ancestor(2).toString()} does not exist`);
  if (rid !== undefined) {
    const rdef = def.resources.get(rid);
    if (rdef === undefined) throw new NotFoundError(`${path.toString()}: object ${oid} has no resource ${rid}`);
    if (rdef.type === 'none' || !rdef.operations.includes('W')) throw new MethodNotAllowedError(`${path.toString()} (${rdef.name}) is not writable`);
    if (path.depth === 4 && !rdef.multiple) throw new NotFoundError(`${path.toString()}: resource ${rid} has a single instance`);
    if (mode === 'partial' && path.depth === 3 && !rdef.multiple) throw new MethodNotAllowedError(`${path.toString()}: a partial update needs an instance or a multiple resource`);
  }
  if (reader.ssid !== undefined && !reader.bootstrap) dm.acl.check(reader.ssid, oid, iid, AclBit.WRITE);
  const target = formatTarget(dm, path);
  const format = dm.formats.requestFormat(request.contentFormat, target);
  if (request.block1 !== undefined) return streamedBlock(op, format);
  const { records, emptyResources } = decodeDetailed(request.payload, { format, basePath: path, definitions: reg.definitions });
  const writes = planWrites(dm, records, {
    multipleMode: mode === 'replace' && path.depth <= 3 ? 'replace' : 'merge',
    checkWritable: true,
    emptyResources,
  });
  const single = writes.length === 1 && writes[0]!.value !== undefined ? writes[0]!.value : undefined;
  const block = target.type === 'opaque' && single !== undefined ? wholeBlock(single) : undefined;
  const result = reg.commitWrites(writes, { source: sourceOf(reader), ssid: reader.bootstrap ? undefined : reader.ssid, block });
  if (mode === 'replace' && path.depth === 2) dropUnwritten(op, new Set(writes.map((w) => w.rid)));
  return finishWrite(result, CHANGED);
}

/**
 * Replace on an object instance: optional writable resources the payload left out no longer hold
 * data (the instance is replaced by the payload). Mandatory ones, application-owned data and values
 * served by read callbacks stay.
 */
function dropUnwritten(op: OpContext, written: ReadonlySet<number>): void {
  const reg = op.dm.registry;
  const [oid, iid] = op.path.ids as [number, number];
  const def = reg.definition(oid)!;
  for (const [rid, rdef] of def.resources) {
    if (written.has(rid) || rdef.mandatory || rdef.type === 'none' || !rdef.operations.includes('W')) continue;
    const rpath = op.path.child(rid);
    if (reg.get(rpath) === undefined || reg.isReadOnlyData(rpath)) continue;
    reg.deleteResourceData(oid, iid, rid);
  }
}

/**
 * One block of a streamed Block1 write to an Opaque resource: the validate and post-write callbacks
 * get the block's bytes and its context; nothing is stored (the application keeps the image).
 */
function streamedBlock(op: OpContext, format: number): CoapResponse | Promise<CoapResponse> {
  const { dm, path, request, reader } = op;
  if (format !== ContentFormat.OPAQUE) throw new UnsupportedFormatError('a block-wise write is delivered block by block only as application/octet-stream', { format });
  const b = request.block1!;
  const block: BlockContext = { offset: b.offset, last: !b.more, totalSize: b.totalSize };
  const [oid, iid, rid] = path.ids as [number, number, number];
  const write = path.depth === 4
    ? { oid, iid, rid, instances: new Map([[path.ids[3]!, request.payload]]), mode: 'merge' as const }
    : { oid, iid, rid, value: request.payload, mode: 'replace' as const };
  const result = dm.registry.commitWrites([write], { source: sourceOf(reader), ssid: reader.bootstrap ? undefined : reader.ssid, block, store: false });
  return finishWrite(result, CHANGED);
}

/**
 * Whether a Block1 transfer should reach the handler block by block (the endpoint's `block1Stream`
 * hook): a PUT/POST with Content-Format opaque to an Opaque resource that has a post-write callback.
 */
export function wantsBlockStream(registry: Registry, method: number, pathSegments: readonly string[], contentFormat: number | undefined): boolean {
  if ((method !== CoapCode.POST && method !== CoapCode.PUT) || contentFormat !== ContentFormat.OPAQUE) return false;
  if (pathSegments.length < 3 || pathSegments.length > 4) return false;
  let path: LwM2mPath;
  try {
    path = LwM2mPath.fromSegments(pathSegments);
  } catch {
    return false;
  }
  const rdef = registry.resourceDefinition(path.ids[0]!, path.ids[2]!);
  return rdef?.type === 'opaque' && registry.postWriteCallback(path) !== undefined;
}
