/**
 * Randomness for tokens, initial message IDs and retransmission jitter (RFC 7252 4.4, 5.3.1, 4.8).
 * The default draws from node:crypto through a refilled pool so a token costs no system call.
 */
import { randomFillSync } from 'node:crypto';

/** Fills `target` with random bytes. Injectable so tests can be deterministic. */
export type RandomSource = (target: Uint8Array) => void;

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

/** Cryptographically strong bytes from node:crypto (pooled). */
export const cryptoRandom: RandomSource = (target) => {
  const n = target.length;
  if (n > 256) {
    randomFillSync(target);
    return;
  }
  if (poolPos + n > POOL_SIZE) {
    randomFillSync(pool);
    poolPos = 0;
  }
  target.set(pool.subarray(poolPos, poolPos + n));
  poolPos += n;
};

/** A uniform float in [0, 1) from a RandomSource. */
const scratch4 = new Uint8Array(4);
const scratch2 = new Uint8Array(2);

export function randomUnit(random: RandomSource): number {
  const b = scratch4;
  random(b);
  return (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 0x1_0000_0000;
}

/** A uniform 16-bit integer. */
export function random16(random: RandomSource): number {
  const b = scratch2;
  random(b);
  return (b[0]! << 8) | b[1]!;
}
