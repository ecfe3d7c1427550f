/**
 * Block-wise CoAP download (RFC 7959 2.4; LwM2M Core E.6 "A LwM2M Client MUST support block-wise
 * transfer"): GET with Block2, one block per confirmable exchange of a CoapEndpoint on a socket of
 * its own (DTLS under it for coaps://). Each block is its own request (`block2` of RequestOptions)
 * rather than one transparent transfer, so that the body streams into the target instead of being
 * held whole, and a lost block is asked for again without starting over. The first request asks
 * for Size2 (RFC 7959 4) to report progress against the total. A block whose exchange fails (every
 * retransmission lost, RST, a transport failure) is asked for again, up to `blockRetries` times,
 * and the transfer resumes from there; a changed ETag restarts from block 0.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CoapEndpoint } from '../../../coap/endpoint.ts';
import type { IncomingResponse } from '../../../coap/incoming.ts';
import { CoapCode, CoapOption, type CoapOptionEntry } from '../../../coap/message.ts';
import { blockSize, buildOptions, decodeBlock, encodeUint, getOption, getUintOption, setOption, szxFor } from '../../../coap/options.ts';
import { AbortedError, RequestRejectedError, TimeoutError, formatCoapCode } from '../../../errors.ts';
import { DtlsTransport } from '../../../transport/dtls/dtls-transport.ts';
import type { Peer, Transport } from '../../../transport/transport.ts';
import { UdpTransport } from '../../../transport/udp.ts';
import { DownloadError, type DownloadOptions, type DownloadTarget } from './types.ts';
import type { PackageUri } from './uri.ts';

const MAX_ETAG_RESTARTS = 3;

async function resolvePeer(uri: PackageUri): Promise<Peer> {
  if (isIP(uri.host) !== 0) return { address: uri.host, port: uri.port };
  try {
    const { address } = await lookup(uri.host);
    return { address, port: uri.port };
  } catch (error) {
    throw new DownloadError('invalid-uri', `cannot resolve '${uri.host}'`, { cause: error });
  }
}

/** Uri-Host (for a name), Uri-Path and Uri-Query of a coap(s) URI (RFC 7252 6.4). */
export function requestOptions(uri: PackageUri): CoapOptionEntry[] {
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new DownloadError('invalid-uri', `'${uri.url.href}' has a malformed percent-encoding`);
    }
  };
  const pathText = uri.url.pathname;
  const path = pathText === '' || pathText === '/' ? [] : pathText.slice(1).split('/').map(decode);
  const query = uri.url.search === '' ? [] : uri.url.search.slice(1).split('&').map(decode);
  return buildOptions({ uriHost: isIP(uri.host) === 0 ? uri.host : undefined, uriPath: path, uriQuery: query });
}

function sameEtag(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.compare(a, b) === 0;
}

function retryable(error: unknown): boolean {
  return (
    error instanceof TimeoutError ||
    (error instanceof RequestRejectedError && error.coapCode === 0) ||
    (error instanceof DownloadError && error.reason === 'connection-lost')
  );
}

/**
 * Single-block GETs of one resource through the download's own endpoint. A failure of the
 * transport (a DTLS alert, an ICMP error) fails the block being fetched at once, as
 * 'connection-lost', instead of leaving it to time out.
 */
class BlockFetcher {
  readonly #endpoint: CoapEndpoint;
  readonly #peer: Peer;
  readonly #options: readonly CoapOptionEntry[];
  #current: AbortController | undefined;

  constructor(endpoint: CoapEndpoint, peer: Peer, options: readonly CoapOptionEntry[]) {
    this.#endpoint = endpoint;
    this.#peer = peer;
    this.#options = options;
    // The endpoint serves no requests, so its errors are the transport's.
    endpoint.on('error', (error) => {
      this.#current?.abort(new DownloadError('connection-lost', `transport failure: ${error.message}`, { cause: error }));
    });
  }

  /** Block `num` of size 2^(szx+4); `withSize` asks for Size2. */
  async get(num: number, szx: number, withSize: boolean, signal: AbortSignal | undefined): Promise<IncomingResponse> {
    const controller = new AbortController();
    const onAbort = (): void => {
      controller.abort(signal?.reason);
    };
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.#current = controller;
    const options = withSize ? setOption(this.#options, CoapOption.SIZE2, encodeUint(0)) : this.#options;
    try {
      return await this.#endpoint.request(this.#peer, { code: CoapCode.GET, options }, { block2: { num, szx }, signal: controller.signal });
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      throw error instanceof AbortedError && reason instanceof DownloadError ? reason : error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#current = undefined;
    }
  }
}

/** Proxy-Uri (RFC 7252 5.10.2) naming the package, for a request to a forward proxy. */
export function proxyRequestOptions(packageUri: string): CoapOptionEntry[] {
  if (Buffer.byteLength(packageUri) > 1034) throw new DownloadError('invalid-uri', `'${packageUri.slice(0, 60)}...' is longer than a Proxy-Uri may be (1034 bytes)`);
  return buildOptions({ proxyUri: packageUri });
}

/**
 * Downloads a coap:// or coaps:// URI into `target`; resolves with the size. With `requestOptions`
 * (a Proxy-Uri), `uri` is the forward proxy that fetches the package (RFC 7252 5.7.2).
 */
export async function downloadCoap(uri: PackageUri, target: DownloadTarget, options: DownloadOptions, viaProxy?: readonly CoapOptionEntry[]): Promise<number> {
  const peer = await resolvePeer(uri);
  const co = options.coap ?? {};
  options.signal?.throwIfAborted();
  const udp = await UdpTransport.bind({
    type: isIP(peer.address) === 6 ? 'udp6' : 'udp4',
    ...(co.localAddress !== undefined ? { address: co.localAddress } : {}),
  });
  let transport: Transport = udp;
  let endpoint: CoapEndpoint;
  try {
    if (uri.scheme === 'coaps') {
      const dtls = options.dtls?.(uri.url);
      if (dtls === undefined) throw new DownloadError('connection-lost', `no DTLS credentials for ${uri.url.href}`);
      try {
        transport = DtlsTransport.client(udp, { clock: options.clock, ...dtls });
      } catch (error) {
        throw new DownloadError('connection-lost', `cannot configure DTLS for ${uri.url.href}: ${(error as Error).message}`, { cause: error });
      }
    }
    endpoint = new CoapEndpoint(transport, {
      params: { ackTimeout: co.ackTimeout ?? 2000, ackRandomFactor: co.ackRandomFactor ?? 1.5, maxRetransmit: co.maxRetransmit ?? 4 },
      responseTimeout: co.responseTimeout ?? 30_000,
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
  } catch (error) {
    await transport.close();
    throw error;
  }
  try {
    return await transfer(new BlockFetcher(endpoint, peer, viaProxy ?? requestOptions(uri)), target, options);
  } finally {
    await endpoint.close();
  }
}

async function transfer(blocks: BlockFetcher, target: DownloadTarget, options: DownloadOptions): Promise<number> {
  const signal = options.signal;
  const retries = options.coap?.blockRetries ?? 3;
  let szx = szxFor(options.coap?.blockSize ?? 1024);
  let offset = 0;
  let total: number | undefined;
  let etag: Uint8Array | undefined;
  let restarts = 0;
  let failures = 0;
  for (;;) {
    let res: IncomingResponse;
    try {
      res = await blocks.get(offset / blockSize(szx), szx, offset === 0, signal);
    } catch (error) {
      if (signal?.aborted === true) throw new AbortedError('download aborted', { cause: signal.reason });
      if (!retryable(error) || failures >= retries) {
        throw new DownloadError('connection-lost', `block at offset ${offset}: ${(error as Error).message}`, { cause: error });
      }
      failures++;
      continue;
    }
    failures = 0;
    if (res.code !== CoapCode.CONTENT && res.code !== CoapCode.VALID) {
      const code = formatCoapCode(res.code);
      throw new DownloadError(res.code >> 5 === 4 ? 'rejected' : 'connection-lost', `the server answered ${code} for the block at offset ${offset}`);
    }
    const announced = getUintOption(res.options, CoapOption.SIZE2);
    if (announced !== undefined) total = announced;
    const tag = getOption(res.options, CoapOption.ETAG);
    if (offset > 0 && !sameEtag(tag, etag)) {
      if (++restarts > MAX_ETAG_RESTARTS) throw new DownloadError('connection-lost', 'the package keeps changing during the download (ETag)');
      await target.restart();
      offset = 0;
      etag = undefined;
      continue;
    }
    etag = tag;
    const rawBlock = getOption(res.options, CoapOption.BLOCK2);
    if (rawBlock === undefined) {
      // The whole representation in one response.
      if (offset > 0) throw new DownloadError('connection-lost', 'the server stopped answering block-wise');
      await target.write(res.payload, 0);
      options.onProgress?.({ received: res.payload.length, total: total ?? res.payload.length });
      return res.payload.length;
    }
    const b = decodeBlock(rawBlock);
    const at = b.num * blockSize(b.szx);
    if (at !== offset || b.szx > szx) throw new DownloadError('connection-lost', `the server sent block ${b.num}/${blockSize(b.szx)} for offset ${offset}`);
    if (b.more && res.payload.length !== blockSize(b.szx)) throw new DownloadError('connection-lost', `block ${b.num} has ${res.payload.length} bytes, not ${blockSize(b.szx)}`);
    szx = b.szx;
    await target.write(res.payload, offset);
    offset += res.payload.length;
    options.onProgress?.({ received: offset, total });
    if (!b.more) return offset;
    signal?.throwIfAborted();
  }
}
