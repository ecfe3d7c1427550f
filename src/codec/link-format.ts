import { CodecError } from '../errors.ts';
import { LwM2mPath } from '../model/path.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';

/*
 * CoRE Link Format (RFC 6690, application/link-format, 40) as LwM2M uses it (LwM2M Core 1.1 5.2.7.3,
 * 5.3.1, 5.4.2, 6.2): Register/Update payloads, Discover and Bootstrap-Discover responses.
 */

/** An attribute value as parsed: the text (quotes and escapes removed), or `true` for a bare `;name`. */
export type LinkAttributeValue = string | true;

/** One link: `<target>;name=value;...`. Attribute order is kept. */
export interface Link {
  readonly target: string;
  readonly attributes: ReadonlyMap<string, LinkAttributeValue>;
}

/** What `makeLink` accepts for an attribute: numbers and lists are formatted; `false`/undefined omit it. */
export type LinkAttributeInput = string | number | boolean | readonly (string | number)[] | undefined;

/** Attributes whose values RFC 6690 / LwM2M write as quoted strings whatever their content. */
const QUOTED = new Set(['rt', 'if', 'uri', 'anchor', 'title', 'rel', 'rev', 'type', 'hreflang', 'media']);
const NAME = /^[A-Za-z0-9!#$&+\-.^_`|~*]+$/;
/** RFC 5988 ptoken characters. */
const PTOKEN = /^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]+$/;

function formatValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) throw new CodecError(`link attribute value ${String(v)} is not a number`);
  return String(v);
}

/**
 * Builds a link. Numbers are written in decimal, arrays as a space-separated list (e.g. ct="60 110"),
 * `true` as a bare attribute; `false`, undefined and an empty array leave the attribute out (an
 * empty list has no value to write: `ct=""` is not a list of content formats).
 */
export function makeLink(target: string, attributes?: Readonly<Record<string, LinkAttributeInput>> | Iterable<readonly [string, LinkAttributeInput]>): Link {
  const map = new Map<string, LinkAttributeValue>();
  if (attributes !== undefined) {
    const entries: Iterable<readonly [string, LinkAttributeInput]> =
      Symbol.iterator in attributes ? attributes : Object.entries(attributes);
    for (const [name, v] of entries) {
      if (!NAME.test(name)) throw new CodecError(`invalid link attribute name '${name}'`);
      if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
      if (map.has(name)) throw new CodecError(`link attribute '${name}' given twice`);
      if (v === true) map.set(name, true);
      else if (Array.isArray(v)) map.set(name, (v as readonly (string | number)[]).map(formatValue).join(' '));
      else map.set(name, formatValue(v as string | number));
    }
  }
  if (target.includes('>')) throw new CodecError(`invalid link target '${target}'`);
  return { target, attributes: map };
}

function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** Serializes one link: quoted values for QUOTED attributes and for anything that is not a ptoken. */
export function formatLink(link: Link): string {
  let s = `<${link.target}>`;
  for (const [name, v] of link.attributes) {
    if (v === true) s += `;${name}`;
    else s += `;${name}=${QUOTED.has(name) || !PTOKEN.test(v) ? quote(v) : v}`;
  }
  return s;
}

/** Serializes links as an RFC 6690 payload: links separated by ",", no whitespace. */
export function formatLinks(links: Iterable<Link>): string {
  const parts: string[] = [];
  for (const l of links) parts.push(formatLink(l));
  return parts.join(',');
}

/** `formatLinks` as UTF-8 bytes (content format 40). */
export function encodeLinks(links: Iterable<Link>): Uint8Array {
  return encodeUtf8(formatLinks(links));
}

class LinkParser {
  pos = 0;
  readonly #s: string;
  constructor(s: string) {
    this.#s = s;
  }

  fail(msg: string): never {
    throw new CodecError(`invalid link-format at offset ${this.pos}: ${msg}`);
  }

  ws(): void {
    while (this.pos < this.#s.length && /[ \t\r\n]/.test(this.#s[this.pos]!)) this.pos++;
  }

  peek(): string | undefined {
    return this.#s[this.pos];
  }

  links(): Link[] {
    const out: Link[] = [];
    this.ws();
    if (this.pos === this.#s.length) return out;
    for (;;) {
      out.push(this.link());
      this.ws();
      if (this.pos === this.#s.length) return out;
      if (this.peek() !== ',') this.fail("expected ',' between links");
      this.pos++;
      this.ws();
    }
  }

  link(): Link {
    if (this.peek() !== '<') this.fail("expected '<'");
    const end = this.#s.indexOf('>', this.pos + 1);
    if (end < 0) this.fail("missing '>'");
    const target = this.#s.slice(this.pos + 1, end);
    if (target.includes('<')) this.fail("'<' inside a link target");
    this.pos = end + 1;
    return { target, attributes: this.attributes(false) };
  }

  /** `;name[=value]` pairs; with `bare`, the first one comes without its ';'. */
  attributes(bare: boolean): Map<string, LinkAttributeValue> {
    const attributes = new Map<string, LinkAttributeValue>();
    let first = bare;
    for (;;) {
      this.ws();
      if (!first) {
        if (this.peek() !== ';') break;
        this.pos++;
        this.ws();
      }
      first = false;
      const start = this.pos;
      while (this.pos < this.#s.length && /[A-Za-z0-9!#$&+\-.^_`|~*]/.test(this.#s[this.pos]!)) this.pos++;
      const name = this.#s.slice(start, this.pos);
      if (name === '') this.fail('expected an attribute name');
      if (attributes.has(name)) this.fail(`attribute '${name}' appears twice`);
      this.ws();
      if (this.peek() !== '=') {
        attributes.set(name, true);
        continue;
      }
      this.pos++;
      this.ws();
      attributes.set(name, this.peek() === '"' ? this.quoted() : this.ptoken());
    }
    return attributes;
  }

  /** A Bootstrap-Discover payload: `links()`, or a bare attribute head (the root's) and then links. */
  bootstrapLinks(): Link[] {
    this.ws();
    const c = this.peek();
    if (c === undefined || c === '<') return this.links();
    const root: Link = { target: '/', attributes: this.attributes(true) };
    this.ws();
    if (this.pos === this.#s.length) return [root];
    if (this.peek() !== ',') this.fail("expected ',' between links");
    this.pos++;
    this.ws();
    if (this.pos === this.#s.length) this.fail("expected a link after ','");
    return [root, ...this.links()];
  }

  quoted(): string {
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.#s[this.pos++];
      if (c === undefined) this.fail('unterminated quoted string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.#s[this.pos++];
        if (e === undefined) this.fail('unterminated quoted string');
        out += e;
      } else out += c;
    }
  }

  ptoken(): string {
    const start = this.pos;
    while (this.pos < this.#s.length && !/[;, \t\r\n"]/.test(this.#s[this.pos]!)) this.pos++;
    const v = this.#s.slice(start, this.pos);
    if (!PTOKEN.test(v)) this.fail('expected an attribute value');
    return v;
  }
}

/**
 * Parses an RFC 6690 payload into links. Whitespace around separators is tolerated (common in the
 * wild); a repeated attribute within a link, an unterminated target or quoted string, or anything
 * outside the grammar is a CodecError. An empty payload has no links.
 */
export function parseLinks(text: string): Link[] {
  return new LinkParser(text).links();
}

/** `parseLinks` of a UTF-8 payload (content format 40). */
export function decodeLinks(bytes: Uint8Array): Link[] {
  return parseLinks(decodeUtf8(bytes));
}

/**
 * Parses a Bootstrap-Discover response (LwM2M Core 1.1.1 5.2.7.3). LwM2M 1.1.1 carries the enabler
 * version on a root link, `</>;lwm2m=1.1,</0/0>,...`; the payloads of LwM2M 1.0.x and 1.1 clients
 * (e.g. Eclipse Wakaama built for 1.0) start with the bare attribute instead, `lwm2m=1.0,</0/0>,...`.
 * Both give a first link `</>` holding those attributes; the rest is parsed as by `parseLinks`.
 */
export function parseBootstrapDiscoverLinks(text: string): Link[] {
  return new LinkParser(text).bootstrapLinks();
}

/** `parseBootstrapDiscoverLinks` of a UTF-8 payload. */
export function decodeBootstrapDiscoverLinks(bytes: Uint8Array): Link[] {
  return parseBootstrapDiscoverLinks(decodeUtf8(bytes));
}

/** The typed LwM2M attributes (LwM2M Core 1.1 5.1.2, 1.2 5.1.2; Register 5.3.1; Bootstrap-Discover 5.2.7.3). */
export interface LwM2mAttributes {
  /** Minimum period, seconds. */
  readonly pmin?: number;
  /** Maximum period, seconds. */
  readonly pmax?: number;
  /** Greater than. */
  readonly gt?: number;
  /** Less than. */
  readonly lt?: number;
  /** Step. */
  readonly st?: number;
  /** Minimum evaluation period, seconds. */
  readonly epmin?: number;
  /** Maximum evaluation period, seconds. */
  readonly epmax?: number;
  /** Edge (LwM2M 1.2): 0 falling, 1 rising. */
  readonly edge?: number;
  /** Confirmable notification (LwM2M 1.2): 0 or 1. */
  readonly con?: number;
  /** Maximum historical queue (LwM2M 1.2). */
  readonly hqmax?: number;
  /** Number of resource instances (Discover). */
  readonly dim?: number;
  /** Object version, e.g. "1.1". */
  readonly ver?: string;
  /** Short server id (Bootstrap-Discover). */
  readonly ssid?: number;
  /** Server URI (Bootstrap-Discover). */
  readonly uri?: string;
  /** Resource type, e.g. "oma.lwm2m". */
  readonly rt?: string;
  /** Content formats (Register root link). */
  readonly ct?: readonly number[];
  /** Enabler version (Bootstrap-Discover root link), e.g. "1.1". */
  readonly lwm2m?: string;
}

const INTEGER_ATTRS = ['pmin', 'pmax', 'epmin', 'epmax', 'edge', 'con', 'hqmax', 'dim', 'ssid'] as const;
const FLOAT_ATTRS = ['gt', 'lt', 'st'] as const;
const VERSION = /^[0-9]+\.[0-9]+$/;
const DECIMAL = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Reads the LwM2M attributes of a link with their types checked: integer attributes are unsigned
 * integers, gt/lt/st decimal numbers, ver/lwm2m "major.minor", ct a list of content formats. Other
 * attributes are ignored. A malformed value is a CodecError.
 */
export function linkAttributes(link: Link): LwM2mAttributes {
  const out: Record<string, unknown> = {};
  const text = (name: string): string | undefined => {
    const v = link.attributes.get(name);
    if (v === true) throw new CodecError(`link ${link.target}: attribute '${name}' needs a value`);
    return v;
  };
  for (const name of INTEGER_ATTRS) {
    const v = text(name);
    if (v === undefined) continue;
    if (!/^[0-9]{1,10}$/.test(v)) throw new CodecError(`link ${link.target}: ${name}=${v} is not an unsigned integer`);
    out[name] = Number(v);
  }
  for (const name of FLOAT_ATTRS) {
    const v = text(name);
    if (v === undefined) continue;
    if (!DECIMAL.test(v)) throw new CodecError(`link ${link.target}: ${name}=${v} is not a number`);
    out[name] = Number(v);
  }
  for (const name of ['ver', 'lwm2m'] as const) {
    const v = text(name);
    if (v === undefined) continue;
    if (!VERSION.test(v)) throw new CodecError(`link ${link.target}: ${name}=${v} is not a version`);
    out[name] = v;
  }
  for (const name of ['uri', 'rt'] as const) {
    const v = text(name);
    if (v !== undefined) out[name] = v;
  }
  const ct = text('ct');
  if (ct !== undefined) {
    const list = ct.trim().split(/\s+/);
    if (!list.every((c) => /^[0-9]{1,5}$/.test(c) && Number(c) <= 65535)) {
      throw new CodecError(`link ${link.target}: ct="${ct}" is not a list of content formats`);
    }
    out.ct = list.map(Number);
  }
  return out;
}

/** Link attributes from typed LwM2M attributes, in the order the interface lists them. */
export function attributeEntries(attrs: LwM2mAttributes): [string, LinkAttributeInput][] {
  const order = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax', 'dim', 'ver', 'ssid', 'uri', 'rt', 'ct', 'lwm2m'] as const;
  const out: [string, LinkAttributeInput][] = [];
  for (const k of order) {
    const v = attrs[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

/**
 * The LwM2M path a link target names (`/3/0/1`, or below `rootPath` such as "/lwm2m"), or undefined
 * when the target is not such a path (e.g. the root link `</>`).
 */
export function linkPath(link: Link, rootPath = ''): LwM2mPath | undefined {
  const root = rootPath.replace(/\/+$/, '');
  if (!link.target.startsWith(root + '/')) return undefined;
  const rest = link.target.slice(root.length);
  if (rest === '/' || !/^(\/[0-9]{1,5}){1,4}$/.test(rest)) return undefined;
  try {
    return LwM2mPath.parse(rest);
  } catch {
    return undefined;
  }
}

/** An object a client registers (LwM2M Core 5.3.1): its id, version, and instance ids. */
export interface RegisteredObject {
  readonly id: number;
  /** Object version; links carry `ver` when it is not "1.0". */
  readonly version?: string;
  readonly instances: readonly number[];
}

/**
 * The links of a Register/Update payload (LwM2M Core 1.1 5.3.1, 6.2.1): a root link
 * `</>;rt="oma.lwm2m"` (with `ct`) when a root path or at least one content format is given, then per object
 * `</oid>;ver=x.y` when its version is not 1.0 or it has no instances, and `</oid/iid>` per instance.
 * The caller leaves out objects that are not registered (Security 0, OSCORE 21).
 */
export function registerLinks(
  objects: readonly RegisteredObject[],
  options: { readonly rootPath?: string; readonly contentFormats?: readonly number[] } = {},
): Link[] {
  const root = (options.rootPath ?? '').replace(/\/+$/, '');
  const links: Link[] = [];
  // No formats to declare is the same as not declaring any: no ct, and no root link unless it names a path.
  const ct = options.contentFormats !== undefined && options.contentFormats.length > 0 ? options.contentFormats : undefined;
  if (root !== '' || ct !== undefined) {
    links.push(makeLink(root === '' ? '/' : root, { rt: 'oma.lwm2m', ct: ct?.length === 1 ? ct[0] : ct }));
  }
  for (const o of [...objects].sort((a, b) => a.id - b.id)) {
    const ver = o.version !== undefined && o.version !== '1.0' ? o.version : undefined;
    if (ver !== undefined || o.instances.length === 0) links.push(makeLink(`${root}/${o.id}`, { ver }));
    for (const iid of [...o.instances].sort((a, b) => a - b)) links.push(makeLink(`${root}/${o.id}/${iid}`));
  }
  return links;
}
