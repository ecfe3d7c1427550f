/**
 * Stateless cookies for the HelloVerifyRequest exchange (RFC 6347 4.2.1): an HMAC over the client's
 * address and its ClientHello (without the cookie), keyed by a secret that rotates; cookies made
 * with the previous secret stay valid for one more period.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/clock.ts';
import { peerKey, type Peer } from '../transport.ts';
import { encodeClientHello, type ClientHello } from './messages.ts';

const COOKIE_LENGTH = 16;

export class CookieJar {
  readonly #clock: Clock;
  readonly #rotateMs: number;
  #secret = randomBytes(32);
  #previous: Buffer | undefined;
  #rotatedAt: number;

  constructor(clock: Clock, rotateMs = 5 * 60_000) {
    this.#clock = clock;
    this.#rotateMs = rotateMs;
    this.#rotatedAt = clock.now();
  }

  #rotate(): void {
    const now = this.#clock.now();
    if (now - this.#rotatedAt < this.#rotateMs) return;
    this.#previous = now - this.#rotatedAt < 2 * this.#rotateMs ? this.#secret : undefined;
    this.#secret = randomBytes(32);
    this.#rotatedAt = now;
  }

  static #mac(secret: Buffer, peer: Peer, hello: ClientHello): Buffer {
    return createHmac('sha256', secret)
      .update(peerKey(peer))
      .update(encodeClientHello({ ...hello, cookie: Buffer.alloc(0) }))
      .digest()
      .subarray(0, COOKIE_LENGTH);
  }

  make(peer: Peer, hello: ClientHello): Buffer {
    this.#rotate();
    return CookieJar.#mac(this.#secret, peer, hello);
  }

  verify(peer: Peer, hello: ClientHello): boolean {
    if (hello.cookie.length !== COOKIE_LENGTH) return false;
    this.#rotate();
    if (timingSafeEqual(hello.cookie, CookieJar.#mac(this.#secret, peer, hello))) return true;
    return this.#previous !== undefined && timingSafeEqual(hello.cookie, CookieJar.#mac(this.#previous, peer, hello));
  }
}
