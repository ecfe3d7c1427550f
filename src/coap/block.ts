/**
 * Block-wise transfer building blocks (RFC 7959): slicing a body into blocks, reassembling blocks
 * by offset, and the cache key that identifies one block-wise transfer (RFC 7959 2.4, 2.5).
 */
import { LwM2mError } from '../errors.ts';
import { CoapCode, CoapOption, type CoapOptionEntry } from './message.ts';
import { blockSize } from './options.ts';

/** A block-wise transfer that cannot complete: inconsistent blocks, too large, or restarted too often. */
export class CoapBlockError extends LwM2mError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('COAP_BLOCK', message, options);
  }
}

/** The block `num` of size 2^(szx+4) of `body`, or undefined when it starts beyond the end. */
export function sliceBlock(body: Uint8Array, num: number, szx: number): { data: Uint8Array; more: boolean } | undefined {
  const size = blockSize(szx);
  const start = num * size;
  if (start > body.length || (start === body.length && start > 0)) return undefined;
  const end = Math.min(body.length, start + size);
  return { data: body.subarray(start, end), more: end < body.length };
}

/** Options that do not identify a block-wise transfer (they vary from block to block). */
const NOT_IN_KEY: ReadonlySet<number> = new Set([
  CoapOption.BLOCK1,
  CoapOption.BLOCK2,
  CoapOption.SIZE1,
  CoapOption.SIZE2,
  CoapOption.OBSERVE,
  CoapOption.ETAG,
  CoapOption.IF_MATCH,
  CoapOption.IF_NONE_MATCH,
  CoapOption.NO_RESPONSE,
  CoapOption.ECHO,
]);

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/**
 * Identifies the body of one block-wise transfer: peer, method and the request options that are
 * not block-specific (Uri-*, Accept, Content-Format, Request-Tag...). FETCH includes its payload.
 * `ignoreContentFormat` is used for Block2 follow-ups, which may or may not repeat it.
 */
export function transferKey(
  peer: string,
  method: number,
  options: readonly CoapOptionEntry[],
  payload?: Uint8Array,
  ignoreContentFormat = false,
): string {
  let key = `${peer}|${method}`;
  for (const o of options) {
    if (NOT_IN_KEY.has(o.number)) continue;
    if (ignoreContentFormat && o.number === CoapOption.CONTENT_FORMAT) continue;
    key += `|${o.number}:${hex(o.value)}`;
  }
  if (method === CoapCode.FETCH && payload !== undefined && payload.length > 0) key += `|p:${hex(payload)}`;
  return key;
}

export type AppendResult = 'ok' | 'gap' | 'too-large';

/**
 * Reassembles a body from blocks arriving in order. A block may restate earlier bytes (the body is
 * cut back to its offset first, so a restarted or repeated block is harmless); a block that starts
 * beyond the received bytes is a gap (4.08).
 */
export class Reassembler {
  #parts: Uint8Array[] = [];
  #length = 0;
  readonly maxSize: number;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  get length(): number {
    return this.#length;
  }

  append(offset: number, data: Uint8Array): AppendResult {
    if (offset > this.#length) return 'gap';
    if (offset + data.length > this.maxSize) return 'too-large';
    if (offset < this.#length) this.#truncate(offset);
    this.#parts.push(data.slice());
    this.#length += data.length;
    return 'ok';
  }

  #truncate(offset: number): void {
    const whole = this.result();
    this.#parts = offset === 0 ? [] : [whole.subarray(0, offset)];
    this.#length = offset;
  }

  result(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = new Uint8Array(this.#length);
    let pos = 0;
    for (const p of this.#parts) {
      out.set(p, pos);
      pos += p.length;
    }
    this.#parts = [out];
    return out;
  }
}
