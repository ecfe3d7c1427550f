/**
 * The codec layer's public surface (LwM2M Core 7.4 data formats, RFC 6690 link format). Everything
 * else in src/codec is internal to the formats.
 */
export { decode, decodeDetailed, decodePaths, encode, encodePaths } from './codec.ts';
export type { CodecOptions, DecodeOptions, DecodeResult, EncodeOptions } from './codec.ts';
export {
  canonicalFormat,
  checkFormatSupports,
  ContentFormat,
  formatName,
  formatSupports,
  isKnownFormat,
  mediaType,
  parseContentFormat,
  supportsComposite,
  supportsPathList,
  supportsTimestamps,
} from './content-format.ts';
export type { CanonicalFormat, PayloadTarget } from './content-format.ts';
export {
  attributeEntries,
  decodeBootstrapDiscoverLinks,
  decodeLinks,
  encodeLinks,
  formatLink,
  formatLinks,
  linkAttributes,
  linkPath,
  makeLink,
  parseBootstrapDiscoverLinks,
  parseLinks,
  registerLinks,
} from './link-format.ts';
export type { Link, LinkAttributeInput, LinkAttributeValue, LwM2mAttributes, RegisteredObject } from './link-format.ts';
export { readSenmlCbor, SenmlLabel } from './senml-cbor.ts';
export { readSenmlJson } from './senml-json.ts';
export { RELATIVE_TIME_LIMIT, resolveSenml, SENML_VERSION } from './senml.ts';
export type { ResolvedSenml, SenmlRecord, SenmlValue } from './senml.ts';
export { TlvType } from './tlv.ts';
export { fromBase64, toBase64, toBase64Url } from './base64.ts';
export { formatObjlnk, inferType, isObjectLink, parseObjlnk, valueFits } from './values.ts';
