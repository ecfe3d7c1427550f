import { UnsupportedFormatError } from '../errors.ts';
import type { DefinitionLookup } from '../model/object-definition.ts';
import type { LwM2mPath, PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { decodeCborValue, encodeCbor } from './cbor.ts';
import { canonicalFormat, checkFormatSupports, ContentFormat, formatName, supportsPathList } from './content-format.ts';
import { decodeLwm2mCbor, decodeLwm2mCborPaths, encodeLwm2mCbor, encodeLwm2mCborPaths } from './lwm2m-cbor.ts';
import { decodeOmaJson, encodeOmaJson } from './oma-json.ts';
import { decodeOpaque, encodeOpaque } from './opaque.ts';
import { optionPath } from './paths.ts';
import { ResourceResolver } from './schema.ts';
import { decodeSenmlCbor, decodeSenmlCborPaths, encodeSenmlCbor, encodeSenmlCborPaths } from './senml-cbor.ts';
import { decodeSenmlJson, decodeSenmlJsonPaths, encodeSenmlJson, encodeSenmlJsonPaths } from './senml-json.ts';
import { decodeText, encodeText } from './text.ts';
import { decodeTlv, encodeTlv } from './tlv.ts';

/*
 * The codec dispatch: LwM2M records <-> payload bytes in every LwM2M content format (LwM2M Core
 * 1.1.1 / 1.2 section 7.4).
 *
 * Value types when definitions are missing (a server decoding an object it has no definition for, or
 * `allowUnknownObjects`): the payload's own type is kept.
 *   plain text          -> string (text cannot say more)
 *   opaque              -> Uint8Array
 *   TLV                 -> Uint8Array (the raw value bytes; TLV does not say the type)
 *   CBOR, LwM2M CBOR    -> integer -> number (bigint beyond 2^53), float -> number, text -> string,
 *                          bytes -> Uint8Array, boolean, tag 0/1 time -> Date
 *   SenML JSON/CBOR     -> v -> number (bigint for integers beyond 2^53), vs -> string, vb -> boolean,
 *                          vd -> Uint8Array, vlo -> {oid, iid}; a CBOR tag-1 "v" -> Date
 *   OMA JSON            -> v -> number/bigint, sv -> string, bv -> boolean, ov -> {oid, iid}
 * Encoding without a definition writes the type the JS value implies: safe integers (not -0) ->
 * Integer, other numbers -> Float, bigint -> Integer (Unsigned above 2^63-1), string -> String,
 * boolean, Uint8Array -> Opaque, Date -> Time, {oid, iid} -> Objlnk.
 *
 * With definitions, decoding is strict (CodecError, answered 4.00): unknown object (unless
 * `allowUnknownObjects`) or resource, wrong type, value out of its range, a single-instance object
 * with an instance other than 0, multiplicity mismatches, duplicate paths, a path outside the request
 * path. Formats without timestamps carry one value per path (a record's `time` is then not written);
 * SenML and OMA JSON carry time series, with absolute times (2^28 s and later: smaller ones would read
 * as relative, RFC 8428 4.5.3).
 *
 * Encoded payloads are Node Buffers from the shared pool (Uint8Array subclasses; mind `byteOffset`).
 * Decoded opaque values are always fresh Uint8Arrays, never views of the input.
 */

export interface CodecOptions {
  /** The content format; the LwM2M 1.0 numbers 1542 (TLV) and 1543 (OMA JSON) are accepted. */
  readonly format: number;
  /**
   * The request path: the resource (instance) for single-value formats, the object, instance or
   * resource for TLV and OMA JSON, the root for composite operations and Send.
   */
  readonly basePath: PathLike;
  /** Object definitions: they type values on both sides and validate decoded ones. */
  readonly definitions?: DefinitionLookup | undefined;
}

export interface EncodeOptions extends CodecOptions {
  /**
   * Multi-instance resources to write with zero instances, in the formats that can say so (TLV: an
   * empty multiple resource; LwM2M CBOR: an empty map). Other formats leave them out.
   */
  readonly emptyResources?: readonly PathLike[] | undefined;
}

export interface DecodeOptions extends CodecOptions {
  /** Decode objects the definitions do not know by the no-definition rule instead of failing. */
  readonly allowUnknownObjects?: boolean | undefined;
  /**
   * For a TLV Create on an object path whose payload carries resources without an object instance
   * TLV (LwM2M 1.0 style): the instance id to put them under. Without it such a payload is refused.
   */
  readonly newInstanceId?: number | undefined;
  /** Seconds since 1970 used to resolve SenML / OMA JSON relative times (RFC 8428 4.5.3); without it times stay as written. */
  readonly now?: number | undefined;
}

export interface DecodeResult {
  readonly records: LwM2mRecord[];
  /** Multi-instance resources the payload carried with no instances (TLV, LwM2M CBOR). */
  readonly emptyResources: LwM2mPath[];
}

function unsupported(format: number, accept: boolean): UnsupportedFormatError {
  return new UnsupportedFormatError(`${formatName(format)} is not a value format this codec handles`, { format, accept });
}

function checkTarget(format: number, basePath: LwM2mPath, resolver: ResourceResolver, accept: boolean): void {
  const res = basePath.depth >= 3 ? resolver.lookup(basePath) : undefined;
  checkFormatSupports(
    format,
    { depth: basePath.depth, multiple: basePath.depth === 3 ? res?.multiple : false, type: res?.type },
    { accept },
  );
}

/**
 * Encodes records as a payload of `format` for a request on `basePath`. Records must lie at or below
 * `basePath`, at resource or resource-instance paths. TLV, OMA JSON and LwM2M CBOR write them in path
 * order; SenML keeps the given order. Throws CodecError for records the format or the definitions
 * reject, UnsupportedFormatError (4.06) when the format cannot carry a payload for this path.
 */
export function encode(records: readonly LwM2mRecord[], options: EncodeOptions): Uint8Array {
  const basePath = optionPath(options.basePath);
  const format = canonicalFormat(options.format);
  const resolver = new ResourceResolver(options.definitions);
  checkTarget(format, basePath, resolver, true);
  const empties = options.emptyResources?.map(optionPath) ?? [];
  switch (format) {
    case ContentFormat.TEXT:
      return encodeText(records, basePath, resolver);
    case ContentFormat.OPAQUE:
      return encodeOpaque(records, basePath, resolver);
    case ContentFormat.CBOR:
      return encodeCbor(records, basePath, resolver);
    case ContentFormat.TLV:
      return encodeTlv(records, basePath, resolver, empties);
    case ContentFormat.OMA_JSON:
      return encodeOmaJson(records, basePath, resolver);
    case ContentFormat.SENML_JSON:
      return encodeSenmlJson(records, basePath, resolver);
    case ContentFormat.SENML_CBOR:
      return encodeSenmlCbor(records, basePath, resolver);
    case ContentFormat.LWM2M_CBOR:
      return encodeLwm2mCbor(records, basePath, resolver, empties);
    default:
      throw unsupported(options.format, true);
  }
}

/**
 * Decodes a payload of `format` sent for a request on `basePath` into records, typed and validated
 * by the definitions (see the rules above). Throws CodecError for bad payloads, UnsupportedFormatError
 * (4.15) when the format cannot carry a payload for this path.
 */
export function decode(bytes: Uint8Array, options: DecodeOptions): LwM2mRecord[] {
  return decodeDetailed(bytes, options).records;
}

/** `decode`, also reporting multi-instance resources the payload sent with no instances. */
export function decodeDetailed(bytes: Uint8Array, options: DecodeOptions): DecodeResult {
  const basePath = optionPath(options.basePath);
  const format = canonicalFormat(options.format);
  const resolver = new ResourceResolver(options.definitions, options.allowUnknownObjects === true);
  checkTarget(format, basePath, resolver, false);
  const emptyResources: LwM2mPath[] = [];
  let records: LwM2mRecord[];
  switch (format) {
    case ContentFormat.TEXT:
      records = decodeText(bytes, basePath, resolver);
      break;
    case ContentFormat.OPAQUE:
      records = decodeOpaque(bytes, basePath, resolver);
      break;
    case ContentFormat.CBOR:
      records = decodeCborValue(bytes, basePath, resolver);
      break;
    case ContentFormat.TLV:
      records = decodeTlv(bytes, basePath, resolver, { newInstanceId: options.newInstanceId, emptyResources });
      break;
    case ContentFormat.OMA_JSON:
      records = decodeOmaJson(bytes, basePath, resolver, options.now);
      break;
    case ContentFormat.SENML_JSON:
      records = decodeSenmlJson(bytes, basePath, resolver, options.now);
      break;
    case ContentFormat.SENML_CBOR:
      records = decodeSenmlCbor(bytes, basePath, resolver, options.now);
      break;
    case ContentFormat.LWM2M_CBOR:
      records = decodeLwm2mCbor(bytes, basePath, resolver, emptyResources);
      break;
    default:
      throw unsupported(options.format, false);
  }
  return { records, emptyResources };
}

/**
 * Encodes the path list of a Read-Composite / Observe-Composite request (LwM2M Core 5.4.5, 6.3.3)
 * in SenML JSON, SenML CBOR (records with only a name) or LwM2M CBOR (null leaves).
 */
export function encodePaths(paths: readonly PathLike[], format: number): Uint8Array {
  const list = paths.map(optionPath);
  switch (canonicalFormat(format)) {
    case ContentFormat.SENML_JSON:
      return encodeSenmlJsonPaths(list);
    case ContentFormat.SENML_CBOR:
      return encodeSenmlCborPaths(list);
    case ContentFormat.LWM2M_CBOR:
      return encodeLwm2mCborPaths(list);
    default:
      throw new UnsupportedFormatError(`${formatName(format)} cannot carry a path list`, { format });
  }
}

/** Decodes the path list of a Read-Composite / Observe-Composite request; paths listed twice are a CodecError. */
export function decodePaths(bytes: Uint8Array, format: number): LwM2mPath[] {
  if (!supportsPathList(format)) throw new UnsupportedFormatError(`${formatName(format)} cannot carry a path list`, { format });
  switch (canonicalFormat(format)) {
    case ContentFormat.SENML_JSON:
      return decodeSenmlJsonPaths(bytes);
    case ContentFormat.SENML_CBOR:
      return decodeSenmlCborPaths(bytes);
    default:
      return decodeLwm2mCborPaths(bytes);
  }
}
