/**
 * Request dispatch (LwM2M Core 1.1.1 section 6.3 / 6.4 and Table "Operation to CoAP method"; 1.0.2
 * section 8.2.4): CoAP method, Uri-Path, Uri-Query, Accept and Content-Format pick the operation.
 *
 * From an LwM2M Server: GET (Accept link-format: Discover; else Read, with Observe=0 Observe), PUT
 * (query only: Write-Attributes; else Write replace), POST (object: Create; instance: Write partial
 * update; executable resource: Execute; 1.1 multiple resource: partial update), DELETE (Delete),
 * and in 1.1 FETCH / (Read-Composite, Observe-Composite) and iPATCH / (Write-Composite). The
 * Security object answers 4.01 to every one of them.
 *
 * From the bootstrap server: PUT (Bootstrap-Write), GET (link-format: Bootstrap-Discover; else
 * 1.1 Bootstrap-Read), DELETE (Bootstrap-Delete), POST /bs (Bootstrap-Finish).
 */
import { CoapCode, type CoapResponse } from '../coap/message.ts';
import { ContentFormat } from '../codec/content-format.ts';
import type { IncomingRequest } from '../coap/incoming.ts';
import { CodecError, MethodNotAllowedError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { LwM2mPath } from '../model/path.ts';
import type { Reader } from './read-records.ts';
import { writeAttributes } from './operations/attributes.ts';
import { bootstrapDelete, bootstrapDiscover, bootstrapFinish, bootstrapRead, bootstrapWrite } from './operations/bootstrap.ts';
import type { DmContext, OpContext } from './operations/common.ts';
import { fetchComposite, writeComposite } from './operations/composite.ts';
import { create } from './operations/create.ts';
import { deleteInstance } from './operations/delete.ts';
import { discover } from './operations/discover.ts';
import { execute } from './operations/execute.ts';
import { read } from './operations/read.ts';
import { write } from './operations/write.ts';

export interface DispatchHooks {
  /** Bootstrap-Finish was accepted (called after the response went out). */
  bootstrapFinished(): void;
}

/** Maps a request to its operation; operations throw StatusErrors for the error responses. */
export function dispatch(dm: DmContext, reader: Reader, request: IncomingRequest, hooks: DispatchHooks): CoapResponse | Promise<CoapResponse> {
  const method = request.method;
  const segments = request.path;
  if (reader.bootstrap && method === CoapCode.POST && segments.length === 1 && segments[0] === 'bs') {
    return bootstrapFinish({ dm, request, path: LwM2mPath.ROOT, reader }, () => {
      hooks.bootstrapFinished();
    });
  }
  let path: LwM2mPath;
  try {
    path = LwM2mPath.fromSegments(segments);
  } catch {
    throw new NotFoundError(`/${segments.join('/')} is not an LwM2M path`);
  }
  if (dm.version === '1.0' && path.depth === 4) throw new CodecError('LwM2M 1.0 has no resource-instance paths');
  const op: OpContext = { dm, request, path, reader };
  if (reader.bootstrap) return bootstrapOperation(op);
  if (path.objectId === 0) throw new UnauthorizedError('the Security object is not accessible to an LwM2M Server');
  switch (method) {
    case CoapCode.GET:
      return request.accept === ContentFormat.LINK ? discover(op) : read(op);
    case CoapCode.PUT:
      if (request.query.length > 0 && request.payload.length === 0 && request.contentFormat === undefined) return writeAttributes(op);
      return write(op, 'replace');
    case CoapCode.POST:
      return post(op);
    case CoapCode.DELETE:
      return deleteInstance(op);
    case CoapCode.FETCH:
      if (dm.version === '1.0') break;
      return fetchComposite(op);
    case CoapCode.IPATCH:
      if (dm.version === '1.0') break;
      return writeComposite(op);
  }
  throw new MethodNotAllowedError(`method ${method} is not an LwM2M ${dm.version} operation`);
}

function post(op: OpContext): CoapResponse | Promise<CoapResponse> {
  const { dm, path } = op;
  switch (path.depth) {
    case 1:
      return create(op);
    case 2:
      return write(op, 'partial');
    case 3: {
      const rdef = dm.registry.resourceDefinition(path.ids[0]!, path.ids[2]!);
      if (rdef === undefined) throw new NotFoundError(`${path.toString()} does not exist`);
      if (rdef.type === 'none') return execute(op);
      if (dm.version !== '1.0' && rdef.multiple) return write(op, 'partial');
      throw new MethodNotAllowedError(`${path.toString()} (${rdef.name}) is not executable`);
    }
    default:
      throw new MethodNotAllowedError(`POST on ${path.toString()} is not an LwM2M operation`);
  }
}

function bootstrapOperation(op: OpContext): CoapResponse | Promise<CoapResponse> {
  switch (op.request.method) {
    case CoapCode.PUT:
      return bootstrapWrite(op);
    case CoapCode.GET:
      return op.request.accept === ContentFormat.LINK ? bootstrapDiscover(op) : bootstrapRead(op);
    case CoapCode.DELETE:
      return bootstrapDelete(op);
  }
  throw new MethodNotAllowedError(`method ${op.request.method} is not a Bootstrap interface operation`);
}
