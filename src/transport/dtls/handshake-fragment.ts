/**
 * Handshake message framing in DTLS (RFC 6347 4.2.2): the 12-byte header with message_seq and
 * fragment offset/length, fragmentation of a message to fit a record, and parsing of the fragments
 * a handshake record carries.
 */
import { AlertDescription, HANDSHAKE_HEADER_LENGTH } from './constants.ts';
import { alertError } from './bytes.ts';

/** Largest handshake message we accept (a certificate chain of a few certificates fits easily). */
export const MAX_HANDSHAKE_MESSAGE = 65536;

export interface HandshakeFragment {
  readonly msgType: number;
  readonly length: number;
  readonly messageSeq: number;
  readonly fragmentOffset: number;
  readonly body: Buffer;
}

export function encodeHandshakeHeader(msgType: number, length: number, messageSeq: number, offset: number, fragmentLength: number): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH);
  out[0] = msgType;
  out.writeUIntBE(length, 1, 3);
  out.writeUInt16BE(messageSeq, 4);
  out.writeUIntBE(offset, 6, 3);
  out.writeUIntBE(fragmentLength, 9, 3);
  return out;
}

/** A whole message as one fragment: the form that enters the handshake transcript (RFC 6347 4.2.6). */
export function encodeHandshakeMessage(msgType: number, messageSeq: number, body: Buffer): Buffer {
  return Buffer.concat([encodeHandshakeHeader(msgType, body.length, messageSeq, 0, body.length), body]);
}

/** Splits a message into fragments of at most `maxBody` body bytes each (at least one fragment). */
export function fragmentHandshake(msgType: number, messageSeq: number, body: Buffer, maxBody: number, start = 0): Buffer[] {
  const size = Math.max(1, maxBody);
  const out: Buffer[] = [];
  let offset = start;
  do {
    const n = Math.min(size, body.length - offset);
    out.push(Buffer.concat([encodeHandshakeHeader(msgType, body.length, messageSeq, offset, n), body.subarray(offset, offset + n)]));
    offset += n;
  } while (offset < body.length);
  return out;
}

/** Parses every handshake fragment of a record payload; throws DtlsError(decode_error) when malformed. */
export function parseHandshakeFragments(payload: Buffer): HandshakeFragment[] {
  const out: HandshakeFragment[] = [];
  let pos = 0;
  while (pos < payload.length) {
    if (payload.length - pos < HANDSHAKE_HEADER_LENGTH) throw alertError(AlertDescription.decodeError, 'truncated handshake header');
    const msgType = payload[pos]!;
    const length = payload.readUIntBE(pos + 1, 3);
    const messageSeq = payload.readUInt16BE(pos + 4);
    const fragmentOffset = payload.readUIntBE(pos + 6, 3);
    const fragmentLength = payload.readUIntBE(pos + 9, 3);
    pos += HANDSHAKE_HEADER_LENGTH;
    if (fragmentLength > payload.length - pos) throw alertError(AlertDescription.decodeError, 'truncated handshake fragment');
    if (fragmentOffset + fragmentLength > length) throw alertError(AlertDescription.decodeError, 'handshake fragment beyond message length');
    if (length > MAX_HANDSHAKE_MESSAGE) throw alertError(AlertDescription.decodeError, `handshake message of ${length} bytes is too long`);
    out.push({ msgType, length, messageSeq, fragmentOffset, body: payload.subarray(pos, pos + fragmentLength) });
    pos += fragmentLength;
  }
  return out;
}
