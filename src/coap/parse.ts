/**
 * Strict CoAP message decoder (RFC 7252 3, 3.1). Every malformed datagram throws a
 * `CoapParseError` whose `reason` names the broken rule; nothing else is ever thrown.
 */
import { CoapParseError } from '../errors.ts';
import { EMPTY_BYTES, NO_OPTIONS, type CoapMessage, type CoapOptionEntry, type CoapType } from './message.ts';

/** The fields of the fixed 4-byte header, readable even when the rest of a datagram is malformed. */
export interface CoapHeader {
  readonly version: number;
  readonly type: CoapType;
  readonly tokenLength: number;
  readonly code: number;
  readonly messageId: number;
}

/** Reads the fixed header, or returns undefined when the datagram is shorter than 4 bytes. */
export function peekHeader(data: Uint8Array): CoapHeader | undefined {
  if (data.length < 4) return undefined;
  const b0 = data[0]!;
  return {
    version: b0 >> 6,
    type: ((b0 >> 4) & 3) as CoapType,
    tokenLength: b0 & 0x0f,
    code: data[1]!,
    messageId: (data[2]! << 8) | data[3]!,
  };
}

/**
 * Decodes one datagram. The token, option values and payload are views of `data` (no copies):
 * keep `data` unchanged while the message is in use.
 */
export function parse(data: Uint8Array): CoapMessage {
  const len = data.length;
  if (len < 4) throw new CoapParseError('truncated header (shorter than 4 bytes)');
  const b0 = data[0]!;
  if (b0 >> 6 !== 1) throw new CoapParseError(`unsupported version ${b0 >> 6}`);
  const tkl = b0 & 0x0f;
  if (tkl > 8) throw new CoapParseError(`reserved token length ${tkl}`);
  const code = data[1]!;
  const messageId = (data[2]! << 8) | data[3]!;
  const type = ((b0 >> 4) & 3) as CoapType;
  if (code === 0 && (tkl !== 0 || len !== 4)) {
    throw new CoapParseError('empty message (code 0.00) with token, options or payload');
  }
  let pos = 4 + tkl;
  if (pos > len) throw new CoapParseError('truncated token');
  const buffer = data.buffer;
  const base = data.byteOffset;
  const token = tkl === 0 ? EMPTY_BYTES : new Uint8Array(buffer, base + 4, tkl);

  let options: CoapOptionEntry[] | readonly CoapOptionEntry[] = NO_OPTIONS;
  let payload = EMPTY_BYTES;
  let number = 0;
  while (pos < len) {
    const b = data[pos++]!;
    if (b === 0xff) {
      if (pos === len) throw new CoapParseError('payload marker followed by an empty payload');
      payload = new Uint8Array(buffer, base + pos, len - pos);
      break;
    }
    let delta = b >> 4;
    let length = b & 0x0f;
    if (delta === 15) throw new CoapParseError('reserved option delta 15');
    if (length === 15) throw new CoapParseError('reserved option length 15');
    if (delta === 13) {
      if (pos >= len) throw new CoapParseError('truncated option delta');
      delta = data[pos++]! + 13;
    } else if (delta === 14) {
      if (pos + 2 > len) throw new CoapParseError('truncated option delta');
      delta = ((data[pos]! << 8) | data[pos + 1]!) + 269;
      pos += 2;
    }
    if (length === 13) {
      if (pos >= len) throw new CoapParseError('truncated option length');
      length = data[pos++]! + 13;
    } else if (length === 14) {
      if (pos + 2 > len) throw new CoapParseError('truncated option length');
      length = ((data[pos]! << 8) | data[pos + 1]!) + 269;
      pos += 2;
    }
    number += delta;
    if (number > 0xffff) throw new CoapParseError(`option number ${number} out of range`);
    if (pos + length > len) throw new CoapParseError(`option ${number} value runs past the end`);
    if (options === NO_OPTIONS) options = [];
    (options as CoapOptionEntry[]).push({ number, value: length === 0 ? EMPTY_BYTES : new Uint8Array(buffer, base + pos, length) });
    pos += length;
  }
  return { type, code, messageId, token, options, payload };
}
