/**
 * Firmware Update (object 5) over real UDP: a 1 MiB push over Block1, pulls over CoAP (a CoapEndpoint
 * serving the image, plain and DTLS), HTTP and HTTPS (loopback node:http / node:https servers), the
 * State / Update Result sequences, the failure results (7 bad URI, 9 unsupported protocol, 5
 * integrity failure from the application, 4 lost connection) and resuming after a lost block.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode, CoapOption } from '../../src/coap/message.ts';
import { decodeBlock, getOption } from '../../src/coap/options.ts';
import { parse } from '../../src/coap/parse.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import {
  FirmwareError,
  FirmwareResult,
  FirmwareState,
  installFirmwareUpdate,
  type FirmwareSink,
  type FirmwareUpdateObject,
  type FirmwareUpdateOptions,
} from '../../src/client/objects/index.ts';
import { DtlsTransport } from '../../src/transport/dtls/index.ts';
import { LossyTransport } from '../../src/transport/lossy.ts';
import type { Transport } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { testPki } from '../transport/dtls/_support.ts';
import { codeOf, FAST, startEngine, type Harness } from './engine-harness.ts';

/** Per-test limit: a wait that never ends fails its test instead of the whole file. */
const T = { timeout: 15_000 };
const FAST_DOWNLOAD = { ackTimeout: 60, ackRandomFactor: 1, maxRetransmit: 2, blockRetries: 2 } as const;

function image(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const nonDecreasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x >= xs[i - 1]!);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A sink keeping the image in memory and logging what happened. */
class MemorySink implements FirmwareSink {
  chunks: Uint8Array[] = [];
  offsets: number[] = [];
  log: string[] = [];
  expectedSha: string | undefined;
  failWriteAt: number | undefined;
  open(t: { method: string; totalSize?: number }): void {
    this.chunks = [];
    this.offsets = [];
    this.log.push(`open:${t.method}:${String(t.totalSize)}`);
  }
  write(chunk: Uint8Array, offset: number): void {
    if (this.failWriteAt !== undefined && offset >= this.failWriteAt) throw new FirmwareError(FirmwareResult.NOT_ENOUGH_FLASH, 'flash full');
    this.offsets.push(offset);
    this.chunks.push(chunk.slice());
  }
  finish(t: { size: number }): { name: string; version: string } {
    this.log.push(`finish:${t.size}`);
    if (this.expectedSha !== undefined && sha(this.bytes()) !== this.expectedSha) throw new FirmwareError(FirmwareResult.INTEGRITY_FAILURE, 'digest mismatch');
    return { name: 'app', version: '2.0.0' };
  }
  abort(reason: string): void {
    this.log.push(`abort:${reason}`);
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
  contiguous(): boolean {
    let next = 0;
    for (let i = 0; i < this.offsets.length; i++) {
      if (this.offsets[i] !== next) return false;
      next += this.chunks[i]!.length;
    }
    return true;
  }
}

interface Setup {
  h: Harness;
  fw: FirmwareUpdateObject;
  sink: MemorySink;
  states: string[];
}

async function setup(t: TestContext, options: Partial<FirmwareUpdateOptions> = {}): Promise<Setup> {
  const h = await startEngine(t);
  const sink = new MemorySink();
  const fw = installFirmwareUpdate(h.engine, { sink, coap: FAST_DOWNLOAD, ...options });
  t.after(() => {
    fw.dispose();
  });
  const states: string[] = [];
  fw.on('state', (s) => states.push(`${s.state}/${s.result}`));
  return { h, fw, sink, states };
}

/** Resolves when the machine reaches a state in which nothing runs by itself (Downloaded, or Idle). */
function settled(fw: FirmwareUpdateObject): Promise<unknown> {
  return fw.next('state', (s) => s.state === FirmwareState.DOWNLOADED || s.state === FirmwareState.IDLE);
}

async function readStatus(h: Harness): Promise<[unknown, unknown]> {
  const r = await h.server.get('/5/0', { accept: ContentFormat.SENML_JSON });
  const v = h.server.values(r, '/5/0');
  return [v.get('/5/0/3'), v.get('/5/0/5')];
}

/**
 * A CoAP file server on a real socket. `wrap` adds layers (DTLS); `drop(num)` decides whether an
 * incoming request for Block2 number `num` is lost. `blocks` lists the block numbers that arrived.
 */
async function coapFileServer(
  t: TestContext,
  files: Record<string, Uint8Array>,
  options: { wrap?: (udp: UdpTransport) => Transport; drop?: (num: number) => boolean } = {},
) {
  const udp = await UdpTransport.bind({ address: '127.0.0.1' });
  const blocks: number[] = [];
  const lossy = new LossyTransport(options.wrap === undefined ? udp : options.wrap(udp), {
    dropIncoming: (data) => {
      let num = 0;
      try {
        const b2 = getOption(parse(data).options, CoapOption.BLOCK2);
        if (b2 !== undefined) num = decodeBlock(b2).num;
      } catch {
        return false;
      }
      if (options.drop?.(num) === true) return true;
      blocks.push(num);
      return false;
    },
  });
  const ep = new CoapEndpoint(lossy, { params: FAST });
  ep.onRequest((r) => {
    const body = files['/' + r.path.join('/')];
    if (body === undefined) return { code: CoapCode.NOT_FOUND };
    return { code: CoapCode.CONTENT, payload: body };
  });
  t.after(() => ep.close());
  return { endpoint: ep, port: udp.local.port, blocks };
}

async function httpServer(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Serves `body`, honouring `Range: bytes=N-` with 206. */
function serveRanges(body: Uint8Array, onRequest?: (req: IncomingMessage, res: ServerResponse, start: number) => boolean) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m === null ? 0 : Number(m[1]);
    if (onRequest?.(req, res, start) === true) return;
    if (m === null) {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    } else {
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    }
    res.end(Buffer.from(body.subarray(start)));
  };
}

describe('Firmware push (Block1 into the sink)', () => {
  test('a 1 MiB image over Block1: Downloading -> Downloaded, Update -> Updating -> Idle with result 1', T, async (t) => {
    const { h, fw, sink, states } = await setup(t);
    const img = image(1 << 20);
    sink.expectedSha = sha(img);
    let progress = 0;
    fw.on('progress', (p) => {
      progress = p.received;
      assert.equal(p.total, img.length, 'Size1 announces the total');
    });
    const updates: unknown[] = [];
    fw.onUpdate((ctx) => {
      updates.push(ctx);
    });
    const r = await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: img });
    assert.equal(codeOf(r), '2.04');
    assert.equal(progress, img.length);
    assert.equal(sink.chunks.length, 1024, 'one sink write per 1024-byte block');
    assert.ok(sink.contiguous());
    assert.equal(sha(sink.bytes()), sha(img));
    assert.deepEqual(await readStatus(h), [2, 0]);
    const rr = await h.server.get('/5/0/6');
    assert.equal(Buffer.from(rr.payload).toString(), 'app', 'PkgName from the sink');
    const idle = fw.next('state', (s) => s.state === FirmwareState.IDLE);
    assert.equal(codeOf(await h.server.post('/5/0/2')), '2.04');
    await idle;
    assert.deepEqual(states, ['1/0', '2/0', '3/0', '0/1']);
    assert.deepEqual(updates, [{ size: img.length, method: 'push', uri: undefined, name: 'app', version: '2.0.0', deferrable: false }]);
    assert.deepEqual(await readStatus(h), [0, 1]);
    assert.equal(h.engine.registry.get('/5/0/0'), undefined, 'the package is not kept in the registry');
  });

  test('a small image in one piece; the application reports an integrity failure (5)', T, async (t) => {
    const { h, sink, states } = await setup(t);
    sink.expectedSha = 'not the digest';
    assert.equal(codeOf(await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(300) })), '2.04');
    assert.deepEqual(states, ['1/0', '0/5']);
    assert.deepEqual(await readStatus(h), [0, 5]);
    assert.ok(sink.log.includes('abort:failed'));
  });

  test('the sink runs out of flash mid-transfer: result 2, the sender is stopped with 4.13', T, async (t) => {
    const { h, sink, states } = await setup(t);
    sink.failWriteAt = 4096;
    const r = await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(20_000) });
    assert.equal(codeOf(r), '4.13');
    assert.deepEqual(states, ['1/0', '0/2']);
  });

  test('an empty Package write resets Downloaded to Idle / 0 and drops the image; Update is refused outside Downloaded', T, async (t) => {
    const { h, sink, states, fw } = await setup(t);
    fw.onUpdate(() => undefined);
    assert.equal(codeOf(await h.server.post('/5/0/2')), '4.05', 'Update in Idle');
    await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(5000) });
    assert.equal(fw.state, FirmwareState.DOWNLOADED);
    assert.equal(codeOf(await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: 'coap://127.0.0.1/x' })), '4.05', 'no Package URI while Downloaded');
    assert.equal(codeOf(await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: new Uint8Array(0) })), '2.04');
    assert.deepEqual(states, ['1/0', '2/0', '0/0']);
    assert.ok(sink.log.includes('abort:reset'));
    assert.equal(codeOf(await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: Uint8Array.of(0) })), '2.04', 'a NUL byte resets too');
  });

  test('Cancel (/5/0/10) in Downloaded gives Idle / 10; in Idle it is refused', T, async (t) => {
    const { h, states } = await setup(t);
    assert.equal(codeOf(await h.server.post('/5/0/10')), '4.05');
    await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(3000) });
    assert.equal(codeOf(await h.server.post('/5/0/10')), '2.04');
    assert.deepEqual(states, ['1/0', '2/0', '0/10']);
  });

  test('a failing update: FirmwareError(8) keeps the image (Downloaded / 8); a deferred one gives 11', T, async (t) => {
    const { h, fw, states } = await setup(t, { maxDeferPeriod: 60 });
    let calls = 0;
    fw.onUpdate(() => {
      calls++;
      if (calls === 1) throw new FirmwareError(FirmwareResult.UPDATE_FAILED);
      return 'pending';
    });
    await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(2048) });
    const failed = fw.next('state', (s) => s.previous.state === FirmwareState.UPDATING);
    await h.server.post('/5/0/2');
    await failed;
    assert.deepEqual(await readStatus(h), [2, 8]);
    await h.server.post('/5/0/2');
    await new Promise((r) => setImmediate(r));
    assert.equal(fw.state, FirmwareState.UPDATING, "'pending' keeps Updating");
    fw.finishUpdate(FirmwareResult.DEFERRED);
    assert.deepEqual(states, ['1/0', '2/0', '3/0', '2/8', '3/0', '2/11']);
  });

  test('State and Update Result changes reach an observer', T, async (t) => {
    const { h } = await setup(t);
    h.engine.registry.set('/1/0/2', 0);
    const obs = await h.server.observe('/5/0/3');
    const seen: string[] = [];
    void (async () => {
      for await (const n of obs) seen.push(Buffer.from(n.payload).toString());
    })();
    await h.server.put('/5/0/0', { format: ContentFormat.OPAQUE, payload: image(100) });
    const deadline = Date.now() + 2000;
    while (!seen.includes('2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(seen.includes('2'), `notifications: ${seen.join(',')}`);
    await obs.cancel();
  });
});

describe('Firmware pull', () => {
  test('over CoAP: block-wise into the sink with progress against Size2', T, async (t) => {
    const img = image(200_000);
    const files = await coapFileServer(t, { '/fw/app.bin': img });
    const { h, fw, sink, states } = await setup(t);
    sink.expectedSha = sha(img);
    const totals = new Set<number | undefined>();
    fw.on('progress', (p) => totals.add(p.total));
    const uri = `coap://127.0.0.1:${files.port}/fw/app.bin`;
    const done = settled(fw);
    assert.equal(codeOf(await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: uri })), '2.04');
    await done;
    assert.deepEqual(states, ['1/0', '2/0']);
    assert.equal(sha(sink.bytes()), sha(img));
    assert.ok(sink.contiguous());
    assert.deepEqual([...totals], [img.length]);
    assert.deepEqual([...new Set(files.blocks)], range(Math.ceil(img.length / 1024)), 'every block asked for, in order (retransmissions aside)');
    assert.ok(nonDecreasing(files.blocks));
    const r = await h.server.get('/5/0/1');
    assert.equal(Buffer.from(r.payload).toString(), uri);
  });

  test('over CoAP, a lost block is fetched again and the transfer resumes where it stopped', T, async (t) => {
    const img = image(30_000);
    let dropped = 0;
    // Every transmission of the first request for block 5 (1 + MAX_RETRANSMIT) is lost.
    const files = await coapFileServer(t, { '/fw': img }, {
      drop: (num) => {
        if (num !== 5 || dropped >= 3) return false;
        dropped++;
        return true;
      },
    });
    const { h, fw, sink } = await setup(t);
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `coap://127.0.0.1:${files.port}/fw` });
    await done;
    assert.equal(dropped, 3, 'the first exchange for block 5 was lost entirely');
    assert.equal(fw.state, FirmwareState.DOWNLOADED);
    assert.equal(sha(sink.bytes()), sha(img));
    assert.deepEqual([...new Set(files.blocks)], range(30));
    assert.ok(nonDecreasing(files.blocks), `the transfer resumed at block 5 instead of starting over: ${files.blocks.join(',')}`);
    assert.equal(sink.log.filter((l) => l.startsWith('open')).length, 1);
  });

  test('over CoAP, a server that goes away gives Update Result 4 (connection lost)', T, async (t) => {
    const img = image(50_000);
    const files = await coapFileServer(t, { '/fw': img }, { drop: (num) => num >= 10 });
    const { h, fw, states, sink } = await setup(t);
    const done = fw.next('state', (s) => s.state === FirmwareState.IDLE);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `coap://127.0.0.1:${files.port}/fw` });
    await done;
    assert.deepEqual(states, ['1/0', '0/4']);
    assert.equal(sink.bytes().length, 10 * 1024, 'blocks 0..9 arrived');
    assert.ok(sink.log.includes('abort:failed'));
  });

  test('over CoAP, 4.04 from the file server gives Update Result 7', T, async (t) => {
    const files = await coapFileServer(t, {});
    const { h, fw, states } = await setup(t);
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `coap://127.0.0.1:${files.port}/missing` });
    await done;
    assert.deepEqual(states, ['1/0', '0/7']);
  });

  test('over CoAPS: DTLS with the PSK of the Security instance that names the file server', T, async (t) => {
    const img = image(40_000);
    const key = new TextEncoder().encode('firmware-psk');
    const files = await coapFileServer(t, { '/fw': img }, { wrap: (udp) => DtlsTransport.server(udp, { psk: new Map([['dev-1', key]]) }) });
    const { h, fw, sink } = await setup(t);
    const uri = `coaps://127.0.0.1:${files.port}/fw`;
    h.engine.registry.create('/0/1', { 0: uri, 1: false, 2: 0, 3: new TextEncoder().encode('dev-1'), 4: new Uint8Array(0), 5: key, 10: 9 });
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: uri });
    await done;
    assert.equal(fw.state, FirmwareState.DOWNLOADED, `result ${fw.result}`);
    assert.equal(sha(sink.bytes()), sha(img));
  });

  test('over HTTP from a loopback file server', T, async (t) => {
    const img = image(300_000);
    const { port } = await httpServer(t, serveRanges(img));
    const { h, fw, sink, states } = await setup(t);
    let last: { received: number; total: number | undefined } | undefined;
    fw.on('progress', (p) => (last = p));
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${port}/fw.bin` });
    await done;
    assert.deepEqual(states, ['1/0', '2/0']);
    assert.equal(sha(sink.bytes()), sha(img));
    assert.deepEqual(last, { method: 'pull', received: img.length, total: img.length });
  });

  test('over HTTP, a connection cut mid-body resumes with a Range request', T, async (t) => {
    const img = image(200_000);
    const ranges: number[] = [];
    const { port } = await httpServer(
      t,
      serveRanges(img, (_req, res, start) => {
        ranges.push(start);
        if (ranges.length > 1) return false;
        res.writeHead(200, { 'content-length': img.length });
        res.write(Buffer.from(img.subarray(0, 70_000)), () => {
          setTimeout(() => res.destroy(), 20);
        });
        return true;
      }),
    );
    const { h, fw, sink } = await setup(t);
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${port}/fw.bin` });
    await done;
    assert.equal(fw.state, FirmwareState.DOWNLOADED, `result ${fw.result}`);
    assert.equal(ranges.length, 2);
    assert.ok(ranges[1]! > 0, 'the second request asked for the rest');
    assert.equal(sha(sink.bytes()), sha(img));
    assert.ok(sink.contiguous());
  });

  test('over HTTP, a server that disappears gives 4; a 404 gives 7', T, async (t) => {
    const img = image(100_000);
    const { server, port } = await httpServer(t, (_req, res) => {
      res.writeHead(200, { 'content-length': img.length });
      res.write(Buffer.from(img.subarray(0, 10_000)), () => {
        server.close();
        server.closeAllConnections();
      });
    });
    const { h, fw, states } = await setup(t, { http: { retries: 1 } });
    let done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${port}/fw` });
    await done;
    assert.deepEqual(states, ['1/0', '0/4']);
    const other = await httpServer(t, (_req, res) => {
      res.writeHead(404).end();
    });
    done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `http://127.0.0.1:${other.port}/nothing` });
    await done;
    assert.deepEqual(states.slice(2), ['1/0', '0/7']);
  });

  test('over HTTPS, verifying the server certificate against a CA', T, async (t) => {
    const pki = testPki();
    const img = image(64_000);
    const server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert + pki.intermediateCert }, serveRanges(img));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    // Node's global fetch cannot take a CA per call; this fetch does the same over node:https.
    const caFetch: typeof fetch = (input, init) =>
      new Promise<Response>((resolve, reject) => {
        const req = httpsRequest(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, { ca: pki.caCert, headers: init?.headers as Record<string, string>, signal: init?.signal ?? undefined }, (res) => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(Readable.toWeb(res) as ReadableStream, { status: res.statusCode ?? 500, headers }));
        });
        req.on('error', reject);
        req.end();
      });
    const { h, fw, sink } = await setup(t, { http: { fetch: caFetch } });
    const done = settled(fw);
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `https://localhost:${port}/fw` });
    await done;
    assert.equal(fw.state, FirmwareState.DOWNLOADED, `result ${fw.result}`);
    assert.equal(sha(sink.bytes()), sha(img));
  });

  test('a bad URI gives 7, an unsupported scheme 9, a scheme left out of /5/0/8 also 9', T, async (t) => {
    const { h, fw, states } = await setup(t, { protocols: ['coap', 'http'] });
    const r8 = await h.server.get('/5/0/8', { accept: ContentFormat.SENML_JSON });
    assert.deepEqual([...h.server.values(r8, '/5/0/8').values()], [0, 2]);
    for (const [uri, result] of [
      ['not a uri', 7],
      ['ftp://127.0.0.1/fw', 9],
      ['https://127.0.0.1/fw', 9],
      ['coap:///no-host', 7],
    ] as const) {
      const done = settled(fw);
      assert.equal(codeOf(await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: uri })), '2.04');
      await done;
      assert.deepEqual(states.slice(-2), ['1/0', `0/${result}`], uri);
      assert.deepEqual(await readStatus(h), [0, result]);
    }
  });

  test('an empty Package URI during a download stops it (Idle / 0); Delivery Method push-only refuses URIs', T, async (t) => {
    const files = await coapFileServer(t, { '/fw': image(500_000) });
    const { h, fw, sink, states } = await setup(t);
    const first = fw.next('progress');
    await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `coap://127.0.0.1:${files.port}/fw` });
    await first;
    assert.equal(codeOf(await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: `coap://127.0.0.1:${files.port}/other` })), '4.05', 'no new URI while downloading');
    assert.equal(codeOf(await h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: '' })), '2.04');
    assert.deepEqual(states, ['1/0', '0/0']);
    assert.ok(sink.log.includes('abort:reset'));
    const blocks = files.blocks.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(files.blocks.length <= blocks + 1, 'the download stopped');

    const push = await setup(t, { delivery: 'push' });
    assert.equal(codeOf(await push.h.server.put('/5/0/1', { format: ContentFormat.TEXT, payload: 'coap://127.0.0.1/fw' })), '4.05');
    const r = await push.h.server.get('/5/0/9');
    assert.equal(Buffer.from(r.payload).toString(), '1');
  });
});
