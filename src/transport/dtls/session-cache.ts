/**
 * Sessions kept for resumption with an abbreviated handshake (RFC 5246 7.3, 7.4.1.2): bounded in
 * number (least recently used dropped first) and in age.
 */
import type { Clock } from '../../util/clock.ts';
import type { ChannelInfo } from '../transport.ts';
import type { CipherSuiteInfo } from './cipher-suites.ts';

export interface DtlsSessionState {
  readonly id: Buffer;
  readonly masterSecret: Buffer;
  readonly suite: CipherSuiteInfo;
  readonly extendedMasterSecret: boolean;
  /** Encrypt-then-MAC was negotiated (RFC 7366); a resumption keeps it (RFC 7366 3.1). */
  readonly encryptThenMac: boolean;
  /** The server_name of the full handshake (RFC 6066 3): a server resumes only for the same name. */
  readonly serverName: string | undefined;
  /** The peer identity proven by the full handshake; a resumed session keeps it. */
  readonly channel: ChannelInfo;
  readonly createdAt: number;
}

export class SessionCache<K> {
  readonly #max: number;
  readonly #lifetimeMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<K, DtlsSessionState>();

  constructor(max: number, lifetimeMs: number, clock: Clock) {
    this.#max = max;
    this.#lifetimeMs = lifetimeMs;
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): DtlsSessionState | undefined {
    const s = this.#entries.get(key);
    if (s === undefined) return undefined;
    this.#entries.delete(key);
    if (this.#clock.now() - s.createdAt > this.#lifetimeMs) return undefined;
    this.#entries.set(key, s);
    return s;
  }

  set(key: K, state: DtlsSessionState): void {
    if (this.#max <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, state);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }
}
