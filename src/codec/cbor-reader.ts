import { CodecError } from '../errors.ts';
import { copyBytes, decodeUtf8 } from './bytes.ts';

/** Nesting limit for skipped items: deep enough for any LwM2M payload, shallow enough for the stack. */
const MAX_DEPTH = 16;

/**
 * A strict CBOR item reader (RFC 8949) for the SenML CBOR fast path, with the same rules as the
 * cborg-based decoders: shortest-form heads (RFC 8949 4.2.1), no indefinite-length strings, text
 * strings valid UTF-8, only the simple values false/true/null, nothing after the top-level item.
 * Indefinite-length arrays and maps are accepted: LwM2M 1.2 peers stream them.
 */
export class CborReader {
  readonly #b: Uint8Array;
  pos = 0;
  /** Major type of the last head read. */
  major = 0;
  /** Argument of the last head (length, integer magnitude, tag); -1 for an indefinite array/map. */
  arg: number | bigint = 0;
  /** For major 7: the float value, or 20/21/22 for false/true/null in `simple`. */
  float = 0;
  simple = -1;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  get length(): number {
    return this.#b.length;
  }

  fail(msg: string): never {
    throw new CodecError(`invalid CBOR at byte ${this.pos}: ${msg}`);
  }

  atEnd(): boolean {
    return this.pos >= this.#b.length;
  }

  /** True when the next byte is a "break" (ends an indefinite-length array or map); consumes it. */
  takeBreak(): boolean {
    if (this.#b[this.pos] === 0xff) {
      this.pos++;
      return true;
    }
    return false;
  }

  #need(n: number): void {
    if (this.pos + n > this.#b.length) this.fail('truncated');
  }

  /** Reads one head; returns its major type. */
  head(): number {
    this.#need(1);
    const b = this.#b;
    const ib = b[this.pos++]!;
    const major = ib >> 5;
    const ai = ib & 31;
    this.major = major;
    if (major === 7) {
      this.#simple(ai);
      return 7;
    }
    if (ai < 24) this.arg = ai;
    else if (ai === 24) {
      this.#need(1);
      const v = b[this.pos++]!;
      if (v < 24) this.fail('non-shortest head');
      this.arg = v;
    } else if (ai === 25) {
      this.#need(2);
      const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
      this.pos += 2;
      if (v < 0x100) this.fail('non-shortest head');
      this.arg = v;
    } else if (ai === 26) {
      this.#need(4);
      const v = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
      this.pos += 4;
      if (v < 0x10000) this.fail('non-shortest head');
      this.arg = v;
    } else if (ai === 27) {
      this.#need(8);
      const hi = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
      const lo = ((b[this.pos + 4]! << 24) | (b[this.pos + 5]! << 16) | (b[this.pos + 6]! << 8) | b[this.pos + 7]!) >>> 0;
      this.pos += 8;
      if (hi === 0) this.fail('non-shortest head');
      this.arg = hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
    } else if (ai === 31) {
      if (major === 4 || major === 5) this.arg = -1;
      else if (major === 2 || major === 3) this.fail('indefinite-length strings are not supported');
      else this.fail('indefinite length on a type that has no length');
    } else this.fail(`reserved additional information ${ai}`);
    return major;
  }

  #simple(ai: number): void {
    const b = this.#b;
    this.simple = -1;
    switch (ai) {
      case 20:
      case 21:
      case 22:
        this.simple = ai;
        return;
      case 25: {
        this.#need(2);
        this.float = halfToFloat((b[this.pos]! << 8) | b[this.pos + 1]!);
        this.pos += 2;
        return;
      }
      case 26: {
        this.#need(4);
        this.float = new DataView(b.buffer, b.byteOffset + this.pos, 4).getFloat32(0);
        this.pos += 4;
        return;
      }
      case 27: {
        this.#need(8);
        this.float = new DataView(b.buffer, b.byteOffset + this.pos, 8).getFloat64(0);
        this.pos += 8;
        return;
      }
      case 31:
        this.fail('unexpected break');
        break;
      case 23:
        this.fail('undefined is not an LwM2M value');
        break;
      default:
        this.fail(`unsupported simple value ${ai}`);
    }
  }

  /** The length of a definite array/map head just read, or -1 when indefinite. */
  count(): number {
    const a = this.arg;
    if (typeof a === 'bigint' || a > this.#b.length) this.fail('length exceeds the payload');
    return a;
  }

  /** Reads a text string (major 3). */
  text(): string {
    if (this.head() !== 3) this.fail('expected a text string');
    return this.textBody();
  }

  /** The body of a text string whose head was just read. */
  textBody(): string {
    const len = this.count();
    this.#need(len);
    const s = decodeUtf8(this.#b, this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** Reads a byte string (major 2), copied. */
  byteString(): Uint8Array {
    if (this.head() !== 2) this.fail('expected a byte string');
    const len = this.count();
    this.#need(len);
    const out = copyBytes(this.#b, this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** The integer of a major 0/1 head just read. */
  intValue(): number | bigint {
    const a = this.arg;
    if (this.major === 0) return a;
    // -1 - (2^53 - 1) is -2^53: no longer a safe integer, so it stays exact as a bigint.
    return typeof a === 'number' && a < Number.MAX_SAFE_INTEGER ? -1 - a : -1n - BigInt(a);
  }

  /** Reads a number: an integer (number or bigint) or a float. */
  number(): number | bigint {
    const m = this.head();
    if (m === 0 || m === 1) return this.intValue();
    if (m === 7 && this.simple < 0) return this.float;
    return this.fail('expected a number');
  }

  /** Reads false/true. */
  bool(): boolean {
    if (this.head() !== 7 || (this.simple !== 20 && this.simple !== 21)) this.fail('expected a boolean');
    return this.simple === 21;
  }

  /** Skips one complete item, checking it as strictly as if it were read. */
  skip(depth = 0): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const m = this.head();
    switch (m) {
      case 2: {
        const len = this.count();
        this.#need(len);
        this.pos += len;
        return;
      }
      case 3:
        this.textBody();
        return;
      case 4:
      case 5: {
        const n = this.count();
        const per = m === 5 ? 2 : 1;
        if (n < 0) {
          while (!this.takeBreak()) for (let k = 0; k < per; k++) this.skip(depth + 1);
        } else {
          for (let i = 0; i < n * per; i++) this.skip(depth + 1);
        }
        return;
      }
      case 6:
        this.skip(depth + 1);
        return;
      default:
        return;
    }
  }
}

/** IEEE 754 half-precision bits to a number (RFC 8949 Appendix D). */
export function halfToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v: number;
  if (exp === 0) v = mant * 2 ** -24;
  else if (exp !== 31) v = (mant + 1024) * 2 ** (exp - 25);
  else v = mant === 0 ? Infinity : NaN;
  return (h & 0x8000) !== 0 ? -v : v;
}
