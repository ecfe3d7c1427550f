/**
 * Write-Attributes (LwM2M Core 1.1.1 6.3.4; 1.0.2 5.4.4): PUT with the attributes in Uri-Query and
 * no payload, on an object, instance, resource or (1.1) resource instance. `?pmin` without a value
 * removes the attribute. Attributes belong to the requesting server; an invalid combination (see
 * `checkAttributes`) answers 4.00 and changes nothing. Observations of that server are rescheduled.
 */
import type { CoapResponse } from '../../coap/message.ts';
import { CodecError, MethodNotAllowedError, NotFoundError } from '../../errors.ts';
import { AclBit } from '../access-control.ts';
import { applyAttributeUpdate, checkAttributes, parseAttributeQuery } from '../attributes.ts';
import { CHANGED, type OpContext } from './common.ts';

export function writeAttributes(op: OpContext): CoapResponse {
  const { dm, path, request, reader } = op;
  const reg = dm.registry;
  const ssid = reader.ssid;
  if (ssid === undefined || reader.bootstrap) throw new MethodNotAllowedError('Write-Attributes is an LwM2M Server operation');
  if (path.depth === 0) throw new CodecError('Write-Attributes needs an object, instance, resource or resource-instance path');
  const [oid, iid, rid, riid] = path.ids;
  const def = reg.definition(oid!);
  if (def === undefined || !reg.isSupported(oid!)) throw new NotFoundError(`object ${oid!} is not supported`);
  if (iid !== undefined && !reg.hasInstance(oid!, iid)) throw new NotFoundError(`${path.ancestor(2).toString()} does not exist`);
  const rdef = rid === undefined ? undefined : def.resources.get(rid);
  if (rid !== undefined && (rdef === undefined || !reg.hasResource(oid!, iid!, rid))) throw new NotFoundError(`${path.ancestor(3).toString()} does not exist`);
  if (riid !== undefined && !reg.resourceInstanceIds(oid!, iid!, rid!).includes(riid)) throw new NotFoundError(`${path.toString()} does not exist`);
  if (iid !== undefined) dm.acl.check(ssid, oid!, iid, AclBit.READ);
  const update = parseAttributeQuery(request.query, dm.version);
  const merged = applyAttributeUpdate(dm.attributes.get(ssid, path), update);
  checkAttributes(merged, path, rdef);
  dm.attributes.set(ssid, path, merged);
  dm.observations().refresh(ssid);
  return CHANGED;
}
