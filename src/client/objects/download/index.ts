/**
 * Package download by URI for the Firmware Update and Software Management objects: coap:// and
 * coaps:// block by block through a CoapEndpoint of its own (over DTLS for coaps://), http:// and
 * https:// with Node's fetch.
 */
import { downloadCoap, proxyRequestOptions } from './coap.ts';
import { downloadHttp } from './http.ts';
import type { DownloadOptions, DownloadScheme, DownloadTarget } from './types.ts';
import { ALL_SCHEMES, parsePackageUri } from './uri.ts';

export * from './types.ts';
export { ALL_SCHEMES, DEFAULT_PORTS, parsePackageUri, type PackageUri } from './uri.ts';

const COAP_SCHEMES: ReadonlySet<DownloadScheme> = new Set(['coap', 'coaps']);
const PROXIED_BY_DEFAULT: readonly DownloadScheme[] = ['http', 'https'];

/**
 * Downloads `uri` into `target`, resolving with the number of bytes. Rejects with DownloadError
 * (invalid URI, unsupported scheme, rejected, connection lost), AbortedError, or whatever the
 * target throws. With `coapProxy`, URIs of its schemes are fetched through that CoAP proxy.
 */
export async function download(uri: string, target: DownloadTarget, options: DownloadOptions = {}): Promise<number> {
  const parsed = parsePackageUri(uri, options.schemes ?? ALL_SCHEMES);
  const proxy = options.coapProxy;
  if (proxy !== undefined && (proxy.schemes ?? PROXIED_BY_DEFAULT).includes(parsed.scheme)) {
    const via = parsePackageUri(proxy.uri, COAP_SCHEMES);
    return downloadCoap(via, target, options, proxyRequestOptions(uri.trim()));
  }
  return parsed.scheme === 'coap' || parsed.scheme === 'coaps' ? downloadCoap(parsed, target, options) : downloadHttp(parsed, target, options);
}
