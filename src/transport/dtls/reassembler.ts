/**
 * Reassembly and in-order delivery of handshake messages (RFC 6347 4.2.2, 4.2.3): fragments may
 * overlap, arrive out of order or be duplicated; messages are released strictly by message_seq.
 */
import type { HandshakeFragment } from './handshake-fragment.ts';

export interface HandshakeMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Buffer;
  /** Epoch of the records that carried it. */
  readonly epoch: number;
}

/** How many messages ahead of the expected one we buffer. */
const MAX_AHEAD = 8;
/** Bytes of incomplete messages we hold at most. */
const MAX_BUFFERED = 128 * 1024;

interface Partial {
  readonly msgType: number;
  readonly epoch: number;
  readonly body: Buffer;
  readonly have: Uint8Array;
  missing: number;
}

export type FragmentDisposition = 'old' | 'accepted' | 'ignored';

export class HandshakeReassembler {
  #next: number;
  #partial = new Map<number, Partial>();
  #buffered = 0;

  constructor(nextSeq = 0) {
    this.#next = nextSeq;
  }

  /** The message_seq expected next. */
  get nextSeq(): number {
    return this.#next;
  }

  /**
   * Adds a fragment. 'old' means it belongs to an already delivered message (the peer retransmits
   * its previous flight); 'ignored' means it was out of range or inconsistent with earlier fragments.
   */
  add(f: HandshakeFragment, epoch: number): FragmentDisposition {
    if (f.messageSeq < this.#next) return 'old';
    if (f.messageSeq > this.#next + MAX_AHEAD) return 'ignored';
    let p = this.#partial.get(f.messageSeq);
    if (p === undefined) {
      if (this.#buffered + f.length > MAX_BUFFERED) return 'ignored';
      p = { msgType: f.msgType, epoch, body: Buffer.alloc(f.length), have: new Uint8Array(f.length), missing: f.length };
      this.#partial.set(f.messageSeq, p);
      this.#buffered += f.length;
    } else if (p.msgType !== f.msgType || p.body.length !== f.length || p.epoch !== epoch) {
      return 'ignored';
    }
    const end = f.fragmentOffset + f.body.length;
    for (let i = f.fragmentOffset; i < end; i++) {
      if (p.have[i] === 0) {
        p.have[i] = 1;
        p.body[i] = f.body[i - f.fragmentOffset]!;
        p.missing--;
      }
    }
    return 'accepted';
  }

  /** The next complete in-order message, if any. */
  take(): HandshakeMessage | undefined {
    const p = this.#partial.get(this.#next);
    if (p?.missing !== 0) return undefined;
    this.#partial.delete(this.#next);
    this.#buffered -= p.body.length;
    return { msgType: p.msgType, messageSeq: this.#next++, body: p.body, epoch: p.epoch };
  }

  /** Drops everything buffered and continues at `nextSeq`. */
  reset(nextSeq: number): void {
    this.#next = nextSeq;
    this.#partial.clear();
    this.#buffered = 0;
  }
}
