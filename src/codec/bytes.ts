import { Buffer } from 'node:buffer';
import { CodecError } from '../errors.ts';

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A lone UTF-16 surrogate: such a string has no UTF-8 form (TextEncoder would silently write U+FFFD). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Decodes UTF-8 strictly (RFC 3629): malformed or overlong sequences and encoded surrogates throw
 * CodecError instead of turning into U+FFFD. A BOM is kept as U+FEFF, not stripped.
 */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Short ASCII runs (names, numbers) are the common case; a loop beats TextDecoder for them.
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decodeUtf8Slow(bytes, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8Slow(bytes, start, end);
}

function decodeUtf8Slow(bytes: Uint8Array, start: number, end: number): string {
  try {
    return fatalDecoder.decode(bytes.subarray(start, end));
  } catch (e) {
    throw new CodecError('invalid UTF-8 in text', { cause: e });
  }
}

/** Throws CodecError when `s` holds a lone surrogate and so has no UTF-8 encoding. */
export function checkWellFormed(s: string, what = 'string'): void {
  if (LONE_SURROGATE.test(s)) throw new CodecError(`${what} holds a lone UTF-16 surrogate and has no UTF-8 form`);
}

/** Encodes a string as UTF-8, refusing strings with lone surrogates. */
export function encodeUtf8(s: string): Uint8Array {
  checkWellFormed(s);
  return encoder.encode(s);
}

/** UTF-8 length of a well-formed string. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * A copy of `src[start, end)` as a plain Uint8Array that owns its memory. (On a Node Buffer,
 * `slice` returns a view, not a copy: decoders must never hand out views of the input.)
 */
export function copyBytes(src: Uint8Array, start = 0, end = src.length): Uint8Array {
  return new Uint8Array(src.subarray(start, end));
}

/** A growable byte buffer with big-endian writers (network order, as TLV and CBOR use). */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  length = 0;

  constructor(initialSize = 256) {
    this.#buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Forgets the content, keeping the memory. */
  reset(): void {
    this.length = 0;
  }

  /** Forgets the content and gives back memory beyond `keep` bytes (for long-lived scratch writers). */
  trim(keep = 65536): void {
    this.length = 0;
    if (this.#buf.length > keep) {
      this.#buf = new Uint8Array(Math.min(keep, 512));
      this.#view = new DataView(this.#buf.buffer);
    }
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.#buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.#view.setUint16(this.length, v);
    this.length += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.#buf[this.length] = v >>> 16;
    this.#view.setUint16(this.length + 1, v & 0xffff);
    this.length += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    this.#view.setUint32(this.length, v);
    this.length += 4;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.#view.setBigUint64(this.length, v);
    this.length += 8;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.#view.setBigInt64(this.length, v);
    this.length += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.#view.setFloat32(this.length, v);
    this.length += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.length, v);
    this.length += 8;
  }

  bytes(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    this.ensure(n);
    this.#buf.set(start === 0 && end === b.length ? b : b.subarray(start, end), this.length);
    this.length += n;
  }

  /** Writes a string as UTF-8 (ASCII fast path); returns the number of bytes written. */
  utf8(s: string): number {
    const start = this.length;
    const len = s.length;
    this.ensure(len);
    const buf = this.#buf;
    let i = 0;
    let pos = this.length;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos++] = c;
    }
    this.length = pos;
    if (i < len) {
      const rest = i === 0 ? s : s.slice(i);
      checkWellFormed(rest);
      this.ensure(rest.length * 3);
      const r = encoder.encodeInto(rest, this.#buf.subarray(this.length));
      this.length += r.written;
    }
    return this.length - start;
  }

  /**
   * The bytes written so far, as a copy the writer no longer touches. The copy comes from Node's
   * buffer pool (a Buffer, which is a Uint8Array): far cheaper than a fresh ArrayBuffer for small
   * payloads; it may share its ArrayBuffer with other pooled buffers, so mind `byteOffset`.
   */
  finish(): Uint8Array {
    const out = Buffer.allocUnsafe(this.length);
    out.set(this.#buf.subarray(0, this.length));
    return out;
  }

  /** The internal buffer (valid until the next write); for copying ranges out. */
  get buffer(): Uint8Array {
    return this.#buf;
  }
}
