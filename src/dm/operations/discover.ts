/**
 * Discover (LwM2M Core 1.1.1 6.3.2; 1.0.2 5.4.2): GET with Accept application/link-format on an
 * object, instance or resource. Lists the object, its instances and their present resources (a
 * multiple resource with `dim`, and in 1.1 its instances when the resource itself is discovered),
 * each with the attributes the requesting server set at that level; the discovered resource also
 * shows the attributes it inherits. `?depth=N` (1.1) limits how far below the path links go.
 */
import type { CoapResponse } from '../../coap/message.ts';
import { ContentFormat } from '../../codec/content-format.ts';
import { encodeLinks, makeLink, type Link, type LinkAttributeInput } from '../../codec/link-format.ts';
import { CodecError, NotFoundError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { AclBit } from '../access-control.ts';
import { attributeLinkEntries, type Attributes } from '../attributes.ts';
import { content, type OpContext } from './common.ts';

/** Reads `depth=N` from the query (1.1); other query entries are not Discover's. */
function depthParam(query: readonly string[]): number | undefined {
  let depth: number | undefined;
  for (const q of query) {
    if (!q.startsWith('depth=')) continue;
    const v = q.slice(6);
    if (!/^[0-3]$/.test(v)) throw new CodecError(`depth=${v} is not 0..3`);
    depth = Number(v);
  }
  return depth;
}

export function discover(op: OpContext): CoapResponse {
  const { dm, path, request, reader } = op;
  const reg = dm.registry;
  if (path.depth === 0 || path.depth === 4) throw new CodecError('Discover needs an object, instance or resource path');
  const oid = path.ids[0]!;
  const def = reg.definition(oid);
  if (def === undefined || !reg.isSupported(oid)) throw new NotFoundError(`object ${oid} is not supported`);
  const iid = path.instanceId;
  const rid = path.resourceId;
  if (iid !== undefined && !reg.hasInstance(oid, iid)) throw new NotFoundError(`${path.ancestor(2).toString()} does not exist`);
  if (rid !== undefined && !reg.hasResource(oid, iid!, rid)) throw new NotFoundError(`${path.toString()} does not exist`);
  const ssid = reader.bootstrap ? undefined : reader.ssid;
  if (ssid !== undefined && iid !== undefined) dm.acl.check(ssid, oid, iid, AclBit.READ);
  const v11 = dm.version !== '1.0';
  const depth = v11 ? depthParam(request.query) : undefined;
  const maxDepth = depth !== undefined ? Math.min(4, path.depth + depth) : path.depth === 3 ? (v11 ? 4 : 3) : 3;
  const own = (p: LwM2mPath): Attributes | undefined => (ssid === undefined ? undefined : dm.attributes.get(ssid, p));
  const links: Link[] = [];
  const add = (p: LwM2mPath, attrs: Attributes | undefined, dim?: number): void => {
    const entries: [string, LinkAttributeInput][] = [];
    if (dim !== undefined) entries.push(['dim', dim]);
    for (const [k, v] of attributeLinkEntries(attrs)) entries.push([k, v]);
    links.push(makeLink(p.toString(), entries));
  };
  const addResource = (i: number, r: number): void => {
    const rpath = LwM2mPath.of(oid, i, r);
    const rdef = def.resources.get(r)!;
    const riids = rdef.multiple ? reg.resourceInstanceIds(oid, i, r) : undefined;
    const attrs = rid !== undefined && ssid !== undefined ? dm.attributes.effective(ssid, rpath) : own(rpath);
    add(rpath, attrs, riids?.length);
    if (riids !== undefined && maxDepth >= 4) for (const ri of riids) add(rpath.child(ri), own(rpath.child(ri)));
  };
  const addInstance = (i: number): void => {
    const ipath = LwM2mPath.of(oid, i);
    add(ipath, own(ipath));
    if (maxDepth >= 3) for (const r of reg.presentResources(oid, i)) addResource(i, r);
  };
  if (path.depth === 1) {
    add(path, own(path));
    if (maxDepth >= 2) {
      for (const i of reg.instanceIds(oid)) {
        if (ssid !== undefined && !dm.acl.allows(ssid, oid, i, AclBit.READ)) continue;
        addInstance(i);
      }
    }
  } else if (path.depth === 2) addInstance(iid!);
  else addResource(iid!, rid!);
  return content(ContentFormat.LINK, encodeLinks(links));
}
