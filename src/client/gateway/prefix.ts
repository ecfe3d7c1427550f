/**
 * IoT device prefixes (LwM2M Gateway TS 1.1 sections 6 and 8.3.1): the LwM2M Server puts the prefix
 * before a device's paths (`/dev1/3/0/0`) as one Uri-Path segment, so it must be a non-empty path
 * segment that cannot be read as an object id, and unique among the gateway's devices.
 */
import { LwM2mError } from '../../errors.ts';
import { isPrefixSegment, PREFIX_CHARACTERS } from '../../model/device-prefix.ts';

/** Why a prefix or device id was refused. */
export type GatewayErrorReason = 'empty' | 'numeric' | 'characters' | 'too-long' | 'prefix-in-use' | 'device-id-in-use' | 'unsupported';

/** A gateway configuration error: a bad or duplicate prefix or device id. */
export class GatewayError extends LwM2mError {
  readonly reason: GatewayErrorReason;

  constructor(reason: GatewayErrorReason, message: string) {
    super('GATEWAY', message);
    this.reason = reason;
  }
}

/** Longest prefix: one CoAP Uri-Path option carries at most 255 bytes (RFC 7252 5.10). */
export const MAX_PREFIX_LENGTH = 255;

/**
 * Throws GatewayError unless `prefix` can name an IoT device: non-empty, at most 255 characters,
 * only RFC 3986 unreserved characters (letters, digits, `-`, `.`, `_`, `~`; no `/`, nothing that
 * needs escaping in a URI or a CoRE link), not `.` or `..`, and not all digits (an object id).
 */
export function validatePrefix(prefix: string): void {
  if (prefix === '') throw new GatewayError('empty', 'an IoT device prefix cannot be empty');
  if (prefix.length > MAX_PREFIX_LENGTH) throw new GatewayError('too-long', `IoT device prefix '${prefix.slice(0, 16)}...' is longer than ${MAX_PREFIX_LENGTH} characters`);
  if (!isPrefixSegment(prefix)) throw new GatewayError('numeric', `IoT device prefix '${prefix}' is a number: the server could not tell it from an object id`);
  if (!PREFIX_CHARACTERS.test(prefix) || prefix === '.' || prefix === '..') {
    throw new GatewayError('characters', `IoT device prefix '${prefix}' must be one URI path segment of letters, digits, '-', '.', '_' or '~'`);
  }
}
