import { CodecError } from '../errors.ts';
import { checkWellFormed, decodeUtf8 } from './bytes.ts';

/**
 * A JSON value as the strict reader returns it: objects are Maps (so duplicate names can be refused
 * and order kept), integers beyond 2^53 are exact bigints.
 */
export type JsonValue = null | boolean | string | number | bigint | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

const MAX_DEPTH = 32;

/**
 * Parses JSON (RFC 8259) strictly: valid UTF-8, no duplicate member names, no lone surrogates, no
 * numbers outside the float range, nesting at most 32 deep, nothing after the value. Integer literals
 * that a double cannot hold exactly become bigints, so 64-bit resource values survive.
 */
export function parseJson(bytes: Uint8Array): JsonValue {
  const text = decodeUtf8(bytes);
  const r = new Reader(text);
  r.ws();
  const v = r.value(0);
  r.ws();
  if (r.pos !== text.length) r.fail('unexpected data after the JSON value');
  return v;
}

class Reader {
  pos = 0;
  readonly #s: string;

  constructor(s: string) {
    this.#s = s;
  }

  fail(msg: string): never {
    throw new CodecError(`invalid JSON at offset ${this.pos}: ${msg}`);
  }

  ws(): void {
    const s = this.#s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number): JsonValue {
    const c = this.#s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end' : `unexpected character '${this.#s[this.pos]!}'`);
    }
  }

  literal<T>(word: string, v: T): T {
    if (!this.#s.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
    return v;
  }

  object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.pos++;
    const m: JsonObject = new Map();
    this.ws();
    if (this.#s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return m;
    }
    for (;;) {
      if (this.#s.charCodeAt(this.pos) !== 0x22) this.fail('expected a member name');
      const key = this.string();
      if (m.has(key)) this.fail(`duplicate member "${key}"`);
      this.ws();
      if (this.#s.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      m.set(key, this.value(depth));
      this.ws();
      const c = this.#s.charCodeAt(this.pos++);
      if (c === 0x7d) return m;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
      this.ws();
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.pos++;
    const a: JsonValue[] = [];
    this.ws();
    if (this.#s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return a;
    }
    for (;;) {
      a.push(this.value(depth));
      this.ws();
      const c = this.#s.charCodeAt(this.pos++);
      if (c === 0x5d) return a;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
      this.ws();
    }
  }

  string(): string {
    const s = this.#s;
    let p = this.pos + 1;
    const start = p;
    // Fast path: no escapes.
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x22) {
        const out = s.slice(start, p);
        this.pos = p + 1;
        return out;
      }
      if (c === 0x5c || c < 0x20 || Number.isNaN(c)) break;
      p++;
    }
    let out = s.slice(start, p);
    for (;;) {
      const c = s.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.pos = p;
        this.fail('unterminated string');
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail('control character in string');
      }
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out += s[p]!;
        p++;
        continue;
      }
      const e = s[p + 1];
      p += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = s.slice(p, p + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            this.fail('bad \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          this.pos = p - 2;
          this.fail('bad escape');
      }
    }
    this.pos = p + 1;
    try {
      checkWellFormed(out, 'JSON string');
    } catch (e) {
      this.fail((e as Error).message);
    }
    return out;
  }

  number(): number | bigint {
    const s = this.#s;
    const start = this.pos;
    let p = start;
    if (s.charCodeAt(p) === 0x2d) p++;
    const intStart = p;
    while (isDigit(s.charCodeAt(p))) p++;
    if (p === intStart || (s.charCodeAt(intStart) === 0x30 && p - intStart > 1)) {
      this.pos = start;
      this.fail('invalid number');
    }
    let integral = true;
    if (s.charCodeAt(p) === 0x2e) {
      integral = false;
      p++;
      const f = p;
      while (isDigit(s.charCodeAt(p))) p++;
      if (p === f) {
        this.pos = p;
        this.fail('invalid fraction');
      }
    }
    const e = s.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      integral = false;
      p++;
      const sign = s.charCodeAt(p);
      if (sign === 0x2b || sign === 0x2d) p++;
      const x = p;
      while (isDigit(s.charCodeAt(p))) p++;
      if (p === x) {
        this.pos = p;
        this.fail('invalid exponent');
      }
    }
    this.pos = p;
    const text = s.slice(start, p);
    const n = Number(text);
    // Integers a double cannot hold stay exact (64-bit values need 20 digits); longer ones are floats.
    if (integral && !Number.isSafeInteger(n) && text.length <= 21) return BigInt(text);
    if (!Number.isFinite(n)) this.fail(`number ${text} is outside the float range`);
    return n;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Appends `s` as a JSON string literal. */
export function jsonString(s: string): string {
  checkWellFormed(s);
  return JSON.stringify(s);
}
