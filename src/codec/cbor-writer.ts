import { ByteWriter, utf8Length } from './bytes.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE 754 half-precision bits of `v` when the half holds it exactly, else -1 (RFC 8949 4.2.2:
 * preferred serialization uses the shortest float that keeps the value). NaN maps to the canonical
 * quiet NaN 0x7e00.
 */
export function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  f32[0] = v;
  if (!Object.is(f32[0], v)) return -1;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00; // infinities (NaN handled above)
  if (exp === 0 && mant === 0) return sign; // zeros
  const e = exp - 127 + 15;
  if (e >= 31) return -1;
  if (e >= 1) return (mant & 0x1fff) === 0 ? sign | (e << 10) | (mant >>> 13) : -1;
  if (e < -10 || exp === 0) return -1;
  const full = mant | 0x800000;
  const shift = 14 - e;
  return (full & ((1 << shift) - 1)) === 0 ? sign | (full >>> shift) : -1;
}

/**
 * A CBOR writer (RFC 8949) for the shapes LwM2M payloads need, always in preferred serialization:
 * shortest heads, definite lengths, shortest exact floats. Integers beyond 2^53 are bigints.
 */
export class CborWriter extends ByteWriter {
  /** A head: major type and argument in the shortest form (RFC 8949 3). */
  head(major: number, arg: number): void {
    const m = major << 5;
    if (arg < 24) this.u8(m | arg);
    else if (arg < 0x100) {
      this.u8(m | 24);
      this.u8(arg);
    } else if (arg < 0x10000) {
      this.u8(m | 25);
      this.u16(arg);
    } else if (arg < 0x100000000) {
      this.u8(m | 26);
      this.u32(arg);
    } else {
      this.u8(m | 27);
      this.u64(BigInt(arg));
    }
  }

  /** An integer (major 0 or 1). `v` must be within -2^64..2^64-1. */
  int(v: number | bigint): void {
    if (typeof v === 'number') {
      if (v >= 0) this.head(0, v);
      else this.head(1, -1 - v);
      return;
    }
    if (v >= 0n) {
      if (v < 0x100000000n) this.head(0, Number(v));
      else {
        this.u8(0x1b);
        this.u64(v);
      }
    } else {
      const a = -1n - v;
      if (a < 0x100000000n) this.head(1, Number(a));
      else {
        this.u8(0x3b);
        this.u64(a);
      }
    }
  }

  /** A float (major 7) in the shortest of half/single/double that keeps the value exactly. */
  float(v: number): void {
    const h = halfBits(v);
    if (h >= 0) {
      this.u8(0xf9);
      this.u16(h);
    } else if (Object.is(Math.fround(v), v)) {
      this.u8(0xfa);
      this.f32(v);
    } else {
      this.u8(0xfb);
      this.f64(v);
    }
  }

  text(s: string): void {
    this.head(3, utf8Length(s));
    this.utf8(s);
  }

  byteString(b: Uint8Array): void {
    this.head(2, b.byteLength);
    this.bytes(b);
  }

  bool(b: boolean): void {
    this.u8(b ? 0xf5 : 0xf4);
  }

  nil(): void {
    this.u8(0xf6);
  }

  array(n: number): void {
    this.head(4, n);
  }

  map(n: number): void {
    this.head(5, n);
  }

  tag(n: number): void {
    this.head(6, n);
  }
}
