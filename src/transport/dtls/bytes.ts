/**
 * Byte readers and writers for the TLS presentation language (RFC 5246 4): big-endian integers of
 * 8 to 48 bits and vectors with 1-, 2- or 3-byte length prefixes.
 */
import { DtlsError } from '../../errors.ts';
import { AlertDescription } from './constants.ts';

/** A DtlsError carrying a fatal alert to send (or that was received). */
export function alertError(alert: number, message: string, cause?: unknown): DtlsError {
  return new DtlsError(message, cause === undefined ? { alert } : { alert, cause });
}

function truncated(what: string): DtlsError {
  return alertError(AlertDescription.decodeError, `truncated ${what}`);
}

/** Reads a buffer front to back; every read past the end throws a DtlsError with decode_error. */
export class ByteReader {
  readonly #buf: Buffer;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  get offset(): number {
    return this.#pos;
  }

  #need(n: number, what: string): void {
    if (this.#end - this.#pos < n) throw truncated(what);
  }

  u8(what = 'uint8'): number {
    this.#need(1, what);
    return this.#buf[this.#pos++]!;
  }

  u16(what = 'uint16'): number {
    this.#need(2, what);
    const v = this.#buf.readUInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }

  u24(what = 'uint24'): number {
    this.#need(3, what);
    const v = this.#buf.readUIntBE(this.#pos, 3);
    this.#pos += 3;
    return v;
  }

  u48(what = 'uint48'): number {
    this.#need(6, what);
    const v = this.#buf.readUIntBE(this.#pos, 6);
    this.#pos += 6;
    return v;
  }

  /** The next `n` bytes, as a view (no copy). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.#need(n, what);
    const v = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }

  vec8(what = 'vector'): Buffer {
    return this.bytes(this.u8(what), what);
  }

  vec16(what = 'vector'): Buffer {
    return this.bytes(this.u16(what), what);
  }

  vec24(what = 'vector'): Buffer {
    return this.bytes(this.u24(what), what);
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** Throws decode_error unless every byte was consumed. */
  end(what: string): void {
    if (this.#pos !== this.#end) throw alertError(AlertDescription.decodeError, `${this.#end - this.#pos} trailing bytes in ${what}`);
  }
}

/** Appends big-endian fields; `finish()` returns one Buffer. */
export class ByteWriter {
  #buf: Buffer;
  #len = 0;

  constructor(capacity = 256) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.#len;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#buf.writeUInt16BE(v & 0xffff, this.#len);
    this.#len += 2;
    return this;
  }

  u24(v: number): this {
    this.#ensure(3);
    this.#buf.writeUIntBE(v, this.#len, 3);
    this.#len += 3;
    return this;
  }

  u48(v: number): this {
    this.#ensure(6);
    this.#buf.writeUIntBE(v, this.#len, 6);
    this.#len += 6;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  vec8(b: Uint8Array): this {
    if (b.length > 0xff) throw new RangeError('vector too long for an 8-bit length');
    return this.u8(b.length).bytes(b);
  }

  vec16(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError('vector too long for a 16-bit length');
    return this.u16(b.length).bytes(b);
  }

  vec24(b: Uint8Array): this {
    if (b.length > 0xffffff) throw new RangeError('vector too long for a 24-bit length');
    return this.u24(b.length).bytes(b);
  }

  finish(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }
}

/** A Buffer view of a Uint8Array without copying. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
