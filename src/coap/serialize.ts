/**
 * CoAP message encoder (RFC 7252 3, 3.1). Options are written in ascending number order (a stable
 * sort is applied when they are not); field ranges are checked and violations throw `CoapEncodeError`.
 */
import { CoapEncodeError, type CoapMessage, type CoapOptionEntry } from './message.ts';
import { sortOptions } from './options.ts';

function extendedSize(n: number): number {
  return n < 13 ? 0 : n < 269 ? 1 : 2;
}

/**
 * Datagrams come from Buffer's pool: cheaper than a fresh backing store, and unlike small on-heap
 * typed arrays they never need materializing when a socket (or parse) reads `.buffer`. The caller
 * still gets a plain Uint8Array.
 */
function allocate(size: number): Uint8Array {
  const b = Buffer.allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/** Encodes a message into a new datagram. */
export function serialize(msg: CoapMessage): Uint8Array {
  const { token, payload, code, messageId, type } = msg;
  const tkl = token.length;
  if (tkl > 8) throw new CoapEncodeError(`token longer than 8 bytes (${tkl})`);
  if (!(messageId >= 0 && messageId <= 0xffff) || !Number.isInteger(messageId)) throw new CoapEncodeError(`message ID out of range: ${messageId}`);
  if (!(code >= 0 && code <= 0xff) || !Number.isInteger(code)) throw new CoapEncodeError(`code out of range: ${code}`);
  if (!(type >= 0 && type <= 3)) throw new CoapEncodeError(`type out of range: ${type}`);
  let options = msg.options;
  let size = 4 + tkl;
  let prev = 0;
  for (let i = 0; i < options.length; i++) {
    const n = options[i]!.number;
    if (n < prev) {
      options = sortOptions(options);
      break;
    }
    prev = n;
  }
  prev = 0;
  for (let i = 0; i < options.length; i++) {
    const o: CoapOptionEntry = options[i]!;
    const n = o.number;
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new CoapEncodeError(`option number out of range: ${n}`);
    const vlen = o.value.length;
    if (vlen > 0xffff + 269) throw new CoapEncodeError(`option ${n} value too long (${vlen})`);
    size += 1 + extendedSize(n - prev) + extendedSize(vlen) + vlen;
    prev = n;
  }
  if (code === 0 && (tkl !== 0 || options.length !== 0 || payload.length !== 0)) {
    throw new CoapEncodeError('an empty message (code 0.00) has no token, options or payload');
  }
  if (payload.length > 0) size += 1 + payload.length;

  const out = allocate(size);
  out[0] = 0x40 | (type << 4) | tkl;
  out[1] = code;
  out[2] = messageId >> 8;
  out[3] = messageId & 0xff;
  let pos = 4;
  if (tkl > 0) {
    out.set(token, 4);
    pos += tkl;
  }
  prev = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    const delta = o.number - prev;
    prev = o.number;
    const value = o.value;
    const vlen = value.length;
    const head = pos++;
    let nib: number;
    if (delta < 13) nib = delta << 4;
    else if (delta < 269) {
      nib = 13 << 4;
      out[pos++] = delta - 13;
    } else {
      nib = 14 << 4;
      const d = delta - 269;
      out[pos++] = d >> 8;
      out[pos++] = d & 0xff;
    }
    if (vlen < 13) nib |= vlen;
    else if (vlen < 269) {
      nib |= 13;
      out[pos++] = vlen - 13;
    } else {
      nib |= 14;
      const l = vlen - 269;
      out[pos++] = l >> 8;
      out[pos++] = l & 0xff;
    }
    out[head] = nib;
    if (vlen === 1) out[pos++] = value[0]!;
    else if (vlen > 0) {
      out.set(value, pos);
      pos += vlen;
    }
  }
  if (payload.length > 0) {
    out[pos++] = 0xff;
    out.set(payload, pos);
  }
  return out;
}

/** An empty ACK or RST for a message ID (RFC 7252 4.2, 4.3). */
export function serializeEmpty(type: 2 | 3, messageId: number): Uint8Array {
  return Uint8Array.of(0x40 | (type << 4), 0, messageId >> 8, messageId & 0xff);
}
