/**
 * Content formats per enabler version (LwM2M Core 1.0.2 section 6.4, 1.1.1 section 7.4): which
 * formats a client of each version speaks, and which one it answers with when the request has no
 * Accept option.
 *
 * - 1.0: plain text, opaque, TLV and OMA JSON (11542/11543, and the draft numbers 1542/1543),
 *   link-format for Discover. Defaults: plain text for one value (opaque for an Opaque resource),
 *   TLV for several.
 * - 1.1: adds CBOR (60, one value), SenML JSON (110) and SenML CBOR (112), used by the composite
 *   operations and Send. Defaults: plain text / opaque for one value, the client's preferred
 *   multi-value format (SenML CBOR unless configured) for several - the format it advertises with
 *   `ct` in its Register links.
 */
import { UnsupportedFormatError } from '../errors.ts';
import { canonicalFormat, checkFormatSupports, ContentFormat, formatName, supportsComposite } from '../codec/content-format.ts';
import type { PathDepth } from '../model/path.ts';
import type { ResourceType } from '../model/resource-type.ts';

/** The enabler versions the engine implements. */
export type EngineVersion = '1.0' | '1.1';

const V10: ReadonlySet<number> = new Set([ContentFormat.TEXT, ContentFormat.OPAQUE, ContentFormat.TLV, ContentFormat.OMA_JSON, ContentFormat.TLV_LEGACY, ContentFormat.OMA_JSON_LEGACY]);
const V11: ReadonlySet<number> = new Set([...V10, ContentFormat.CBOR, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]);
const COMPOSITE_V11: ReadonlySet<number> = new Set([ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]);

/** What a payload is about: request depth and, for one resource, its multiplicity and type. */
export interface FormatTarget {
  readonly depth: PathDepth;
  readonly multiple?: boolean | undefined;
  readonly type?: ResourceType | undefined;
}

/** The formats of one engine: a small immutable object shared by every client of that version. */
export class FormatProfile {
  readonly version: EngineVersion;
  /** The multi-value format used when the request has no Accept (and advertised with `ct`). */
  readonly preferred: number;
  readonly #values: ReadonlySet<number>;

  constructor(version: EngineVersion, preferred?: number) {
    this.version = version;
    this.#values = version === '1.0' ? V10 : V11;
    const p = preferred ?? (version === '1.0' ? ContentFormat.TLV : ContentFormat.SENML_CBOR);
    if (!this.#values.has(p) || (p !== ContentFormat.TLV && p !== ContentFormat.OMA_JSON && !supportsComposite(p))) {
      throw new UnsupportedFormatError(`${formatName(p)} cannot be the preferred multi-value format of a LwM2M ${version} client`, { format: p });
    }
    this.preferred = p;
  }

  /** Whether the version speaks this value format (link-format aside). */
  speaks(format: number): boolean {
    return this.#values.has(format);
  }

  /** Whether composite operations and Send may use this format. */
  composite(format: number): boolean {
    return this.version !== '1.0' && COMPOSITE_V11.has(canonicalFormat(format));
  }

  /**
   * The format of a response for `target`: the Accept option when given (4.06 when this version
   * does not speak it or it cannot carry the target), else the default for the target.
   */
  responseFormat(accept: number | undefined, target: FormatTarget): number {
    if (accept !== undefined) {
      if (!this.#values.has(accept)) throw new UnsupportedFormatError(`a LwM2M ${this.version} client does not answer in ${formatName(accept)}`, { format: accept, accept: true });
      checkFormatSupports(accept, target, { accept: true });
      return accept;
    }
    const single = target.depth === 4 || (target.depth === 3 && target.multiple !== true);
    if (single) return target.type === 'opaque' ? ContentFormat.OPAQUE : ContentFormat.TEXT;
    return this.preferred;
  }

  /**
   * The format of a request payload for `target`: the Content-Format option (4.15 when this version
   * does not speak it or it cannot carry the target); without one, plain text (CoAP's default,
   * LwM2M 1.0.2 section 8.2).
   */
  requestFormat(contentFormat: number | undefined, target: FormatTarget): number {
    const f = contentFormat ?? ContentFormat.TEXT;
    if (!this.#values.has(f)) throw new UnsupportedFormatError(`a LwM2M ${this.version} client does not read ${formatName(f)} payloads`, { format: f });
    checkFormatSupports(f, target);
    return f;
  }

  /** The format of a composite response: Accept, else the request's format, else the preferred one. */
  compositeResponseFormat(accept: number | undefined, requestFormat: number | undefined): number {
    if (accept !== undefined) {
      if (!this.composite(accept)) throw new UnsupportedFormatError(`${formatName(accept)} cannot carry a composite response`, { format: accept, accept: true });
      return accept;
    }
    if (requestFormat !== undefined && this.composite(requestFormat)) return requestFormat;
    return this.composite(this.preferred) ? this.preferred : ContentFormat.SENML_CBOR;
  }

  /** The format of a composite request body (path list or values): 4.15 unless SenML JSON/CBOR. */
  compositeRequestFormat(contentFormat: number | undefined): number {
    if (contentFormat === undefined || !this.composite(contentFormat)) {
      throw new UnsupportedFormatError(`a composite request needs SenML JSON or SenML CBOR, got ${contentFormat === undefined ? 'no Content-Format' : formatName(contentFormat)}`, { format: contentFormat });
    }
    return contentFormat;
  }

  /** Formats listed in the Register root link's `ct` (LwM2M Core 1.1.1 6.2.1; 1.0.2 5.3.1: JSON support). */
  registerContentFormats(): number[] {
    return this.version === '1.0' ? [ContentFormat.OMA_JSON] : [this.preferred];
  }
}

const PROFILES = new Map<string, FormatProfile>();

/** The shared profile of a version and preferred format. */
export function formatProfile(version: EngineVersion, preferred?: number): FormatProfile {
  const key = `${version}/${String(preferred)}`;
  let p = PROFILES.get(key);
  if (p === undefined) {
    p = new FormatProfile(version, preferred);
    PROFILES.set(key, p);
  }
  return p;
}
