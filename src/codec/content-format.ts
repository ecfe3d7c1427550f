import { UnsupportedFormatError } from '../errors.ts';
import type { PathDepth } from '../model/path.ts';
import type { ResourceType } from '../model/resource-type.ts';

/**
 * CoAP Content-Format numbers of the LwM2M data formats (LwM2M Core 1.1.1 / 1.2 section 7.4, IANA
 * CoAP Content-Formats registry). 1542/1543 are the numbers LwM2M 1.0 drafts used for TLV and OMA JSON;
 * 1.0 peers still send them, so decoders accept them as aliases of 11542/11543.
 */
export const ContentFormat = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  TLV: 11542,
  OMA_JSON: 11543,
  LWM2M_CBOR: 11544,
  TLV_LEGACY: 1542,
  OMA_JSON_LEGACY: 1543,
} as const;

export type ContentFormat = (typeof ContentFormat)[keyof typeof ContentFormat];

/** A content format after aliases are resolved: 1542 -> 11542, 1543 -> 11543. */
export type CanonicalFormat = Exclude<ContentFormat, 1542 | 1543>;

interface FormatInfo {
  readonly mediaType: string;
  /** Short name used by the CLI and in messages. */
  readonly name: string;
  /** Carries resource values (everything except link-format). */
  readonly values: boolean;
  /** Shallowest request path the format can carry a payload for (0 = root). */
  readonly minDepth: PathDepth;
  /** More than one value (object instance, multi-instance resource) in one payload. */
  readonly multiValue: boolean;
  /** Timestamped values (time series). */
  readonly timestamps: boolean;
  /** Several unrelated paths in one payload (Read-/Write-/Observe-Composite, Send). */
  readonly composite: boolean;
  /** Path-only bodies of Read-/Observe-Composite requests. */
  readonly pathList: boolean;
}

const INFO: ReadonlyMap<number, FormatInfo> = new Map<number, FormatInfo>([
  [0, { mediaType: 'text/plain;charset=utf-8', name: 'text', values: true, minDepth: 3, multiValue: false, timestamps: false, composite: false, pathList: false }],
  [40, { mediaType: 'application/link-format', name: 'link', values: false, minDepth: 0, multiValue: true, timestamps: false, composite: false, pathList: false }],
  [42, { mediaType: 'application/octet-stream', name: 'opaque', values: true, minDepth: 3, multiValue: false, timestamps: false, composite: false, pathList: false }],
  [60, { mediaType: 'application/cbor', name: 'cbor', values: true, minDepth: 3, multiValue: false, timestamps: false, composite: false, pathList: false }],
  [110, { mediaType: 'application/senml+json', name: 'senml-json', values: true, minDepth: 0, multiValue: true, timestamps: true, composite: true, pathList: true }],
  [112, { mediaType: 'application/senml+cbor', name: 'senml-cbor', values: true, minDepth: 0, multiValue: true, timestamps: true, composite: true, pathList: true }],
  [11542, { mediaType: 'application/vnd.oma.lwm2m+tlv', name: 'tlv', values: true, minDepth: 1, multiValue: true, timestamps: false, composite: false, pathList: false }],
  [11543, { mediaType: 'application/vnd.oma.lwm2m+json', name: 'oma-json', values: true, minDepth: 1, multiValue: true, timestamps: true, composite: false, pathList: false }],
  [11544, { mediaType: 'application/vnd.oma.lwm2m+cbor', name: 'lwm2m-cbor', values: true, minDepth: 0, multiValue: true, timestamps: false, composite: true, pathList: true }],
]);

const ALIASES: ReadonlyMap<number, CanonicalFormat> = new Map<number, CanonicalFormat>([
  [1542, 11542],
  [1543, 11543],
]);

/** True for every format this library encodes or decodes, aliases included. */
export function isKnownFormat(format: number): format is ContentFormat {
  return INFO.has(format) || ALIASES.has(format);
}

/** Resolves the LwM2M 1.0 aliases (1542 -> TLV 11542, 1543 -> OMA JSON 11543); other numbers pass through. */
export function canonicalFormat(format: ContentFormat): CanonicalFormat;
export function canonicalFormat(format: number): number;
export function canonicalFormat(format: number): number {
  return ALIASES.get(format) ?? format;
}

function info(format: number): FormatInfo | undefined {
  return INFO.get(canonicalFormat(format));
}

/** The media type of a format, e.g. 11542 -> "application/vnd.oma.lwm2m+tlv"; undefined when unknown. */
export function mediaType(format: number): string | undefined {
  return info(format)?.mediaType;
}

/** A short readable name: "tlv", "senml-cbor", ...; "format N" for unknown numbers. */
export function formatName(format: number): string {
  const i = info(format);
  if (i === undefined) return `format ${format}`;
  return ALIASES.has(format) ? `${i.name} (legacy ${format})` : i.name;
}

/**
 * Parses a format given as a number ("11542"), a short name ("tlv", "senml-json", "json" for OMA
 * JSON) or a media type. Throws UnsupportedFormatError for anything else.
 */
export function parseContentFormat(text: string): CanonicalFormat {
  const t = text.trim().toLowerCase();
  if (/^[0-9]+$/.test(t)) {
    const n = canonicalFormat(Number(t));
    if (INFO.has(n)) return n as CanonicalFormat;
  } else {
    if (t === 'json' || t === 'omajson') return ContentFormat.OMA_JSON;
    if (t === 'plain' || t === 'text/plain') return ContentFormat.TEXT;
    for (const [n, i] of INFO) if (i.name === t || i.mediaType === t) return n as CanonicalFormat;
  }
  throw new UnsupportedFormatError(`unknown content format '${text}'`);
}

/** Formats that carry timestamped values (LwM2M Core 7.4.4, 7.4.5; RFC 8428 4.5.3). */
export function supportsTimestamps(format: number): boolean {
  return info(format)?.timestamps === true;
}

/** Formats usable for composite operations and Send (several unrelated paths). */
export function supportsComposite(format: number): boolean {
  return info(format)?.composite === true;
}

/** Formats usable for the path-only body of Read-Composite / Observe-Composite requests. */
export function supportsPathList(format: number): boolean {
  return info(format)?.pathList === true;
}

/** What a payload is about, for `formatSupports`. */
export interface PayloadTarget {
  /** Depth of the request path (0 root .. 4 resource instance). */
  readonly depth: PathDepth;
  /** The resource at a depth-3 path is multi-instance. */
  readonly multiple?: boolean;
  /** Type of the resource, when the payload addresses one resource (depth 3/4). */
  readonly type?: ResourceType;
}

/**
 * Whether a format can carry the value payload of a request on this path (LwM2M Core 7.4): plain
 * text, opaque and CBOR hold one value of one resource or resource instance (opaque only for Opaque
 * resources); TLV and OMA JSON need at least an object; SenML and LwM2M CBOR also carry the root
 * (composite). Executable resources have no value in any format.
 */
export function formatSupports(format: number, target: PayloadTarget): boolean {
  const i = info(format);
  if (i?.values !== true) return false;
  if (target.depth < i.minDepth) return false;
  if (target.type === 'none') return false;
  if (!i.multiValue && target.depth === 3 && target.multiple === true) return false;
  if (canonicalFormat(format) === ContentFormat.OPAQUE && target.type !== undefined && target.type !== 'opaque') return false;
  return true;
}

/**
 * Throws UnsupportedFormatError (4.15, or 4.06 with `accept`) when `formatSupports` says no, with a
 * message naming the reason.
 */
export function checkFormatSupports(format: number, target: PayloadTarget, options?: { accept?: boolean }): void {
  if (formatSupports(format, target)) return;
  const i = info(format);
  let why: string;
  if (i === undefined) why = 'unknown content format';
  else if (!i.values) why = 'it carries links, not values';
  else if (target.type === 'none') why = 'executable resources have no value';
  else if (target.depth < i.minDepth) why = `it needs a path of depth ${i.minDepth} or more`;
  else if (target.depth === 3 && target.multiple === true) why = 'the resource has several instances';
  else why = `the resource type is ${String(target.type)}`;
  throw new UnsupportedFormatError(`${formatName(format)} cannot carry this payload: ${why}`, {
    format,
    accept: options?.accept === true,
  });
}
