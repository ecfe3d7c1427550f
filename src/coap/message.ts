/**
 * CoAP message model (RFC 7252 3): types, codes, option numbers and the message shape shared by
 * the codec, the message layer and the endpoint. This module knows nothing of LwM2M.
 */
import { LwM2mError } from '../errors.ts';

/** Message types (RFC 7252 3). */
export const CoapType = { CON: 0, NON: 1, ACK: 2, RST: 3 } as const;
export type CoapType = (typeof CoapType)[keyof typeof CoapType];

/** Builds a code number from its class and detail, e.g. `coapCode(4, 4)` is 4.04 (0x84). */
export function coapCode(cls: number, detail: number): number {
  return (cls << 5) | detail;
}

/**
 * Method and response codes as `class << 5 | detail` (RFC 7252 12.1, RFC 7959 2.9, RFC 8132 for
 * FETCH/PATCH/iPATCH and 4.09/4.22, RFC 8516 for 4.29).
 */
export const CoapCode = {
  EMPTY: 0x00,
  GET: 0x01,
  POST: 0x02,
  PUT: 0x03,
  DELETE: 0x04,
  FETCH: 0x05,
  PATCH: 0x06,
  IPATCH: 0x07,
  CREATED: 0x41,
  DELETED: 0x42,
  VALID: 0x43,
  CHANGED: 0x44,
  CONTENT: 0x45,
  CONTINUE: 0x5f,
  BAD_REQUEST: 0x80,
  UNAUTHORIZED: 0x81,
  BAD_OPTION: 0x82,
  FORBIDDEN: 0x83,
  NOT_FOUND: 0x84,
  METHOD_NOT_ALLOWED: 0x85,
  NOT_ACCEPTABLE: 0x86,
  REQUEST_ENTITY_INCOMPLETE: 0x88,
  CONFLICT: 0x89,
  PRECONDITION_FAILED: 0x8c,
  REQUEST_ENTITY_TOO_LARGE: 0x8d,
  UNSUPPORTED_CONTENT_FORMAT: 0x8f,
  UNPROCESSABLE_ENTITY: 0x96,
  TOO_MANY_REQUESTS: 0x9d,
  INTERNAL_SERVER_ERROR: 0xa0,
  NOT_IMPLEMENTED: 0xa1,
  BAD_GATEWAY: 0xa2,
  SERVICE_UNAVAILABLE: 0xa3,
  GATEWAY_TIMEOUT: 0xa4,
  PROXYING_NOT_SUPPORTED: 0xa5,
} as const;
export type CoapCode = (typeof CoapCode)[keyof typeof CoapCode];

/** Option numbers (RFC 7252 5.10, RFC 7641, RFC 7959, RFC 8613, RFC 8768, RFC 7967, RFC 9175, RFC 9177). */
export const CoapOption = {
  IF_MATCH: 1,
  URI_HOST: 3,
  ETAG: 4,
  IF_NONE_MATCH: 5,
  OBSERVE: 6,
  URI_PORT: 7,
  LOCATION_PATH: 8,
  OSCORE: 9,
  URI_PATH: 11,
  CONTENT_FORMAT: 12,
  MAX_AGE: 14,
  URI_QUERY: 15,
  HOP_LIMIT: 16,
  ACCEPT: 17,
  Q_BLOCK1: 19,
  LOCATION_QUERY: 20,
  BLOCK2: 23,
  BLOCK1: 27,
  SIZE2: 28,
  Q_BLOCK2: 31,
  PROXY_URI: 35,
  PROXY_SCHEME: 39,
  SIZE1: 60,
  ECHO: 252,
  NO_RESPONSE: 258,
  REQUEST_TAG: 292,
} as const;
export type CoapOption = (typeof CoapOption)[keyof typeof CoapOption];

/** One option instance: its number and raw value bytes. */
export interface CoapOptionEntry {
  readonly number: number;
  readonly value: Uint8Array;
}

/**
 * A CoAP message (RFC 7252 3). `options` are in ascending number order (parse guarantees it;
 * serialize sorts stably when they are not). Byte arrays returned by `parse` view the datagram.
 */
export interface CoapMessage {
  readonly type: CoapType;
  /** class << 5 | detail, e.g. 0x45 for 2.05. */
  readonly code: number;
  /** 0..65535. */
  readonly messageId: number;
  /** 0..8 bytes. */
  readonly token: Uint8Array;
  readonly options: readonly CoapOptionEntry[];
  readonly payload: Uint8Array;
}

/** A message built by the application, before the endpoint assigns type/ID/token. */
export interface CoapRequest {
  /** Method code (CoapCode.GET ...). */
  readonly code: number;
  readonly options?: readonly CoapOptionEntry[];
  readonly payload?: Uint8Array;
  /** Normally chosen by the endpoint; set it to re-register an observation with the same token. */
  readonly token?: Uint8Array;
}

/** A response as a request handler returns it (RFC 7252 5.2). */
export interface CoapResponse {
  readonly code: number;
  readonly options?: readonly CoapOptionEntry[];
  readonly payload?: Uint8Array;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);
export const NO_OPTIONS: readonly CoapOptionEntry[] = Object.freeze([]);

/** The code's class: 0 request/empty, 2 success, 4 client error, 5 server error (RFC 7252 3). */
export function codeClass(c: number): number {
  return c >> 5;
}

/** True for method codes 0.01..0.31. */
export function isRequestCode(c: number): boolean {
  return c >= 1 && c <= 31;
}

/** True for response codes 2.00..5.31. */
export function isResponseCode(c: number): boolean {
  return c >= 0x40 && c <= 0xbf;
}

/** True for 2.xx. */
export function isSuccessCode(c: number): boolean {
  return c >> 5 === 2;
}

/** Formats a code as "c.dd" (e.g. "2.05"). */
export function formatCode(c: number): string {
  return `${c >> 5}.${String(c & 0x1f).padStart(2, '0')}`;
}

const METHOD_NAMES: Readonly<Record<number, string>> = { 1: 'GET', 2: 'POST', 3: 'PUT', 4: 'DELETE', 5: 'FETCH', 6: 'PATCH', 7: 'iPATCH' };
const TYPE_NAMES = ['CON', 'NON', 'ACK', 'RST'] as const;

/** A short human description of a message, for logs and the demo: "CON GET mid=0x7d34 tok=20 /temperature". */
export function describeMessage(msg: CoapMessage): string {
  const parts: string[] = [TYPE_NAMES[msg.type]];
  parts.push(msg.code === 0 ? 'EMPTY' : (METHOD_NAMES[msg.code] ?? formatCode(msg.code)));
  parts.push(`mid=0x${msg.messageId.toString(16).padStart(4, '0')}`);
  if (msg.token.length > 0) parts.push(`tok=${Buffer.from(msg.token).toString('hex')}`);
  const path: string[] = [];
  const dec = new TextDecoder();
  for (const o of msg.options) if (o.number === CoapOption.URI_PATH) path.push(dec.decode(o.value));
  if (path.length > 0) parts.push('/' + path.join('/'));
  if (msg.payload.length > 0) parts.push(`${msg.payload.length}B`);
  return parts.join(' ');
}

/** A message that cannot be serialized (programming error in the caller: bad field range). */
export class CoapEncodeError extends LwM2mError {
  constructor(message: string) {
    super('COAP_ENCODE', message);
  }
}
