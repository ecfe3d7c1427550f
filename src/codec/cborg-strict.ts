import { decode, Token, Tokenizer, Type, type TagDecodeControl } from 'cborg';
import { CodecError } from '../errors.ts';
import { decodeUtf8 } from './bytes.ts';

/** A value tagged as a date/time (CBOR tags 0 and 1, RFC 8949 3.4.1/3.4.2), as seconds since 1970. */
export class CborTime {
  readonly seconds: number;
  constructor(seconds: number) {
    this.seconds = seconds;
  }
}

const MAX_DEPTH = 32;
/** RFC 3339 date-time, the content of tag 0. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Wraps cborg's tokenizer to add what cborg leaves out: a fatal UTF-8 check of every text string
 * (cborg would substitute U+FFFD) and a nesting limit (cborg recurses without one).
 */
class StrictTokenizer {
  readonly #inner: Tokenizer;
  readonly #stack: number[] = [];

  constructor(data: Uint8Array, options: ConstructorParameters<typeof Tokenizer>[1]) {
    this.#inner = new Tokenizer(data, { ...options, retainStringBytes: true });
  }

  done(): boolean {
    return this.#inner.done();
  }

  pos(): number {
    return this.#inner.pos();
  }

  next(): Token {
    const t = this.#inner.next();
    const stack = this.#stack;
    const type = t.type;
    if (Type.equals(type, Type.break)) {
      stack.pop();
    } else {
      if (stack.length > 0) stack[stack.length - 1]!--;
      if (Type.equals(type, Type.string)) {
        const raw = t.byteValue;
        if (raw !== undefined) t.value = decodeUtf8(raw);
      } else if (Type.equals(type, Type.array) || Type.equals(type, Type.map) || Type.equals(type, Type.tag)) {
        const n = Type.equals(type, Type.tag) ? 1 : (t.value as number) * (Type.equals(type, Type.map) ? 2 : 1);
        if (n > 0) {
          stack.push(n);
          if (stack.length > MAX_DEPTH) throw new CodecError('CBOR nested too deeply');
        }
      }
    }
    while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop();
    return t;
  }
}

function epochTag(control: TagDecodeControl): CborTime {
  const v: unknown = control();
  if (typeof v === 'number' && Number.isFinite(v)) return new CborTime(v);
  if (typeof v === 'bigint') return new CborTime(Number(v));
  throw new CodecError('CBOR tag 1 must hold a number of seconds');
}

function dateTag(control: TagDecodeControl): CborTime {
  const v: unknown = control();
  const ms = typeof v === 'string' && RFC3339.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new CodecError('CBOR tag 0 must hold an RFC 3339 date/time string');
  return new CborTime(Math.floor(ms / 1000));
}

/**
 * Decodes one CBOR item with cborg in strict mode (shortest heads, no duplicate map keys, maps as
 * Map, no `undefined`, integers beyond 2^53 as bigint) plus the checks above. Indefinite-length
 * arrays and maps are accepted (LwM2M 1.2 peers stream LwM2M CBOR that way); indefinite-length
 * strings are not (cborg does not read them). Tags 0 and 1 become CborTime; other tags are refused.
 * Every failure is a CodecError.
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  if (bytes.length === 0) throw new CodecError('empty CBOR payload');
  const options = {
    strict: true,
    useMaps: true,
    rejectDuplicateMapKeys: true,
    allowIndefinite: true,
    allowUndefined: false,
    allowBigInt: true,
    tags: { 0: dateTag, 1: epochTag },
  };
  try {
    return decode(bytes, { ...options, tokenizer: new StrictTokenizer(bytes, options) }) as unknown;
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(`invalid CBOR: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
