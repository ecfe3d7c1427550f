/**
 * Read and Observe (LwM2M Core 1.1.1 6.3.1 Read, 6.4.1 Observe; 1.0.2 5.4.1, 5.5.1): GET on an
 * object, instance, resource or (1.1) resource instance, answered in the Accept format or the
 * version's default; with Observe=0 the same response starts an observation (RFC 7641).
 */
import type { CoapResponse } from '../../coap/message.ts';
import { encode } from '../../codec/codec.ts';
import { supportsTimestamps } from '../../codec/content-format.ts';
import { CodecError, MethodNotAllowedError, UnsupportedFormatError } from '../../errors.ts';
import type { LwM2mPath } from '../../model/path.ts';
import type { FormatTarget } from '../formats.ts';
import { ALL_CACHE, NO_CACHE, readRecords, type ReadResult } from '../read-records.ts';
import { content, type DmContext, type OpContext } from './common.ts';

/** What a payload for `path` is about, for the format checks. */
export function formatTarget(dm: DmContext, path: LwM2mPath): FormatTarget {
  if (path.depth < 3) return { depth: path.depth };
  const rdef = dm.registry.resourceDefinition(path.ids[0]!, path.ids[2]!);
  return { depth: path.depth, multiple: path.depth === 3 ? rdef?.multiple : false, type: rdef?.type };
}

/**
 * Encodes records. A value the format cannot represent (a NaN in plain text, say) answers 4.06:
 * the data exists, but not in that representation.
 */
export function encodeRecords(dm: DmContext, result: ReadResult, format: number, basePath: LwM2mPath): Uint8Array {
  try {
    return encode(result.records, { format, basePath, definitions: dm.registry.definitions, emptyResources: result.emptyResources });
  } catch (error) {
    if (error instanceof CodecError) throw new UnsupportedFormatError(`${basePath.toString()} cannot be represented in format ${format}: ${error.message}`, { format, accept: true, cause: error });
    throw error;
  }
}

/** The response format for a read of `path`, with 4.04/4.01 taking precedence over 4.06. */
function readFormat(op: OpContext): number {
  const { dm, path, request } = op;
  try {
    return dm.formats.responseFormat(request.accept, formatTarget(dm, path));
  } catch (error) {
    if (error instanceof UnsupportedFormatError) readRecords(dm, op.reader, path, { cache: NO_CACHE });
    throw error;
  }
}

/** Read (and Observe when the request carries Observe=0 from an LwM2M Server). */
export function read(op: OpContext): CoapResponse {
  const { dm, path, request } = op;
  if (path.isRoot()) throw new MethodNotAllowedError('Read needs an object, instance or resource path');
  const format = readFormat(op);
  const result = readRecords(dm, op.reader, path, {
    cache: supportsTimestamps(format) ? ALL_CACHE : NO_CACHE,
    onSkippedError: (e) => {
      dm.reportError(e);
    },
  });
  const payload = encodeRecords(dm, result, format, path);
  const ssid = op.reader.ssid;
  if (request.observe === 0 && ssid !== undefined && !op.reader.bootstrap) {
    const sink = request.acceptObservation();
    dm.observations().add({ ssid, paths: [path], composite: false, format }, sink, { payload, cacheTimes: result.cacheTimes });
  }
  return content(format, payload);
}
