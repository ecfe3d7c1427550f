/**
 * Package download by URI for the Firmware Update and Software Management objects: coap:// and
 * coaps:// block by block through a CoapEndpoint of its own (over DTLS for coaps://), http:// and
 * https:// with Node's fetch.
 */
import { downloadCoap } from './coap.ts';
import { downloadHttp } from './http.ts';
import type { DownloadOptions, DownloadTarget } from './types.ts';
import { ALL_SCHEMES, parsePackageUri } from './uri.ts';

export * from './types.ts';
export { ALL_SCHEMES, DEFAULT_PORTS, parsePackageUri, type PackageUri } from './uri.ts';

/**
 * Downloads `uri` into `target`, resolving with the number of bytes. Rejects with DownloadError
 * (invalid URI, unsupported scheme, rejected, connection lost), AbortedError, or whatever the
 * target throws.
 */
export async function download(uri: string, target: DownloadTarget, options: DownloadOptions = {}): Promise<number> {
  const parsed = parsePackageUri(uri, options.schemes ?? ALL_SCHEMES);
  return parsed.scheme === 'coap' || parsed.scheme === 'coaps' ? downloadCoap(parsed, target, options) : downloadHttp(parsed, target, options);
}
