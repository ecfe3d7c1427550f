/**
 * CoAP option registry and typed accessors (RFC 7252 3.2, 5.4, 5.10; RFC 7641 2; RFC 7959 2.1, 4;
 * RFC 8613 2; RFC 8768; RFC 7967; RFC 9175; RFC 9177).
 */
import { CoapEncodeError, CoapOption, type CoapOptionEntry } from './message.ts';

export type OptionFormat = 'empty' | 'opaque' | 'uint' | 'string';

export interface OptionDefinition {
  readonly number: number;
  readonly name: string;
  readonly format: OptionFormat;
  readonly minLength: number;
  readonly maxLength: number;
  readonly repeatable: boolean;
}

function def(number: number, name: string, format: OptionFormat, minLength: number, maxLength: number, repeatable = false): OptionDefinition {
  return Object.freeze({ number, name, format, minLength, maxLength, repeatable });
}

/** Every option this stack knows, by number. */
export const OPTION_REGISTRY: ReadonlyMap<number, OptionDefinition> = new Map(
  [
    def(CoapOption.IF_MATCH, 'If-Match', 'opaque', 0, 8, true),
    def(CoapOption.URI_HOST, 'Uri-Host', 'string', 1, 255),
    def(CoapOption.ETAG, 'ETag', 'opaque', 1, 8, true),
    def(CoapOption.IF_NONE_MATCH, 'If-None-Match', 'empty', 0, 0),
    def(CoapOption.OBSERVE, 'Observe', 'uint', 0, 3),
    def(CoapOption.URI_PORT, 'Uri-Port', 'uint', 0, 2),
    def(CoapOption.LOCATION_PATH, 'Location-Path', 'string', 0, 255, true),
    def(CoapOption.OSCORE, 'OSCORE', 'opaque', 0, 255),
    def(CoapOption.URI_PATH, 'Uri-Path', 'string', 0, 255, true),
    def(CoapOption.CONTENT_FORMAT, 'Content-Format', 'uint', 0, 2),
    def(CoapOption.MAX_AGE, 'Max-Age', 'uint', 0, 4),
    def(CoapOption.URI_QUERY, 'Uri-Query', 'string', 0, 255, true),
    def(CoapOption.HOP_LIMIT, 'Hop-Limit', 'uint', 1, 1),
    def(CoapOption.ACCEPT, 'Accept', 'uint', 0, 2),
    def(CoapOption.Q_BLOCK1, 'Q-Block1', 'uint', 0, 3),
    def(CoapOption.LOCATION_QUERY, 'Location-Query', 'string', 0, 255, true),
    def(CoapOption.BLOCK2, 'Block2', 'uint', 0, 3),
    def(CoapOption.BLOCK1, 'Block1', 'uint', 0, 3),
    def(CoapOption.SIZE2, 'Size2', 'uint', 0, 4),
    def(CoapOption.Q_BLOCK2, 'Q-Block2', 'uint', 0, 3),
    def(CoapOption.PROXY_URI, 'Proxy-Uri', 'string', 1, 1034),
    def(CoapOption.PROXY_SCHEME, 'Proxy-Scheme', 'string', 1, 255),
    def(CoapOption.SIZE1, 'Size1', 'uint', 0, 4),
    def(CoapOption.ECHO, 'Echo', 'opaque', 1, 40),
    def(CoapOption.NO_RESPONSE, 'No-Response', 'uint', 0, 1),
    def(CoapOption.REQUEST_TAG, 'Request-Tag', 'opaque', 0, 8, true),
  ].map((d) => [d.number, d]),
);

/** Critical options have odd numbers (RFC 7252 5.4.1, 5.4.6). */
export function isCritical(optionNumber: number): boolean {
  return (optionNumber & 1) === 1;
}

/** Unsafe-to-forward options have bit 1 set (RFC 7252 5.4.2). */
export function isUnsafe(optionNumber: number): boolean {
  return (optionNumber & 2) === 2;
}

/**
 * Returns the first critical option a receiver must reject (RFC 7252 5.4.1, 5.4.3, 5.4.5): one not
 * in `supported`, one whose length is outside its definition, or a supernumerary occurrence of a
 * non-repeatable one. Elective problems are ignored, as the RFC asks.
 */
export function findBadCriticalOption(options: readonly CoapOptionEntry[], supported: ReadonlySet<number>): number | undefined {
  let previous = -1;
  for (const o of options) {
    const n = o.number;
    const repeated = n === previous;
    previous = n;
    if ((n & 1) === 0) continue;
    if (!supported.has(n)) return n;
    const d = OPTION_REGISTRY.get(n);
    if (d === undefined) continue;
    if (o.value.length < d.minLength || o.value.length > d.maxLength) return n;
    if (repeated && !d.repeatable) return n;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Value formats (RFC 7252 3.2)

/** Encodes a uint option value in the fewest bytes (0 is the empty value). Up to 2^48-1. */
export function encodeUint(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff_ffff) throw new CoapEncodeError(`uint option value out of range: ${n}`);
  if (n === 0) return new Uint8Array(0);
  if (n < 0x100) return Uint8Array.of(n);
  if (n < 0x10000) return Uint8Array.of(n >>> 8, n & 0xff);
  if (n < 0x1000000) return Uint8Array.of(n >>> 16, (n >>> 8) & 0xff, n & 0xff);
  if (n < 0x100000000) return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const out = new Uint8Array(6);
  let v = n;
  for (let i = 5; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  let start = 0;
  while (out[start] === 0) start++;
  return out.subarray(start);
}

/** Decodes a uint option value (leading zero bytes are tolerated, as the RFC allows). */
export function decodeUint(value: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) n = n * 256 + value[i]!;
  return n;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a string option value (UTF-8, RFC 7252 3.2). */
export function encodeString(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Decodes a string option value; throws TypeError on invalid UTF-8. ASCII takes a fast path. */
export function decodeString(value: Uint8Array): string {
  const n = value.length;
  if (n <= 64) {
    let s = '';
    for (let i = 0; i < n; i++) {
      const b = value[i]!;
      if (b >= 0x80) return utf8Decoder.decode(value);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8Decoder.decode(value);
}

// ---------------------------------------------------------------------------------------------
// Block options (RFC 7959 2.2)

/** The decoded value of a Block1/Block2 option. Block size is 2^(szx+4). */
export interface BlockOption {
  readonly num: number;
  readonly more: boolean;
  /** 0..6 (16..1024 bytes); 7 is reserved and rejected by the endpoint. */
  readonly szx: number;
}

export function blockSize(szx: number): number {
  return 1 << (szx + 4);
}

/** The largest SZX whose block size is <= `bytes` (clamped to 0..6). */
export function szxFor(bytes: number): number {
  let szx = 6;
  while (szx > 0 && blockSize(szx) > bytes) szx--;
  return szx;
}

export function encodeBlock(b: BlockOption): Uint8Array {
  if (!Number.isInteger(b.num) || b.num < 0 || b.num > 0xfffff) throw new CoapEncodeError(`block number out of range: ${b.num}`);
  if (!Number.isInteger(b.szx) || b.szx < 0 || b.szx > 7) throw new CoapEncodeError(`block szx out of range: ${b.szx}`);
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

export function decodeBlock(value: Uint8Array): BlockOption {
  const v = decodeUint(value);
  return { num: Math.floor(v / 16), more: (v & 8) !== 0, szx: v & 7 };
}

// ---------------------------------------------------------------------------------------------
// Lookup helpers: `options` is always in ascending number order.

/** The first value of an option, or undefined. */
export function getOption(options: readonly CoapOptionEntry[], number: number): Uint8Array | undefined {
  for (const o of options) {
    if (o.number === number) return o.value;
    if (o.number > number) return undefined;
  }
  return undefined;
}

/** Every value of a (repeatable) option, in order. */
export function getOptions(options: readonly CoapOptionEntry[], number: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const o of options) {
    if (o.number === number) out.push(o.value);
    else if (o.number > number) break;
  }
  return out;
}

export function hasOption(options: readonly CoapOptionEntry[], number: number): boolean {
  return getOption(options, number) !== undefined;
}

export function getUintOption(options: readonly CoapOptionEntry[], number: number): number | undefined {
  const v = getOption(options, number);
  return v === undefined ? undefined : decodeUint(v);
}

/** Every value of a string option; throws TypeError on invalid UTF-8. */
export function getStringOptions(options: readonly CoapOptionEntry[], number: number): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o.number === number) out.push(decodeString(o.value));
    else if (o.number > number) break;
  }
  return out;
}

export function getBlockOption(options: readonly CoapOptionEntry[], number: number): BlockOption | undefined {
  const v = getOption(options, number);
  return v === undefined ? undefined : decodeBlock(v);
}

export const uriPath = (o: readonly CoapOptionEntry[]): string[] => getStringOptions(o, CoapOption.URI_PATH);
export const uriQuery = (o: readonly CoapOptionEntry[]): string[] => getStringOptions(o, CoapOption.URI_QUERY);
export const locationPath = (o: readonly CoapOptionEntry[]): string[] => getStringOptions(o, CoapOption.LOCATION_PATH);
export const locationQuery = (o: readonly CoapOptionEntry[]): string[] => getStringOptions(o, CoapOption.LOCATION_QUERY);
export const contentFormat = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.CONTENT_FORMAT);
export const accept = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.ACCEPT);
export const observe = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.OBSERVE);
export const maxAge = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.MAX_AGE);
export const size1 = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.SIZE1);
export const size2 = (o: readonly CoapOptionEntry[]): number | undefined => getUintOption(o, CoapOption.SIZE2);
export const block1 = (o: readonly CoapOptionEntry[]): BlockOption | undefined => getBlockOption(o, CoapOption.BLOCK1);
export const block2 = (o: readonly CoapOptionEntry[]): BlockOption | undefined => getBlockOption(o, CoapOption.BLOCK2);
export const etag = (o: readonly CoapOptionEntry[]): Uint8Array | undefined => getOption(o, CoapOption.ETAG);

// ---------------------------------------------------------------------------------------------
// Building option lists

/** An option entry holding a uint. */
export function uintOption(number: number, value: number): CoapOptionEntry {
  return { number, value: encodeUint(value) };
}

/** An option entry holding a UTF-8 string. */
export function stringOption(number: number, value: string): CoapOptionEntry {
  return { number, value: encodeString(value) };
}

export function blockOption(number: number, value: BlockOption): CoapOptionEntry {
  return { number, value: encodeBlock(value) };
}

/** Sorts entries by number, keeping the relative order of equal numbers (RFC 7252 3.1). */
export function sortOptions(options: readonly CoapOptionEntry[]): CoapOptionEntry[] {
  const out = options.slice();
  for (let i = 1; i < out.length; i++) {
    const item = out[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]!.number > item.number) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = item;
  }
  return out;
}

/**
 * Returns a new sorted list where every instance of `number` is replaced by `values` (none to
 * remove the option). The input list is not changed.
 */
export function setOption(
  options: readonly CoapOptionEntry[],
  number: number,
  values: Uint8Array | readonly Uint8Array[] | undefined,
): CoapOptionEntry[] {
  const list = values === undefined ? [] : values instanceof Uint8Array ? [values] : values;
  const out: CoapOptionEntry[] = [];
  let inserted = false;
  for (const o of options) {
    if (o.number === number) continue;
    if (!inserted && o.number > number) {
      for (const value of list) out.push({ number, value });
      inserted = true;
    }
    out.push(o);
  }
  if (!inserted) for (const value of list) out.push({ number, value });
  return out;
}

/** Returns a new list without the given option numbers. */
export function removeOptions(options: readonly CoapOptionEntry[], ...numbers: number[]): CoapOptionEntry[] {
  return options.filter((o) => !numbers.includes(o.number));
}

/** The options a request or response commonly needs, as typed values. */
export interface CoapOptionsInit {
  ifMatch?: readonly Uint8Array[];
  uriHost?: string;
  etag?: Uint8Array | readonly Uint8Array[];
  ifNoneMatch?: boolean;
  observe?: number;
  uriPort?: number;
  locationPath?: readonly string[];
  /** Segments, or a '/'-separated path ("/3/0/1"). */
  uriPath?: readonly string[] | string;
  contentFormat?: number;
  maxAge?: number;
  /** Entries, or an '&'-separated query ("ep=a&lt=60"). */
  uriQuery?: readonly string[] | string;
  accept?: number;
  locationQuery?: readonly string[];
  block2?: BlockOption;
  block1?: BlockOption;
  size2?: number;
  proxyUri?: string;
  proxyScheme?: string;
  size1?: number;
  /** Further raw options (any number). */
  other?: readonly CoapOptionEntry[];
}

/** Splits "/3/0/1" into Uri-Path segments; "" and "/" give none. */
export function splitPath(path: string): string[] {
  const body = path.startsWith('/') ? path.slice(1) : path;
  return body === '' ? [] : body.split('/');
}

/** Splits "a=1&b" into Uri-Query entries; "" gives none. */
export function splitQuery(query: string): string[] {
  const body = query.startsWith('?') ? query.slice(1) : query;
  return body === '' ? [] : body.split('&');
}

/** Builds a sorted option list from typed values. */
export function buildOptions(init: CoapOptionsInit): CoapOptionEntry[] {
  const out: CoapOptionEntry[] = [];
  for (const v of init.ifMatch ?? []) out.push({ number: CoapOption.IF_MATCH, value: v });
  if (init.uriHost !== undefined) out.push(stringOption(CoapOption.URI_HOST, init.uriHost));
  if (init.etag !== undefined) {
    for (const v of init.etag instanceof Uint8Array ? [init.etag] : init.etag) out.push({ number: CoapOption.ETAG, value: v });
  }
  if (init.ifNoneMatch === true) out.push({ number: CoapOption.IF_NONE_MATCH, value: new Uint8Array(0) });
  if (init.observe !== undefined) out.push(uintOption(CoapOption.OBSERVE, init.observe));
  if (init.uriPort !== undefined) out.push(uintOption(CoapOption.URI_PORT, init.uriPort));
  for (const s of init.locationPath ?? []) out.push(stringOption(CoapOption.LOCATION_PATH, s));
  const path = typeof init.uriPath === 'string' ? splitPath(init.uriPath) : (init.uriPath ?? []);
  for (const s of path) out.push(stringOption(CoapOption.URI_PATH, s));
  if (init.contentFormat !== undefined) out.push(uintOption(CoapOption.CONTENT_FORMAT, init.contentFormat));
  if (init.maxAge !== undefined) out.push(uintOption(CoapOption.MAX_AGE, init.maxAge));
  const query = typeof init.uriQuery === 'string' ? splitQuery(init.uriQuery) : (init.uriQuery ?? []);
  for (const s of query) out.push(stringOption(CoapOption.URI_QUERY, s));
  if (init.accept !== undefined) out.push(uintOption(CoapOption.ACCEPT, init.accept));
  for (const s of init.locationQuery ?? []) out.push(stringOption(CoapOption.LOCATION_QUERY, s));
  if (init.block2 !== undefined) out.push(blockOption(CoapOption.BLOCK2, init.block2));
  if (init.block1 !== undefined) out.push(blockOption(CoapOption.BLOCK1, init.block1));
  if (init.size2 !== undefined) out.push(uintOption(CoapOption.SIZE2, init.size2));
  if (init.proxyUri !== undefined) out.push(stringOption(CoapOption.PROXY_URI, init.proxyUri));
  if (init.proxyScheme !== undefined) out.push(stringOption(CoapOption.PROXY_SCHEME, init.proxyScheme));
  if (init.size1 !== undefined) out.push(uintOption(CoapOption.SIZE1, init.size1));
  if (init.other !== undefined) out.push(...init.other);
  return sortOptions(out);
}

/** A readable dump of options ("Uri-Path: temperature, Observe: 0"), for logs and the demo. */
export function describeOptions(options: readonly CoapOptionEntry[]): string {
  return options
    .map((o) => {
      const d = OPTION_REGISTRY.get(o.number);
      const name = d?.name ?? `Option ${o.number}`;
      let text: string;
      if (o.number === CoapOption.BLOCK1 || o.number === CoapOption.BLOCK2) {
        const b = decodeBlock(o.value);
        text = `${b.num}/${b.more ? 1 : 0}/${blockSize(b.szx)}`;
      } else if (d?.format === 'uint') text = String(decodeUint(o.value));
      else if (d?.format === 'string') {
        try {
          text = decodeString(o.value);
        } catch {
          text = `0x${Buffer.from(o.value).toString('hex')}`;
        }
      } else text = o.value.length === 0 ? '(empty)' : `0x${Buffer.from(o.value).toString('hex')}`;
      return `${name}: ${text}`;
    })
    .join(', ');
}
