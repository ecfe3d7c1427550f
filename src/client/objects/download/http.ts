/**
 * HTTP(S) download (RFC 9110; Firmware Update Protocol Support values 2 and 3) with Node's fetch,
 * streamed into the target. A connection that breaks mid-body is resumed with a Range request
 * (RFC 9110 14.2) up to `retries` times; a server that answers 200 instead of 206 sends the whole
 * package again, so the target restarts. A stall longer than `idleTimeout` counts as a break.
 */
import { AbortedError } from '../../../errors.ts';
import { systemClock, type Timer } from '../../../util/clock.ts';
import { DownloadError, type DownloadOptions, type DownloadTarget } from './types.ts';
import type { PackageUri } from './uri.ts';

/** Downloads an http:// or https:// URI into `target`; resolves with the size. */
export async function downloadHttp(uri: PackageUri, target: DownloadTarget, options: DownloadOptions): Promise<number> {
  const ho = options.http ?? {};
  const fetchImpl = ho.fetch ?? fetch;
  const retries = ho.retries ?? 3;
  const idleMs = ho.idleTimeout ?? 30_000;
  const clock = options.clock ?? systemClock;
  const outer = options.signal;
  let offset = 0;
  let total: number | undefined;
  let failures = 0;
  for (;;) {
    outer?.throwIfAborted();
    const attempt = new AbortController();
    const onOuterAbort = (): void => {
      attempt.abort(outer?.reason);
    };
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let lastByteAt = clock.now();
    let idle: Timer | undefined;
    const watch = (): void => {
      idle = clock.setTimer(idleMs - (clock.now() - lastByteAt), () => {
        if (clock.now() - lastByteAt >= idleMs) attempt.abort(new DownloadError('connection-lost', `no data for ${idleMs} ms`));
        else watch();
      }, { unref: true });
    };
    watch();
    try {
      const headers: Record<string, string> = { ...ho.headers };
      if (offset > 0) headers.range = `bytes=${offset}-`;
      let res: Response;
      try {
        res = await fetchImpl(uri.url, { signal: attempt.signal, headers, redirect: 'follow' });
      } catch (error) {
        throw classify(error, attempt.signal, outer);
      }
      if (res.status === 206 && offset > 0) {
        // Content-Range: bytes first-last/complete
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (range === null || Number(range[1]) !== offset) {
          await res.body?.cancel();
          throw new DownloadError('connection-lost', `the server resumed at '${res.headers.get('content-range') ?? ''}', not at byte ${offset}`);
        }
        if (range[2] !== '*') total = Number(range[2]);
      } else if (res.status === 200) {
        if (offset > 0) {
          await target.restart();
          offset = 0;
        }
        const length = res.headers.get('content-length');
        total = length === null ? undefined : Number(length);
      } else {
        await res.body?.cancel();
        throw new DownloadError(res.status >= 400 && res.status < 500 ? 'rejected' : 'connection-lost', `the server answered HTTP ${res.status} ${res.statusText}`);
      }
      const body = res.body;
      if (body === null) throw new DownloadError('connection-lost', 'the response has no body');
      const reader = body.getReader();
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            throw classify(error, attempt.signal, outer);
          }
          if (chunk.done) break;
          lastByteAt = clock.now();
          failures = 0;
          const bytes = chunk.value as Uint8Array;
          await target.write(bytes, offset);
          offset += bytes.length;
          options.onProgress?.({ received: offset, total });
        }
      } finally {
        reader.releaseLock();
      }
      if (total !== undefined && offset < total) throw new DownloadError('connection-lost', `the body ended after ${offset} of ${total} bytes`);
      return offset;
    } catch (error) {
      if (outer?.aborted === true) throw new AbortedError('download aborted', { cause: outer.reason });
      if (!(error instanceof DownloadError) || error.reason !== 'connection-lost' || failures >= retries) throw error;
      failures++;
    } finally {
      idle?.cancel();
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }
}

function classify(error: unknown, attempt: AbortSignal, outer: AbortSignal | undefined): Error {
  if (outer?.aborted === true) return new AbortedError('download aborted', { cause: outer.reason });
  if (attempt.aborted && attempt.reason instanceof DownloadError) return attempt.reason;
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new DownloadError('invalid-uri', `cannot resolve the host: ${code}`, { cause: error });
  return new DownloadError('connection-lost', `HTTP transfer failed: ${(error as Error).message}`, { cause: error });
}
