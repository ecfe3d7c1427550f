/**
 * The anti-replay sliding window of RFC 6347 4.1.2.6 (the IPsec window of RFC 4303 3.4.3), 64
 * records wide. A record is marked only after it authenticates, so forged records cannot move it.
 */
const WIDTH = 64n;
const MASK = (1n << WIDTH) - 1n;

export class ReplayWindow {
  /** Highest sequence number marked, or -1. */
  #max = -1;
  /** Bit i set: sequence number (#max - i) was received. */
  #bits = 0n;

  get highest(): number {
    return this.#max;
  }

  /** True when `seq` was already received or lies left of the window. */
  isReplay(seq: number): boolean {
    if (seq > this.#max) return false;
    const diff = BigInt(this.#max - seq);
    if (diff >= WIDTH) return true;
    return ((this.#bits >> diff) & 1n) === 1n;
  }

  /** Records `seq` as received (after authentication). */
  mark(seq: number): void {
    if (seq > this.#max) {
      const shift = this.#max < 0 ? WIDTH : BigInt(seq - this.#max);
      this.#bits = shift >= WIDTH ? 1n : ((this.#bits << shift) | 1n) & MASK;
      this.#max = seq;
      return;
    }
    const diff = BigInt(this.#max - seq);
    if (diff < WIDTH) this.#bits |= 1n << diff;
  }
}
