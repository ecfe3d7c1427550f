/**
 * The error hierarchy of lwm2m-ts. Every error carries a stable `code` string; errors that map to a
 * CoAP response carry `coapCode` (class << 5 | detail, e.g. 0x84 for 4.04).
 */

/** Formats a CoAP code number (class << 5 | detail) as "c.dd", e.g. 0x84 -> "4.04". */
export function formatCoapCode(code: number): string {
  return `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
}

export interface LwM2mErrorOptions {
  cause?: unknown;
}

export class LwM2mError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: LwM2mErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A malformed CoAP datagram (RFC 7252 3). `reason` says which rule it broke. */
export class CoapParseError extends LwM2mError {
  readonly reason: string;
  constructor(reason: string, options?: LwM2mErrorOptions) {
    super('COAP_PARSE', `malformed CoAP message: ${reason}`, options);
    this.reason = reason;
  }
}

/** Base of errors that choose a CoAP response code. */
export class StatusError extends LwM2mError {
  readonly coapCode: number;
  constructor(code: string, coapCode: number, message: string, options?: LwM2mErrorOptions) {
    super(code, message, options);
    this.coapCode = coapCode;
  }
}

/** A payload that does not decode, or decodes to values the definitions reject. Answers 4.00. */
export class CodecError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('CODEC', 0x80, message, options);
  }
}

/**
 * A value that does not fit its resource: wrong JS type for the resource type, outside the 64-bit or
 * 16-bit limits of the type, or outside the definition's range (LwM2M Core Appendix C). Thrown by the
 * application-facing API (`client.set()`, `coerceValue`); answers 4.00 if it ever reaches a peer.
 * Decoders report the same problems in wire data as `CodecError`.
 */
export class ValueError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('VALUE', 0x80, message, options);
  }
}

/**
 * An object definition that cannot be used: malformed OMA DDF XML (LWM2M.xsd), a missing or invalid
 * field, or an invalid `defineObject` spec. `objectId`/`resourceId` locate the problem when known.
 */
export class DdfError extends LwM2mError {
  readonly objectId: number | undefined;
  readonly resourceId: number | undefined;
  constructor(message: string, options?: LwM2mErrorOptions & { objectId?: number; resourceId?: number }) {
    super('DDF', message, options);
    this.objectId = options?.objectId;
    this.resourceId = options?.resourceId;
  }
}

/** A path string or path ids that are not a valid LwM2M path. Answers 4.00 where it reaches a peer. */
export class InvalidPathError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('INVALID_PATH', 0x80, message, options);
  }
}

/** 4.01 Unauthorized: access control denies the operation. */
export class UnauthorizedError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('UNAUTHORIZED', 0x81, message, options);
  }
}

/** 4.04 Not Found. */
export class NotFoundError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('NOT_FOUND', 0x84, message, options);
  }
}

/** 4.05 Method Not Allowed: the operation is not permitted on this object/resource. */
export class MethodNotAllowedError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('METHOD_NOT_ALLOWED', 0x85, message, options);
  }
}

/** An unsupported content format: 4.15 for a request payload, 4.06 for an Accept option. */
export class UnsupportedFormatError extends StatusError {
  readonly format: number | undefined;
  constructor(message: string, options?: LwM2mErrorOptions & { format?: number; accept?: boolean }) {
    super('UNSUPPORTED_FORMAT', options?.accept === true ? 0x86 : 0x8f, message, options);
    this.format = options?.format;
  }
}

/**
 * Thrown by an application callback to choose the response code, e.g.
 * `throw new LwM2mStatusError(0x80, 'value out of range')` answers 4.00.
 */
export class LwM2mStatusError extends StatusError {
  constructor(coapCode: number, message?: string, options?: LwM2mErrorOptions) {
    super('STATUS', coapCode, message ?? `status ${formatCoapCode(coapCode)}`, options);
  }
}

/** An outbound request got no response in time (RFC 7252 MAX_TRANSMIT_WAIT), or an operation timed out. */
export class TimeoutError extends LwM2mError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/** An outbound request was answered with an error code (4.xx / 5.xx), or reset by the peer (RST). */
export class RequestRejectedError extends LwM2mError {
  /** The CoAP response code, or 0 when the peer answered with RST. */
  readonly coapCode: number;
  readonly payload: Uint8Array | undefined;
  constructor(coapCode: number, message?: string, options?: LwM2mErrorOptions & { payload?: Uint8Array }) {
    super(
      'REQUEST_REJECTED',
      message ?? (coapCode === 0 ? 'request reset by peer (RST)' : `request rejected with ${formatCoapCode(coapCode)}`),
      options,
    );
    this.coapCode = coapCode;
    this.payload = options?.payload;
  }
}

/** A request was abandoned because its AbortSignal fired or its endpoint closed. */
export class AbortedError extends LwM2mError {
  constructor(message = 'operation aborted', options?: LwM2mErrorOptions) {
    super('ABORTED', message, options);
  }
}

/** A socket-level failure: bind, send, DNS, closed transport. */
export class TransportError extends LwM2mError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('TRANSPORT', message, options);
  }
}

/** A DTLS failure: handshake, verification, alert, bad record. `alert` is the TLS alert description when one applies. */
export class DtlsError extends LwM2mError {
  readonly alert: number | undefined;
  constructor(message: string, options?: LwM2mErrorOptions & { alert?: number }) {
    super('DTLS', message, options);
    this.alert = options?.alert;
  }
}
