/**
 * The requests of the Bootstrap and Registration interfaces (LwM2M Core 6.1.3, 6.2; transport
 * binding 8.2) and how their responses are read. Pure functions: the runner sends them.
 */
import { CoapCode, CoapOption, formatCode, type CoapRequest } from '../../coap/message.ts';
import { buildOptions, getStringOptions } from '../../coap/options.ts';
import type { IncomingResponse } from '../../coap/incoming.ts';
import { ContentFormat } from '../../codec/content-format.ts';

export type LwM2mVersion = '1.0' | '1.1';

export interface RegistrationParams {
  readonly endpointName: string;
  readonly version: LwM2mVersion;
  /** Seconds. */
  readonly lifetime: number;
  /** Binding from /1/x/7 without the queue flag: "U" normally. */
  readonly binding: string;
  readonly queueMode: boolean;
  /** Link-format payload: the objects and instances (LwM2M Core 6.2.1). */
  readonly links: string;
}

const encoder = new TextEncoder();

/** The binding query value: 1.0 expresses queue mode in the binding ("UQ"), 1.1 with a separate `Q`. */
function bindingFor(params: Pick<RegistrationParams, 'binding' | 'queueMode' | 'version'>): string {
  if (params.version === '1.0' && params.queueMode && !params.binding.includes('Q')) return `${params.binding}Q`;
  return params.binding;
}

/** Register: `POST /rd?ep=..&lt=..&lwm2m=..&b=..[&Q]` with the object links (LwM2M Core 6.2.1, Table 6.2.1-1). */
export function registerRequest(params: RegistrationParams): CoapRequest {
  const query = [`ep=${params.endpointName}`, `lt=${params.lifetime}`, `lwm2m=${params.version}`, `b=${bindingFor(params)}`];
  if (params.version !== '1.0' && params.queueMode) query.push('Q');
  return {
    code: CoapCode.POST,
    options: buildOptions({ uriPath: ['rd'], uriQuery: query, contentFormat: ContentFormat.LINK }),
    payload: encoder.encode(params.links),
  };
}

export interface UpdateParts {
  readonly lifetime?: number;
  readonly binding?: string;
  /** Object links, when the objects or instances changed. */
  readonly links?: string;
}

/** Update: `POST {location}[?lt=..&b=..]` with the object links when they changed (LwM2M Core 6.2.2). */
export function updateRequest(location: string, parts: UpdateParts): CoapRequest {
  const query: string[] = [];
  if (parts.lifetime !== undefined) query.push(`lt=${parts.lifetime}`);
  if (parts.binding !== undefined) query.push(`b=${parts.binding}`);
  const withLinks = parts.links !== undefined;
  return {
    code: CoapCode.POST,
    options: buildOptions({
      uriPath: location,
      uriQuery: query,
      ...(withLinks ? { contentFormat: ContentFormat.LINK } : {}),
    }),
    ...(withLinks ? { payload: encoder.encode(parts.links) } : {}),
  };
}

/** De-register: `DELETE {location}` (LwM2M Core 6.2.3). */
export function deregisterRequest(location: string): CoapRequest {
  return { code: CoapCode.DELETE, options: buildOptions({ uriPath: location }) };
}

/** Bootstrap-Request: `POST /bs?ep=..[&pct=..]` (LwM2M Core 6.1.3; `pct` from 1.1). */
export function bootstrapRequest(endpointName: string, version: LwM2mVersion, preferredFormat?: number): CoapRequest {
  const query = [`ep=${endpointName}`];
  if (version !== '1.0' && preferredFormat !== undefined) query.push(`pct=${preferredFormat}`);
  return { code: CoapCode.POST, options: buildOptions({ uriPath: ['bs'], uriQuery: query }) };
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The registration's location from a 2.01 Created answer to Register. */
export function registerOutcome(response: IncomingResponse): Outcome<string> {
  if (response.code !== CoapCode.CREATED) return { ok: false, reason: describeCode(response.code) };
  const segments = getStringOptions(response.options, CoapOption.LOCATION_PATH);
  if (segments.length === 0) return { ok: false, reason: '2.01 without Location-Path' };
  return { ok: true, value: '/' + segments.join('/') };
}

export function updateOutcome(response: IncomingResponse): Outcome<undefined> {
  // 2.04 Changed per the spec; some servers answer 2.01.
  if (response.code === CoapCode.CHANGED || response.code === CoapCode.CREATED) return { ok: true, value: undefined };
  return { ok: false, reason: describeCode(response.code) };
}

export function deregisterOutcome(response: IncomingResponse): Outcome<undefined> {
  if (response.code === CoapCode.DELETED) return { ok: true, value: undefined };
  return { ok: false, reason: describeCode(response.code) };
}

export function bootstrapOutcome(response: IncomingResponse): Outcome<undefined> {
  if (response.code === CoapCode.CHANGED) return { ok: true, value: undefined };
  return { ok: false, reason: describeCode(response.code) };
}

const CODE_NAMES: Readonly<Record<number, string>> = {
  [CoapCode.BAD_REQUEST]: 'Bad Request',
  [CoapCode.UNAUTHORIZED]: 'Unauthorized',
  [CoapCode.FORBIDDEN]: 'Forbidden',
  [CoapCode.NOT_FOUND]: 'Not Found',
  [CoapCode.METHOD_NOT_ALLOWED]: 'Method Not Allowed',
  [CoapCode.PRECONDITION_FAILED]: 'Precondition Failed',
  [CoapCode.INTERNAL_SERVER_ERROR]: 'Internal Server Error',
};

function describeCode(code: number): string {
  const name = CODE_NAMES[code];
  return name === undefined ? formatCode(code) : `${formatCode(code)} ${name}`;
}
