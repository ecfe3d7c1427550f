/**
 * Package URIs (RFC 3986; LwM2M Core E.6 /5/0/1): parsing and the scheme check. A URI that does not
 * parse or has no host is 'invalid-uri'; a scheme outside the supported set is 'unsupported-protocol'.
 */
import { DownloadError, type DownloadScheme } from './types.ts';

export const ALL_SCHEMES: ReadonlySet<DownloadScheme> = new Set(['coap', 'coaps', 'http', 'https']);

/** Default ports per scheme (RFC 7252 6.1/6.2, RFC 9110 4.2). */
export const DEFAULT_PORTS: Readonly<Record<DownloadScheme, number>> = { coap: 5683, coaps: 5684, http: 80, https: 443 };

export interface PackageUri {
  readonly url: URL;
  readonly scheme: DownloadScheme;
  /** Host without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

function isScheme(s: string): s is DownloadScheme {
  return (ALL_SCHEMES as ReadonlySet<string>).has(s);
}

/** Parses and checks a package URI; throws DownloadError ('invalid-uri' or 'unsupported-protocol'). */
export function parsePackageUri(uri: string, schemes: ReadonlySet<DownloadScheme> = ALL_SCHEMES): PackageUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (error) {
    throw new DownloadError('invalid-uri', `'${uri}' is not a URI`, { cause: error });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!isScheme(scheme) || !schemes.has(scheme)) {
    throw new DownloadError('unsupported-protocol', `scheme '${scheme}' of '${uri}' is not supported (supported: ${[...schemes].join(', ')})`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new DownloadError('invalid-uri', `'${uri}' has no host`);
  if (url.username !== '' && (scheme === 'coap' || scheme === 'coaps')) throw new DownloadError('invalid-uri', `a CoAP URI has no user information: '${uri}'`);
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  return { url, scheme, host, port };
}
