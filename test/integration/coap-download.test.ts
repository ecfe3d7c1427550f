/**
 * The package downloader's CoAP side (download/coap.ts) over real UDP on loopback: one single-block
 * exchange per Block2 block through a CoapEndpoint (RFC 7959 2.4), Size2 on the first request only,
 * separate responses, RST and lost blocks retried where the transfer stopped, a changed ETag
 * restarting, DTLS failures reported at once, and abort.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { download, DownloadError, type DownloadProgress } from '../../src/client/objects/download/index.ts';
import { CoapEndpoint, type CoapEndpointOptions } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapOption, CoapType, type CoapResponse } from '../../src/coap/message.ts';
import { block1, block2, buildOptions, getOption } from '../../src/coap/options.ts';
import { parse } from '../../src/coap/parse.ts';
import { serializeEmpty } from '../../src/coap/serialize.ts';
import type { IncomingRequest } from '../../src/coap/incoming.ts';
import { AbortedError, DtlsError } from '../../src/errors.ts';
import { DtlsTransport } from '../../src/transport/dtls/index.ts';
import { LossyTransport } from '../../src/transport/lossy.ts';
import type { Transport } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';

const T = { timeout: 15_000 };
const FAST = { ackTimeout: 60, ackRandomFactor: 1, maxRetransmit: 2, blockRetries: 2 } as const;

function image(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
}

interface Seen {
  readonly num: number;
  readonly szx: number;
  readonly size2: boolean;
  readonly block1: boolean;
}

/**
 * A CoAP file server. `intercept` sees each incoming request first and may swallow it (return
 * true), e.g. to drop it or to answer it by hand through `udp`.
 */
async function fileServer(
  t: TestContext,
  handler: (r: IncomingRequest) => CoapResponse | Promise<CoapResponse>,
  options: { wrap?: (udp: UdpTransport) => Transport; intercept?: (s: Seen, mid: number, udp: UdpTransport, from: { address: string; port: number }) => boolean; coap?: CoapEndpointOptions } = {},
) {
  const udp = await UdpTransport.bind({ address: '127.0.0.1' });
  const seen: Seen[] = [];
  const lossy = new LossyTransport(options.wrap === undefined ? udp : options.wrap(udp), {
    dropIncoming: (data, from) => {
      let m;
      try {
        m = parse(data);
      } catch {
        return false;
      }
      if (m.code !== CoapCode.GET) return false;
      const b = block2(m.options);
      const s: Seen = { num: b?.num ?? -1, szx: b?.szx ?? -1, size2: getOption(m.options, CoapOption.SIZE2) !== undefined, block1: block1(m.options) !== undefined };
      if (options.intercept?.(s, m.messageId, udp, from) === true) return true;
      seen.push(s);
      return false;
    },
  });
  const ep = new CoapEndpoint(lossy, { params: { ackTimeout: 60, ackRandomFactor: 1, maxRetransmit: 2 }, ...options.coap });
  ep.onRequest(handler);
  t.after(() => ep.close());
  return { ep, port: udp.local.port, seen, uri: (path: string) => `coap://127.0.0.1:${udp.local.port}${path}` };
}

/** Answers a Block2 request itself (no server cache): the asked-for block of `body`, with an ETag. */
function sliced(r: IncomingRequest, body: Uint8Array, tag: number): CoapResponse {
  const b = block2(r.options) ?? { num: 0, more: false, szx: 6 };
  const size = 16 << b.szx;
  const start = b.num * size;
  const more = start + size < body.length;
  return {
    code: CoapCode.CONTENT,
    options: buildOptions({ etag: Uint8Array.of(tag), block2: { num: b.num, more, szx: b.szx }, ...(b.num === 0 ? { size2: body.length } : {}) }),
    payload: body.subarray(start, Math.min(body.length, start + size)),
  };
}

function sink() {
  const chunks: { offset: number; data: Uint8Array }[] = [];
  let restarts = 0;
  return {
    chunks,
    get restarts() {
      return restarts;
    },
    target: {
      write(data: Uint8Array, offset: number) {
        chunks.push({ offset, data: data.slice() });
      },
      restart() {
        restarts++;
        chunks.length = 0;
      },
    },
    bytes: () => Buffer.concat(chunks.map((c) => c.data)),
  };
}

test('one single-block exchange per block, in order, Size2 asked for on the first only; progress against the total', T, async (t) => {
  const img = image(20_000);
  let handled = 0;
  const files = await fileServer(t, (r) => {
    handled++;
    return r.path.join('/') === 'fw/app.bin' ? { code: CoapCode.CONTENT, payload: img } : { code: CoapCode.NOT_FOUND };
  });
  const out = sink();
  const progress: DownloadProgress[] = [];
  const n = await download(files.uri('/fw/app.bin'), out.target, { coap: { ...FAST, blockSize: 512 }, onProgress: (p) => progress.push(p) });
  assert.equal(n, img.length);
  assert.deepEqual(out.bytes(), Buffer.from(img));
  assert.deepEqual(
    files.seen.map((s) => s.num),
    Array.from({ length: Math.ceil(img.length / 512) }, (_, i) => i),
  );
  assert.ok(files.seen.every((s) => s.szx === 5 && !s.block1));
  assert.deepEqual(
    files.seen.map((s) => s.size2),
    files.seen.map((_, i) => i === 0),
  );
  assert.equal(handled, 1, 'later blocks came from the server cache of one representation');
  assert.ok(progress.every((p) => p.total === img.length));
  assert.equal(progress.at(-1)?.received, img.length);
});

test('separate responses are acknowledged and complete their block', T, async (t) => {
  const img = image(5000);
  const files = await fileServer(
    t,
    async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return sliced(r, img, 1);
    },
    { coap: { separateResponseDelay: 0 } },
  );
  const out = sink();
  assert.equal(await download(files.uri('/slow'), out.target, { coap: FAST }), img.length);
  assert.deepEqual(out.bytes(), Buffer.from(img));
  const c = files.ep.counters;
  assert.equal(c.separateResponses, 5, 'every block came as an empty ACK and a CON response');
  assert.equal(c.transmitTimeouts, 0, 'each separate CON response was acknowledged');
});

test('a block reset (RST) or lost entirely is asked for again; the transfer resumes at that block', T, async (t) => {
  const img = image(12 * 1024);
  let reset = false;
  let dropped = 0;
  const files = await fileServer(t, () => ({ code: CoapCode.CONTENT, payload: img }), {
    intercept: (s, mid, udp, from) => {
      if (s.num === 3 && !reset) {
        reset = true;
        udp.send(serializeEmpty(CoapType.RST, mid), from);
        return true;
      }
      if (s.num === 7 && dropped < 3) {
        dropped++; // the first try and both retransmissions
        return true;
      }
      return false;
    },
  });
  const out = sink();
  assert.equal(await download(files.uri('/fw'), out.target, { coap: FAST }), img.length);
  assert.ok(reset);
  assert.equal(dropped, 3);
  assert.deepEqual(out.bytes(), Buffer.from(img));
  assert.deepEqual(
    files.seen.map((s) => s.num),
    Array.from({ length: 12 }, (_, i) => i),
    'each block arrived once: no start over',
  );
  assert.deepEqual(
    out.chunks.map((c) => c.offset),
    Array.from({ length: 12 }, (_, i) => i * 1024),
  );
});

test('a representation that changes (new ETag) restarts the target from block 0', T, async (t) => {
  const v1 = image(4096);
  const v2 = image(3000).map((b) => b ^ 0xff);
  let version = 1;
  const files = await fileServer(t, (r) => {
    if ((block2(r.options)?.num ?? 0) === 2) version = 2; // changes while block 2 is asked for
    return version === 1 ? sliced(r, v1, 1) : sliced(r, v2, 2);
  });
  const out = sink();
  const n = await download(files.uri('/fw'), out.target, { coap: FAST });
  assert.equal(n, v2.length);
  assert.equal(out.restarts, 1);
  assert.deepEqual(out.bytes(), Buffer.from(v2));
  assert.deepEqual(
    files.seen.map((s) => s.num),
    [0, 1, 2, 0, 1, 2],
  );
});

test('over coaps, a DTLS failure (wrong PSK) fails the download as connection-lost, with the DTLS error as cause', T, async (t) => {
  const files = await fileServer(t, () => ({ code: CoapCode.CONTENT, payload: image(100) }), {
    wrap: (udp) => DtlsTransport.server(udp, { psk: new Map([['dev-1', new TextEncoder().encode('right-key')]]) }),
  });
  const out = sink();
  const uri = `coaps://127.0.0.1:${files.port}/fw`;
  const error = await download(uri, out.target, {
    coap: { ...FAST, ackTimeout: 5000, maxRetransmit: 0, blockRetries: 0 },
    dtls: () => ({ psk: { identity: new TextEncoder().encode('dev-1'), key: new TextEncoder().encode('wrong-key') } }),
  }).then(
    () => assert.fail('the download succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DownloadError);
  assert.equal(error.reason, 'connection-lost');
  // The transport's failure, not a 5 s retransmission timeout.
  let cause: unknown = error.cause;
  while (cause instanceof Error && !(cause instanceof DtlsError)) cause = cause.cause;
  assert.ok(cause instanceof DtlsError, `cause chain: ${String(error.cause)}`);
  assert.equal(out.chunks.length, 0);
});

test('abort stops the download with AbortedError', T, async (t) => {
  const img = image(50_000);
  const ac = new AbortController();
  const files = await fileServer(t, () => ({ code: CoapCode.CONTENT, payload: img }), {
    intercept: (s) => {
      if (s.num === 5) ac.abort(new Error('stop'));
      return false;
    },
  });
  const out = sink();
  await assert.rejects(download(files.uri('/fw'), out.target, { coap: FAST, signal: ac.signal }), AbortedError);
  assert.ok(out.chunks.length <= 6);
});

/** An HTTP file server on loopback; `requests` counts what reached it. */
async function httpFiles(t: TestContext, files: Record<string, Uint8Array>) {
  const { createServer } = await import('node:http');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const body = files[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  return { url: (path: string) => `http://127.0.0.1:${port}${path}`, requests: () => requests };
}

test('through a CoAP-HTTP proxy: http:// package URIs go to the proxy in Proxy-Uri, block by block; coap:// ones go direct', T, async (t) => {
  const img = image(9_000);
  const http = await httpFiles(t, { '/fw/app.bin': img });
  const proxied: string[] = [];
  const cache = new Map<string, Uint8Array>();
  // A small forward proxy on our CoapEndpoint (RFC 7252 5.7.2): it fetches the Proxy-Uri over HTTP once, then serves blocks.
  const proxy = await fileServer(
    t,
    async (r) => {
      const target = getOption(r.options, CoapOption.PROXY_URI);
      if (target === undefined) return { code: CoapCode.BAD_REQUEST };
      const uri = Buffer.from(target).toString();
      proxied.push(uri);
      let body = cache.get(uri);
      if (body === undefined) {
        const res = await fetch(uri);
        if (!res.ok) return { code: CoapCode.NOT_FOUND };
        body = new Uint8Array(await res.arrayBuffer());
        cache.set(uri, body);
      }
      return sliced(r, body, 1);
    },
    { coap: { proxy: true } },
  );
  const out = sink();
  const size = await download(http.url('/fw/app.bin'), out.target, { coap: FAST, coapProxy: { uri: proxy.uri('') } });
  assert.equal(size, img.length);
  assert.deepEqual(out.bytes(), Buffer.from(img));
  assert.equal(proxied.length, Math.ceil(img.length / 1024), 'one proxied request per block');
  assert.ok(proxied.every((u) => u === http.url('/fw/app.bin')));
  assert.deepEqual([...new Set(proxy.seen.map((s) => s.num))], [0, 1, 2, 3, 4, 5, 6, 7, 8], 'blocks in order (a retransmission may repeat one)');
  assert.equal(http.requests(), 1);

  // A 404 behind the proxy is the package's rejection; coap:// is not proxied unless asked.
  await assert.rejects(download(http.url('/missing'), sink().target, { coap: FAST, coapProxy: { uri: proxy.uri('') } }), (e: DownloadError) => e.reason === 'rejected');
  const direct = await fileServer(t, (r) => (r.path.join('/') === 'fw' ? { code: CoapCode.CONTENT, payload: img } : { code: CoapCode.NOT_FOUND }));
  const before = proxied.length;
  assert.equal(await download(direct.uri('/fw'), sink().target, { coap: FAST, coapProxy: { uri: proxy.uri('') } }), img.length);
  assert.equal(proxied.length, before);
  // With schemes: ['coap'] the proxy is asked for the coap:// URI too (it answers from its fetch, which fails for coap://).
  await assert.rejects(download(direct.uri('/fw'), sink().target, { coap: FAST, coapProxy: { uri: proxy.uri(''), schemes: ['coap'] } }));
  assert.equal(proxied.at(-1), direct.uri('/fw'));
});

test('an endpoint that is no proxy answers a Proxy-Uri request 5.05; a proxy that is not coap(s) is refused', T, async (t) => {
  const plain = await fileServer(t, () => ({ code: CoapCode.CONTENT, payload: image(10) }));
  await assert.rejects(
    download('http://127.0.0.1:9/x', sink().target, { coap: FAST, coapProxy: { uri: plain.uri('') } }),
    (e: DownloadError) => e.reason === 'connection-lost' && /5\.05/.test(e.message),
  );
  await assert.rejects(download('http://127.0.0.1:9/x', sink().target, { coapProxy: { uri: 'http://127.0.0.1:8080' } }), (e: DownloadError) => e.reason === 'unsupported-protocol');
});
