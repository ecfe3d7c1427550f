/**
 * Create (LwM2M Core 1.1.1 6.3.6; 1.0.2 5.4.6): POST on an object path, with the new instance's
 * resources in the payload (or none). The instance id comes from the payload (TLV object-instance
 * TLV, SenML names) or is the lowest free one. 2.01 Created with Location-Path `oid/iid`; 4.00 for
 * an existing id or a second instance of a single-instance object; the Security and Server objects
 * are created only by the bootstrap server. The new instance is reported for a registration Update.
 */
import { CoapCode, CoapOption, type CoapResponse } from '../../coap/message.ts';
import { stringOption } from '../../coap/options.ts';
import { decodeDetailed } from '../../codec/codec.ts';
import { MethodNotAllowedError, NotFoundError } from '../../errors.ts';
import { AclBit, CREATE_INSTANCE_ID } from '../access-control.ts';
import { InstanceExistsError } from '../errors.ts';
import type { ResourceWrite } from '../registry.ts';
import { planWrites, sourceOf, type OpContext } from './common.ts';

const SERVER_OBJECT = 1;

export function create(op: OpContext): CoapResponse {
  const { dm, path, request, reader } = op;
  const reg = dm.registry;
  if (path.depth !== 1) throw new MethodNotAllowedError('Create needs an object path');
  const oid = path.ids[0]!;
  const def = reg.definition(oid);
  if (def === undefined || !reg.isSupported(oid)) throw new NotFoundError(`object ${oid} is not supported`);
  const ssid = reader.bootstrap ? undefined : reader.ssid;
  if (ssid !== undefined) {
    if (oid === SERVER_OBJECT) throw new MethodNotAllowedError('LwM2M Server accounts are created by the bootstrap server');
    dm.acl.check(ssid, oid, CREATE_INSTANCE_ID, AclBit.CREATE);
  }
  const newId = reg.freeInstanceId(oid);
  let writes: ResourceWrite[] = [];
  if (request.payload.length > 0) {
    const format = dm.formats.requestFormat(request.contentFormat, { depth: 1 });
    const { records, emptyResources } = decodeDetailed(request.payload, { format, basePath: path, definitions: reg.definitions, newInstanceId: newId });
    writes = planWrites(dm, records, { multipleMode: 'replace', checkWritable: false, emptyResources });
    for (const w of writes) {
      const rdef = def.resources.get(w.rid)!;
      if (rdef.operations === '' && !reader.bootstrap) throw new MethodNotAllowedError(`/${oid}/${w.iid}/${w.rid} (${rdef.name}) is not accessible`);
    }
  }
  const iids = [...new Set(writes.map((w) => w.iid))].sort((a, b) => a - b);
  if (iids.length === 0) iids.push(newId);
  for (const iid of iids) if (reg.hasInstance(oid, iid)) throw new InstanceExistsError(`/${oid}/${iid} already exists`);
  const source = sourceOf(reader);
  const created: number[] = [];
  try {
    for (const iid of iids) {
      reg.createInstance(oid, iid, writes.filter((w) => w.iid === iid), { source, ssid });
      created.push(iid);
    }
  } catch (error) {
    for (const iid of created) reg.deleteInstance(oid, iid, { source, ssid });
    throw error;
  }
  if (ssid !== undefined) for (const iid of created) dm.acl.instanceCreated(ssid, oid, iid, source);
  const options = created.length === 1 ? [stringOption(CoapOption.LOCATION_PATH, String(oid)), stringOption(CoapOption.LOCATION_PATH, String(created[0]!))] : [];
  return { code: CoapCode.CREATED, options };
}
