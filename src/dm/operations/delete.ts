/**
 * Delete (LwM2M Core 1.1.1 6.3.7; 1.0.2 5.4.7): DELETE on an object instance. The Security and
 * Server objects are the bootstrap server's (4.01 / 4.05), the Device instance stays (4.05).
 * The instance's Access Control instance and notification attributes go with it.
 */
import type { CoapResponse } from '../../coap/message.ts';
import { MethodNotAllowedError, NotFoundError } from '../../errors.ts';
import { AclBit } from '../access-control.ts';
import { DELETED, sourceOf, type OpContext } from './common.ts';

const SERVER_OBJECT = 1;
const DEVICE_OBJECT = 3;

export function deleteInstance(op: OpContext): CoapResponse {
  const { dm, path, reader } = op;
  const reg = dm.registry;
  if (path.depth !== 2) throw new MethodNotAllowedError('Delete needs an object instance path');
  const [oid, iid] = path.ids as [number, number];
  if (reg.definition(oid) === undefined || !reg.hasInstance(oid, iid)) throw new NotFoundError(`${path.toString()} does not exist`);
  const ssid = reader.bootstrap ? undefined : reader.ssid;
  if (ssid !== undefined) {
    if (oid === SERVER_OBJECT || oid === DEVICE_OBJECT) throw new MethodNotAllowedError(`${path.toString()} cannot be deleted by an LwM2M Server`);
    dm.acl.check(ssid, oid, iid, AclBit.DELETE);
  }
  const source = sourceOf(reader);
  reg.deleteInstance(oid, iid, { source, ssid });
  dm.acl.instanceDeleted(oid, iid, source, ssid);
  dm.attributes.removeBelow(path);
  return DELETED;
}
