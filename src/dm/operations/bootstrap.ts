/**
 * The Bootstrap interface on the client (LwM2M Core 1.1.1 6.1.7; 1.0.2 5.2.7): Bootstrap-Write
 * (PUT, creates instances as needed, ignores the access rules that bind LwM2M Servers),
 * Bootstrap-Read (1.1, GET on the Server and Access Control objects only), Bootstrap-Discover
 * (GET link-format on the root or an object, with `lwm2m`, `ver`, `ssid` and (1.1) `uri`),
 * Bootstrap-Delete (DELETE on the root, an object or an instance, sparing the Bootstrap-Server
 * account and the Device instance) and Bootstrap-Finish (POST /bs, 4.06 when the configuration is
 * not consistent).
 */
import type { CoapResponse } from '../../coap/message.ts';
import { decodeDetailed } from '../../codec/codec.ts';
import { ContentFormat, supportsTimestamps } from '../../codec/content-format.ts';
import { encodeLinks, makeLink, type Link, type LinkAttributeInput } from '../../codec/link-format.ts';
import { CodecError, MethodNotAllowedError, NotFoundError, UnauthorizedError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { ResourceValue } from '../../model/resource-type.ts';
import { ALL_CACHE, NO_CACHE, readRecords } from '../read-records.ts';
import { isInstances, type Registry, type ResourceWrite } from '../registry.ts';
import { CHANGED, content, DELETED, errorResponse, finishWrite, planWrites, type OpContext } from './common.ts';
import { encodeRecords, formatTarget } from './read.ts';

const SECURITY = 0;
const SERVER = 1;
const ACCESS_CONTROL = 2;
const DEVICE = 3;

/** Bootstrap-Write: values written whatever the resource's operations; missing instances are created. */
export function bootstrapWrite(op: OpContext): CoapResponse | Promise<CoapResponse> {
  const { dm, path, request } = op;
  const reg = dm.registry;
  if (path.depth === 0) throw new CodecError('Bootstrap-Write needs an object, instance, resource or resource-instance path');
  const oid = path.ids[0]!;
  if (reg.definition(oid) === undefined) throw new NotFoundError(`object ${oid} is not supported`);
  const format = dm.formats.requestFormat(request.contentFormat, formatTarget(dm, path));
  const { records, emptyResources } = decodeDetailed(request.payload, { format, basePath: path, definitions: reg.definitions });
  const writes = planWrites(dm, records, { multipleMode: path.depth === 4 ? 'merge' : 'replace', checkWritable: false, emptyResources });
  const byInstance = new Map<number, ResourceWrite[]>();
  for (const w of writes) {
    let list = byInstance.get(w.iid);
    if (list === undefined) byInstance.set(w.iid, (list = []));
    list.push(w);
  }
  if (path.depth >= 2 && !byInstance.has(path.ids[1]!)) byInstance.set(path.ids[1]!, []);
  const existing: ResourceWrite[] = [];
  for (const [iid, list] of byInstance) {
    if (reg.hasInstance(oid, iid)) existing.push(...list);
    else reg.createInstance(oid, iid, list, { source: 'bootstrap' });
  }
  return finishWrite(reg.commitWrites(existing, { source: 'bootstrap' }), CHANGED);
}

/** Bootstrap-Read (1.1): the Server and Access Control objects only (4.01 elsewhere). */
export function bootstrapRead(op: OpContext): CoapResponse {
  const { dm, path, request } = op;
  if (dm.version === '1.0') throw new MethodNotAllowedError('Bootstrap-Read is a LwM2M 1.1 operation');
  const oid = path.objectId;
  if (oid !== SERVER && oid !== ACCESS_CONTROL) throw new UnauthorizedError('Bootstrap-Read reaches only the Server and Access Control objects');
  const format = dm.formats.responseFormat(request.accept, formatTarget(dm, path));
  const result = readRecords(dm, op.reader, path, { cache: supportsTimestamps(format) ? ALL_CACHE : NO_CACHE });
  return content(format, encodeRecords(dm, result, format, path));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

function value(reg: Registry, oid: number, iid: number, rid: number): ResourceValue | undefined {
  const d = reg.get(LwM2mPath.of(oid, iid, rid));
  return isInstances(d) ? undefined : d;
}

function isBootstrapAccount(reg: Registry, iid: number): boolean {
  return value(reg, SECURITY, iid, 1) === true;
}

/** Bootstrap-Discover: the objects and instances, with the account attributes. */
export function bootstrapDiscover(op: OpContext): CoapResponse {
  const { dm, path } = op;
  const reg = dm.registry;
  if (path.depth > 1) throw new CodecError('Bootstrap-Discover addresses the root or an object');
  const v11 = dm.version !== '1.0';
  const links: Link[] = [makeLink('/', { lwm2m: dm.version })];
  const oids = path.depth === 0 ? reg.objectIds() : [path.ids[0]!];
  if (path.depth === 1 && reg.definition(path.ids[0]!) === undefined) throw new NotFoundError(`object ${path.ids[0]!} is not supported`);
  for (const oid of oids) {
    const def = reg.definition(oid)!;
    const iids = reg.instanceIds(oid);
    if (iids.length === 0 || def.version !== '1.0') links.push(makeLink(`/${oid}`, { ver: def.version !== '1.0' ? def.version : undefined }));
    for (const iid of iids) {
      const attrs: [string, LinkAttributeInput][] = [];
      if (oid === SECURITY) {
        if (!isBootstrapAccount(reg, iid)) attrs.push(['ssid', int(value(reg, SECURITY, iid, 10))]);
        if (v11) attrs.push(['uri', str(value(reg, SECURITY, iid, 0))]);
      } else if (oid === SERVER) attrs.push(['ssid', int(value(reg, SERVER, iid, 0))]);
      links.push(makeLink(`/${oid}/${iid}`, attrs));
    }
  }
  return content(ContentFormat.LINK, encodeLinks(links));
}

/** Bootstrap-Delete: the Bootstrap-Server account and the Device instance are kept. */
export function bootstrapDelete(op: OpContext): CoapResponse {
  const { dm, path } = op;
  const reg = dm.registry;
  if (path.depth > 2) throw new CodecError('Bootstrap-Delete addresses the root, an object or an instance');
  const targets: [number, number][] = [];
  if (path.depth === 2) {
    const [oid, iid] = path.ids as [number, number];
    if (oid === SECURITY && reg.hasInstance(oid, iid) && isBootstrapAccount(reg, iid)) throw new CodecError('the Bootstrap-Server account cannot be deleted');
    if (oid === DEVICE) throw new CodecError('the Device instance cannot be deleted');
    if (reg.hasInstance(oid, iid)) targets.push([oid, iid]);
  } else {
    const oids = path.depth === 0 ? reg.objectIds() : [path.ids[0]!];
    for (const oid of oids) {
      if (oid === DEVICE) continue;
      for (const iid of reg.instanceIds(oid)) {
        if (oid === SECURITY && isBootstrapAccount(reg, iid)) continue;
        targets.push([oid, iid]);
      }
    }
  }
  for (const [oid, iid] of targets) {
    reg.deleteInstance(oid, iid, { source: 'bootstrap' });
    dm.attributes.removeBelow(LwM2mPath.of(oid, iid));
  }
  return DELETED;
}

/**
 * Why the configuration is not usable, or undefined: every LwM2M Server account needs a Security
 * instance with URI, mode and short server id and a Server instance with the same short server
 * id, lifetime and binding; there must be at least one; short server ids are unique.
 */
export function configurationProblem(reg: Registry): string | undefined {
  const securityBySsid = new Map<number, number>();
  for (const iid of reg.instanceIds(SECURITY)) {
    if (str(value(reg, SECURITY, iid, 0)) === undefined) return `/0/${iid} has no LwM2M Server URI`;
    if (int(value(reg, SECURITY, iid, 2)) === undefined) return `/0/${iid} has no Security Mode`;
    if (isBootstrapAccount(reg, iid)) continue;
    const ssid = int(value(reg, SECURITY, iid, 10));
    if (ssid === undefined) return `/0/${iid} has no Short Server ID`;
    if (securityBySsid.has(ssid)) return `two Security instances carry Short Server ID ${ssid}`;
    securityBySsid.set(ssid, iid);
  }
  const servers = new Set<number>();
  for (const iid of reg.instanceIds(SERVER)) {
    const ssid = int(value(reg, SERVER, iid, 0));
    if (ssid === undefined) return `/1/${iid} has no Short Server ID`;
    if (servers.has(ssid)) return `two Server instances carry Short Server ID ${ssid}`;
    servers.add(ssid);
    if (int(value(reg, SERVER, iid, 1)) === undefined) return `/1/${iid} has no Lifetime`;
    if (str(value(reg, SERVER, iid, 7)) === undefined) return `/1/${iid} has no Binding`;
    if (!securityBySsid.has(ssid)) return `/1/${iid} (Short Server ID ${ssid}) has no Security instance`;
  }
  for (const [ssid, iid] of securityBySsid) if (!servers.has(ssid)) return `/0/${iid} (Short Server ID ${ssid}) has no Server instance`;
  if (servers.size === 0) return 'no LwM2M Server account is configured';
  return undefined;
}

/** Bootstrap-Finish: 2.04 when the configuration is consistent (then 'bootstrap-finish'), else 4.06. */
export function bootstrapFinish(op: OpContext, onFinished: () => void): CoapResponse {
  const problem = configurationProblem(op.dm.registry);
  if (problem !== undefined) return errorResponse(0x86, problem);
  op.dm.afterResponse(onFinished);
  return CHANGED;
}
