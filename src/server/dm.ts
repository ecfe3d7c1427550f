/**
 * The Device Management and Information Reporting interfaces as CoAP requests (LwM2M Transport
 * 1.1.1 6.5, 6.6; Core 1.1.1 6.3, 6.4): pure builders of requests and readers of responses, so that
 * the server only sends and waits.
 */
import { CodecError, RequestRejectedError } from '../errors.ts';
import { buildOptions, CoapOption, contentFormat, formatCode, getOption, type CoapOptionsInit, type CoapRequest, type IncomingResponse } from '../coap/index.ts';
import { ContentFormat, decode, decodeLinks, formatName, type Link } from '../codec/index.ts';
import { hasSenmlNames, stripSenmlNames } from '../dm/prefix-names.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';

/** The typed result of a device-management request. */
export interface DmResult {
  /** The response code, e.g. 0x45 (2.05). */
  readonly code: number;
  /** Content format of the response payload, undefined when it had none. */
  readonly format: number | undefined;
  /** Decoded values (Read, Observe, Read-Composite); empty for the other operations. */
  readonly records: readonly LwM2mRecord[];
  /** The raw response payload. */
  readonly payload: Uint8Array;
}

/** Create's result: the new instance from Location-Path (LwM2M Core 1.1.1 6.3.6), when the client sent one. */
export interface CreateResult extends DmResult {
  readonly location: LwM2mPath | undefined;
}

/** Discover's result (Core 1.1.1 6.3.1): the links with their attributes. */
export interface DiscoverResult extends DmResult {
  readonly links: readonly Link[];
}

/** Uri-Path segments of `path` under a registration's alternate root path. */
export function uriPath(rootPath: string, path: LwM2mPath): string[] {
  const root = rootPath === '' ? [] : rootPath.split('/').filter((s) => s !== '');
  return [...root, ...path.segments()];
}

/** Builds a request on `path` under `rootPath`. */
export function dmRequest(code: number, rootPath: string, path: LwM2mPath, init: Omit<CoapOptionsInit, 'uriPath'> = {}, payload?: Uint8Array): CoapRequest {
  return { code, options: buildOptions({ ...init, uriPath: uriPath(rootPath, path) }), ...(payload !== undefined ? { payload } : {}) };
}

/** Short names of response codes for messages. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  0x41: 'Created',
  0x42: 'Deleted',
  0x43: 'Valid',
  0x44: 'Changed',
  0x45: 'Content',
  0x5f: 'Continue',
  0x80: 'Bad Request',
  0x81: 'Unauthorized',
  0x82: 'Bad Option',
  0x83: 'Forbidden',
  0x84: 'Not Found',
  0x85: 'Method Not Allowed',
  0x86: 'Not Acceptable',
  0x88: 'Request Entity Incomplete',
  0x89: 'Conflict',
  0x8c: 'Precondition Failed',
  0x8d: 'Request Entity Too Large',
  0x8f: 'Unsupported Content-Format',
  0xa0: 'Internal Server Error',
  0xa1: 'Not Implemented',
  0xa3: 'Service Unavailable',
};

/** "4.04 Not Found". */
export function describeCode(code: number): string {
  const name = CODE_NAMES[code];
  return name === undefined ? formatCode(code) : `${formatCode(code)} ${name}`;
}

/**
 * Throws RequestRejectedError (with the code and the diagnostic payload) unless the response code is
 * the operation's success code (Transport 1.1.1 6.5, Table: the success code of each operation).
 */
export function expectCode(response: IncomingResponse, success: number, what: string): void {
  if (response.code === success) return;
  let detail = '';
  if (response.payload.length > 0 && response.payload.length <= 256) {
    const text = Buffer.from(response.payload).toString('utf8');
    if (/^[\x20-\x7e]*$/.test(text)) detail = `: ${text}`;
  }
  throw new RequestRejectedError(response.code, `${what} failed with ${describeCode(response.code)}${detail}`, { payload: response.payload });
}

/** The response's content format (absent with a payload means text/plain, Transport 1.1.1 6.5). */
export function responseFormat(response: IncomingResponse): number | undefined {
  const f = contentFormat(response.options);
  if (f !== undefined) return f;
  return response.payload.length > 0 ? ContentFormat.TEXT : undefined;
}

/**
 * Decodes a value payload for a request on `basePath` (of the IoT device `prefix`). Objects the definitions do not know decode by
 * the payload's own types. Throws CodecError / UnsupportedFormatError (the client sent bad data).
 */
export function decodeValues(
  response: IncomingResponse,
  basePath: LwM2mPath,
  definitions: DefinitionLookup,
  what: string,
  prefix?: string,
): { format: number | undefined; records: LwM2mRecord[] } {
  const format = responseFormat(response);
  if (format === undefined) return { format, records: [] };
  try {
    // An IoT device's SenML names carry its prefix (LwM2M Gateway TS 1.1 section 9).
    const payload = prefix !== undefined && hasSenmlNames(format) ? stripSenmlNames(response.payload, format, prefix) : response.payload;
    return { format, records: decode(payload, { format, basePath, definitions, allowUnknownObjects: true }) };
  } catch (error) {
    if (error instanceof CodecError) throw new CodecError(`${what}: the client's ${formatName(format)} payload does not decode: ${error.message}`, { cause: error });
    throw error;
  }
}

/** A result without values. */
export function bareResult(response: IncomingResponse): DmResult {
  return { code: response.code, format: responseFormat(response), records: [], payload: response.payload };
}

/** Reads the Location-Path of a Create response (`/3303/1`), relative to the alternate root path. */
export function createdLocation(response: IncomingResponse, rootPath: string): LwM2mPath | undefined {
  const segments: string[] = [];
  const dec = new TextDecoder('utf-8', { fatal: true });
  try {
    for (const o of response.options) if (o.number === CoapOption.LOCATION_PATH) segments.push(dec.decode(o.value));
  } catch {
    return undefined;
  }
  const root = rootPath === '' ? [] : rootPath.split('/').filter((s) => s !== '');
  if (segments.length < root.length || root.some((s, i) => segments[i] !== s)) return undefined;
  try {
    const p = LwM2mPath.fromSegments(segments.slice(root.length));
    return p.depth === 2 ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a Discover response (application/link-format; a response without Content-Format is read
 * as link-format too). Another format or a malformed payload is a CodecError.
 */
export function discoverResult(response: IncomingResponse, what: string): DiscoverResult {
  const declared = contentFormat(response.options);
  if (declared !== undefined && declared !== ContentFormat.LINK) {
    throw new CodecError(`${what}: expected application/link-format, the client answered ${formatName(declared)}`);
  }
  const format = ContentFormat.LINK;
  let links: Link[];
  try {
    links = decodeLinks(response.payload);
  } catch (error) {
    throw new CodecError(`${what}: ${(error as Error).message}`, { cause: error });
  }
  return { code: response.code, format, records: [], payload: response.payload, links };
}

/** True when a notification ends its observation (RFC 7641 3.2: no Observe option, or an error code). */
export function endsObservation(response: IncomingResponse): boolean {
  return response.code >> 5 !== 2 || getOption(response.options, CoapOption.OBSERVE) === undefined;
}

