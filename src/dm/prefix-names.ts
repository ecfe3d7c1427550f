/**
 * IoT device prefixes in SenML names (LwM2M Gateway TS 1.1 section 9: in SenML JSON and SenML CBOR
 * the prefix is part of the name of an IoT device's resources, `/dev1/3303/0/5700`).
 *
 * The engine of an IoT device encodes and decodes plain LwM2M names; these pure functions move the
 * prefix in and out of a SenML pack at the byte level, leaving every other field exactly as it was
 * (no re-encoding of values: 64-bit integers, float widths and tags stay intact). The server uses
 * them the other way round. Other formats carry no names: the prefix is only in the Uri-Path.
 */
import { ContentFormat } from '../codec/content-format.ts';
import { prefixLwm2mCbor } from '../codec/lwm2m-cbor.ts';
import { CodecError } from '../errors.ts';

export { isPrefixSegment } from '../model/device-prefix.ts';

/**
 * An IoT device's outgoing payload (Send, notification) with its prefix: in SenML names, or as the
 * text-string key at the top of LwM2M CBOR maps (LwM2M Gateway TS 1.1 section 9; Core 1.2 7.4.7).
 * Formats whose payload holds no paths (text, opaque, CBOR, TLV under a prefixed Uri-Path) are
 * returned unchanged.
 */
export function prefixPayload(payload: Uint8Array, format: number, prefix: string): Uint8Array {
  if (hasSenmlNames(format)) return prefixSenmlNames(payload, format, prefix);
  if (format === ContentFormat.LWM2M_CBOR) return prefixLwm2mCbor(payload, prefix);
  return payload;
}

/** True when `format` is a SenML format whose names carry the prefix. */
export function hasSenmlNames(format: number | undefined): boolean {
  return format === ContentFormat.SENML_JSON || format === ContentFormat.SENML_CBOR;
}

/** New base name / name of one record; undefined keeps the field as it is. */
interface NameEdit {
  readonly bn?: string | undefined;
  readonly n?: string | undefined;
}

type Editor = (index: number, bn: string | undefined, n: string | undefined) => NameEdit;

/**
 * Puts `/prefix` before every resolved name of a SenML pack: each base name is prefixed, and a pack
 * whose first record has no base name gets `bn: "/prefix"` (names then resolve to /prefix + name).
 */
export function prefixSenmlNames(payload: Uint8Array, format: number, prefix: string): Uint8Array {
  const root = '/' + prefix;
  return rewrite(payload, format, (i, bn) => {
    if (bn !== undefined) return { bn: root + bn };
    return i === 0 ? { bn: root } : {};
  });
}

/**
 * Removes a leading `/prefix` from the names of a SenML pack (a base name, or a name resolved under
 * no base name). Names without it are left alone: a request on a prefixed path is the device's anyway.
 */
export function stripSenmlNames(payload: Uint8Array, format: number, prefix: string): Uint8Array {
  const root = '/' + prefix;
  let baseSeen = false;
  const cut = (s: string): string | undefined => (s === root ? '' : s.startsWith(root + '/') ? s.slice(root.length) : undefined);
  return rewrite(payload, format, (_i, bn, n) => {
    if (bn !== undefined) {
      baseSeen = true;
      return { bn: cut(bn) };
    }
    if (!baseSeen && n !== undefined) return { n: cut(n) };
    return {};
  });
}

function rewrite(payload: Uint8Array, format: number, edit: Editor): Uint8Array {
  if (payload.length === 0) return payload;
  if (format === ContentFormat.SENML_JSON) return rewriteJson(payload, edit);
  if (format === ContentFormat.SENML_CBOR) return rewriteCbor(payload, edit);
  return payload;
}

// --- SenML JSON ---------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function rewriteJson(payload: Uint8Array, edit: Editor): Uint8Array {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch (error) {
    throw new CodecError('SenML JSON payload is not UTF-8', { cause: error });
  }
  const s = new JsonScanner(text);
  const out: string[] = [];
  let copied = 0;
  s.ws();
  s.expect('[');
  s.ws();
  let index = 0;
  if (s.peek() === ']') return payload;
  for (;;) {
    s.ws();
    const open = s.pos;
    s.expect('{');
    const fields: { key: string; start: number; end: number; value: string }[] = [];
    s.ws();
    if (s.peek() !== '}') {
      for (;;) {
        s.ws();
        const key = s.string();
        s.ws();
        s.expect(':');
        s.ws();
        const start = s.pos;
        s.skipValue();
        const end = s.pos;
        if (key === 'bn' || key === 'n') fields.push({ key, start, end, value: text.slice(start, end) });
        s.ws();
        if (s.peek() === ',') {
          s.pos++;
          continue;
        }
        break;
      }
    }
    s.expect('}');
    const stringField = (k: string): { start: number; end: number; value: string } | undefined => {
      const f = fields.find((x) => x.key === k);
      if (f === undefined) return undefined;
      const v: unknown = JSON.parse(f.value);
      if (typeof v !== 'string') throw new CodecError(`SenML JSON record ${index}: '${k}' is not a string`);
      return { start: f.start, end: f.end, value: v };
    };
    const bn = stringField('bn');
    const n = stringField('n');
    const change = edit(index, bn?.value, n?.value);
    const edits: { start: number; end: number; text: string }[] = [];
    if (change.bn !== undefined) {
      if (bn !== undefined) edits.push({ start: bn.start, end: bn.end, text: JSON.stringify(change.bn) });
      else edits.push({ start: open + 1, end: open + 1, text: `"bn":${JSON.stringify(change.bn)},` });
    }
    if (change.n !== undefined && n !== undefined) edits.push({ start: n.start, end: n.end, text: JSON.stringify(change.n) });
    edits.sort((a, b) => a.start - b.start);
    for (const e of edits) {
      out.push(text.slice(copied, e.start), e.text);
      copied = e.end;
    }
    index++;
    s.ws();
    if (s.peek() === ',') {
      s.pos++;
      continue;
    }
    s.expect(']');
    break;
  }
  if (copied === 0) return payload;
  out.push(text.slice(copied));
  return encoder.encode(out.join(''));
}

class JsonScanner {
  readonly #text: string;
  pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  peek(): string | undefined {
    return this.#text[this.pos];
  }

  ws(): void {
    while (this.pos < this.#text.length && ' \t\r\n'.includes(this.#text[this.pos]!)) this.pos++;
  }

  expect(c: string): void {
    if (this.#text[this.pos] !== c) throw new CodecError(`SenML JSON: expected '${c}' at offset ${this.pos}`);
    this.pos++;
  }

  /** A string token, decoded. */
  string(): string {
    const start = this.pos;
    this.#skipString();
    const v: unknown = JSON.parse(this.#text.slice(start, this.pos));
    return v as string;
  }

  #skipString(): void {
    this.expect('"');
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t[this.pos++];
      if (c === '\\') this.pos++;
      else if (c === '"') return;
    }
    throw new CodecError('SenML JSON: unterminated string');
  }

  skipValue(): void {
    const t = this.#text;
    const c = t[this.pos];
    if (c === '"') {
      this.#skipString();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      while (this.pos < t.length) {
        const d = t[this.pos];
        if (d === '"') {
          this.#skipString();
          continue;
        }
        this.pos++;
        if (d === '{' || d === '[') depth++;
        else if ((d === '}' || d === ']') && --depth === 0) return;
      }
      throw new CodecError('SenML JSON: unterminated value');
    }
    const start = this.pos;
    while (this.pos < t.length && !',}] \t\r\n'.includes(t[this.pos]!)) this.pos++;
    if (this.pos === start) throw new CodecError(`SenML JSON: expected a value at offset ${start}`);
  }
}

// --- SenML CBOR ---------------------------------------------------------------------------------

const BN_KEY = 0x21; // -2 (RFC 8428 Table 4)
const N_KEY = 0x00; // 0

function rewriteCbor(payload: Uint8Array, edit: Editor): Uint8Array {
  const r = new CborWalker(payload);
  const head = r.header();
  if (head.major !== 4 || head.length === undefined) throw new CodecError('SenML CBOR: the pack is not a definite-length array');
  const chunks: Uint8Array[] = [payload.subarray(0, r.pos)];
  let changed = false;
  for (let index = 0; index < head.length; index++) {
    const mapStart = r.pos;
    const m = r.header();
    if (m.major !== 5) throw new CodecError(`SenML CBOR record ${index} is not a map`);
    const pairs: { key: Uint8Array; keyByte: number | undefined; value: Uint8Array }[] = [];
    const readPair = (): void => {
      const k0 = r.pos;
      r.skip();
      const k1 = r.pos;
      r.skip();
      const key = payload.subarray(k0, k1);
      pairs.push({ key, keyByte: key.length === 1 ? key[0] : undefined, value: payload.subarray(k1, r.pos) });
    };
    if (m.length === undefined) {
      while (payload[r.pos] !== 0xff) {
        if (r.pos >= payload.length) throw new CodecError('SenML CBOR: truncated map');
        readPair();
      }
      r.pos++;
    } else for (let i = 0; i < m.length; i++) readPair();
    const text = (keyByte: number): string | undefined => {
      const p = pairs.find((x) => x.keyByte === keyByte);
      if (p === undefined) return undefined;
      const s = decodeCborText(p.value);
      if (s === undefined) throw new CodecError(`SenML CBOR record ${index}: ${keyByte === BN_KEY ? 'bn' : 'n'} is not a text string`);
      return s;
    };
    const bn = text(BN_KEY);
    const change = edit(index, bn, text(N_KEY));
    if (change.bn === undefined && change.n === undefined) {
      chunks.push(payload.subarray(mapStart, r.pos));
      continue;
    }
    changed = true;
    const out: Uint8Array[] = [];
    let count = pairs.length;
    if (change.bn !== undefined && bn === undefined) {
      count++;
      out.push(Uint8Array.of(BN_KEY), encodeCborText(change.bn));
    }
    for (const p of pairs) {
      out.push(p.key);
      if (p.keyByte === BN_KEY && change.bn !== undefined) out.push(encodeCborText(change.bn));
      else if (p.keyByte === N_KEY && change.n !== undefined) out.push(encodeCborText(change.n));
      else out.push(p.value);
    }
    chunks.push(cborHeader(5, count), ...out);
  }
  if (r.pos !== payload.length) throw new CodecError('SenML CBOR: bytes after the pack');
  if (!changed) return payload;
  return Buffer.concat(chunks);
}

class CborWalker {
  readonly #b: Uint8Array;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  #byte(): number {
    const v = this.#b[this.pos++];
    if (v === undefined) throw new CodecError('SenML CBOR: truncated');
    return v;
  }

  /** Reads an item header: major type and argument (undefined for indefinite length). */
  header(): { major: number; length: number | undefined; ai: number } {
    const b = this.#byte();
    const major = b >> 5;
    const ai = b & 31;
    if (ai < 24) return { major, length: ai, ai };
    if (ai === 31) return { major, length: undefined, ai };
    if (ai > 27) throw new CodecError('SenML CBOR: reserved additional information');
    const size = 1 << (ai - 24);
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.#byte();
    return { major, length: v, ai };
  }

  /** Skips one complete item. */
  skip(): void {
    const { major, length, ai } = this.header();
    switch (major) {
      case 0:
      case 1:
        return;
      case 2:
      case 3:
        if (length === undefined) {
          while (this.#b[this.pos] !== 0xff) this.skip();
          this.pos++;
        } else this.#advance(length);
        return;
      case 4:
      case 5: {
        const per = major === 5 ? 2 : 1;
        if (length === undefined) {
          while (this.#b[this.pos] !== 0xff) {
            if (this.pos >= this.#b.length) throw new CodecError('SenML CBOR: truncated');
            this.skip();
          }
          this.pos++;
        } else for (let i = 0; i < length * per; i++) this.skip();
        return;
      }
      case 6:
        this.skip();
        return;
      default:
        if (ai === 31) throw new CodecError('SenML CBOR: unexpected break');
        return;
    }
  }

  #advance(n: number): void {
    if (this.pos + n > this.#b.length) throw new CodecError('SenML CBOR: truncated');
    this.pos += n;
  }
}

function cborHeader(major: number, value: number): Uint8Array {
  const m = major << 5;
  if (value < 24) return Uint8Array.of(m | value);
  if (value < 0x100) return Uint8Array.of(m | 24, value);
  if (value < 0x10000) return Uint8Array.of(m | 25, value >> 8, value & 0xff);
  return Uint8Array.of(m | 26, (value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

function encodeCborText(s: string): Uint8Array {
  const bytes = encoder.encode(s);
  return Buffer.concat([cborHeader(3, bytes.length), bytes]);
}

function decodeCborText(item: Uint8Array): string | undefined {
  const w = new CborWalker(item);
  const h = w.header();
  if (h.major !== 3 || h.length === undefined || w.pos + h.length !== item.length) return undefined;
  try {
    return utf8.decode(item.subarray(w.pos));
  } catch {
    return undefined;
  }
}
