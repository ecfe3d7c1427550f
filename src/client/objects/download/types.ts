/**
 * What the package downloaders (Firmware Update /5/0/1 and Software Management /9/x/3 Package URI)
 * share: the target bytes go to, progress, options and the typed failure.
 */
import { LwM2mError, type LwM2mErrorOptions } from '../../../errors.ts';
import type { DtlsClientOptions } from '../../../transport/dtls/options.ts';
import type { Clock } from '../../../util/clock.ts';

/** URI schemes a downloader implements (Firmware Update Protocol Support /5/0/8 values 0..3). */
export type DownloadScheme = 'coap' | 'coaps' | 'http' | 'https';

/** Why a download failed. */
export type DownloadFailure =
  /** The URI does not parse, has no host, or names a host that does not resolve. */
  | 'invalid-uri'
  /** The scheme is not one the client supports. */
  | 'unsupported-protocol'
  /** The server answered that the resource does not exist or may not be fetched (4.xx). */
  | 'rejected'
  /** The server stopped answering, reset the exchange, answered 5.xx, or the DTLS/TLS session failed. */
  | 'connection-lost';

/** A download that did not complete; what the application's target throws passes through unchanged. */
export class DownloadError extends LwM2mError {
  readonly reason: DownloadFailure;
  constructor(reason: DownloadFailure, message: string, options?: LwM2mErrorOptions) {
    super('DOWNLOAD', message, options);
    this.reason = reason;
  }
}

/** Where downloaded bytes go, in order. */
export interface DownloadTarget {
  /** Bytes at `offset` (the byte count written so far). May be async: the next read waits. */
  write(chunk: Uint8Array, offset: number): void | Promise<void>;
  /** The server's representation changed (or it ignored a range request): discard what was written, offset 0 follows. */
  restart(): void | Promise<void>;
}

export interface DownloadProgress {
  readonly received: number;
  /** When the server announced it (Size2, Content-Length). */
  readonly total: number | undefined;
}

/** CoAP block-wise download settings (RFC 7252 4.8 transmission parameters for the download socket). */
export interface CoapDownloadOptions {
  /** Block size requested, 16..1024 (default 1024). */
  readonly blockSize?: number;
  /** RFC 7252 ACK_TIMEOUT in ms (default 2000). */
  readonly ackTimeout?: number;
  /** RFC 7252 ACK_RANDOM_FACTOR (default 1.5). */
  readonly ackRandomFactor?: number;
  /** RFC 7252 MAX_RETRANSMIT (default 4). */
  readonly maxRetransmit?: number;
  /** Wait for a separate response after an empty ACK, ms (default 30000). */
  readonly responseTimeout?: number;
  /** Further attempts at a block whose exchange failed, resuming where the transfer stopped (default 3). */
  readonly blockRetries?: number;
  /** Local address of the download socket (default any, of the server's family). */
  readonly localAddress?: string;
}

/** HTTP(S) download settings. */
export interface HttpDownloadOptions {
  /** The fetch implementation (default the global fetch of Node). */
  readonly fetch?: typeof fetch;
  /** Further attempts after a broken connection, resuming with a Range request (default 3). */
  readonly retries?: number;
  /** Give up when no byte arrived for this long, ms (default 30000). */
  readonly idleTimeout?: number;
  /** Extra request headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DownloadOptions {
  /** Schemes allowed (default all four). */
  readonly schemes?: ReadonlySet<DownloadScheme>;
  readonly signal?: AbortSignal;
  /** Timers of the CoAP retransmission and the HTTP idle timeout (default system clock). */
  readonly clock?: Clock;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly coap?: CoapDownloadOptions;
  readonly http?: HttpDownloadOptions;
  /** DTLS settings for a coaps:// URI; undefined fails the download ('connection-lost'). */
  readonly dtls?: (uri: URL) => DtlsClientOptions | undefined;
  /** Fetch packages through a CoAP forward proxy (e.g. a CoAP-HTTP proxy), as the seed's pull proxy support. */
  readonly coapProxy?: CoapProxyOptions;
}

/**
 * A CoAP forward proxy (RFC 7252 5.7): package URIs of `schemes` are requested from `uri` with the
 * package URI in Proxy-Uri, block-wise like a coap:// download (the proxy's DTLS settings come from
 * the `dtls` option with the proxy's URI).
 */
export interface CoapProxyOptions {
  /** coap:// or coaps:// URI of the proxy, e.g. coap://proxy.example:5683. */
  readonly uri: string;
  /** Package URI schemes fetched through the proxy (default http and https). */
  readonly schemes?: readonly DownloadScheme[];
}
