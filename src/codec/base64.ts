import { Buffer } from 'node:buffer';
import { CodecError } from '../errors.ts';

const STD = /^[A-Za-z0-9+/]*$/;
const URL = /^[A-Za-z0-9\-_]*$/;

/** Standard base64 with padding (RFC 4648 section 4), as plain text and OMA JSON carry opaque values. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** base64url without padding (RFC 4648 section 5), as SenML JSON's "vd" carries data (RFC 8428 5). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes base64 strictly: one alphabet, either standard (RFC 4648 4) or URL-safe (RFC 4648 5) -
 * peers use both for SenML "vd" -, padding either absent or exactly right, no whitespace or other
 * characters. Throws CodecError otherwise (Node's decoder would silently skip bad characters).
 */
export function fromBase64(text: string, what = 'base64 value'): Uint8Array {
  let body = text;
  const pad = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  if (pad > 0) {
    body = body.slice(0, -pad);
    if ((body.length + pad) % 4 !== 0) throw new CodecError(`${what}: wrong base64 padding`);
  }
  if (body.length % 4 === 1) throw new CodecError(`${what}: truncated base64`);
  if (!STD.test(body) && !URL.test(body)) throw new CodecError(`${what}: invalid base64 characters`);
  // Copy out of Node's shared pool so the value owns its memory.
  return new Uint8Array(Buffer.from(body, 'base64'));
}
