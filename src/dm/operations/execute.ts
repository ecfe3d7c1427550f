/**
 * Execute (LwM2M Core 1.1.1 6.3.5; 1.0.2 5.4.5): POST on an executable resource with optional
 * arguments (`0='x',6`). 4.05 for a resource that is not executable, 4.00 for malformed arguments,
 * 5.01 when nothing implements the resource. The response follows the callback (an async callback
 * gets a separate response).
 */
import type { CoapResponse } from '../../coap/message.ts';
import { CoapCode } from '../../coap/message.ts';
import { decodeUtf8 } from '../../codec/bytes.ts';
import { ContentFormat } from '../../codec/content-format.ts';
import { MethodNotAllowedError, NotFoundError, UnsupportedFormatError } from '../../errors.ts';
import { AclBit } from '../access-control.ts';
import { parseExecuteArguments } from '../execute-args.ts';
import { CHANGED, errorResponse, finishWrite, type OpContext } from './common.ts';

export function execute(op: OpContext): CoapResponse | Promise<CoapResponse> {
  const { dm, path, request, reader } = op;
  const reg = dm.registry;
  if (path.depth !== 3) throw new MethodNotAllowedError('Execute needs a resource path');
  const [oid, iid, rid] = path.ids as [number, number, number];
  const rdef = reg.resourceDefinition(oid, rid);
  if (rdef === undefined || !reg.hasInstance(oid, iid)) throw new NotFoundError(`${path.toString()} does not exist`);
  if (rdef.type !== 'none' || !rdef.operations.includes('E')) throw new MethodNotAllowedError(`${path.toString()} (${rdef.name}) is not executable`);
  if (!reg.hasResource(oid, iid, rid)) throw new NotFoundError(`${path.toString()} (${rdef.name}) is not present`);
  if (reader.ssid !== undefined && !reader.bootstrap) dm.acl.check(reader.ssid, oid, iid, AclBit.EXECUTE);
  const cf = request.contentFormat;
  if (cf !== undefined && cf !== ContentFormat.TEXT) throw new UnsupportedFormatError('Execute arguments are plain text', { format: cf });
  const args = parseExecuteArguments(decodeUtf8(request.payload));
  const cb = reg.executeCallback(path);
  if (cb === undefined) return errorResponse(CoapCode.NOT_IMPLEMENTED, `${path.toString()} (${rdef.name}) has no implementation`);
  const result: unknown = cb(args, { path, ssid: reader.bootstrap ? undefined : reader.ssid });
  return finishWrite(result instanceof Promise ? (result as Promise<void>) : undefined, CHANGED);
}
