/**
 * Interop with libcoap's command line tools (Debian libcoap3-bin): coap-client-notls against our
 * endpoint (GET, block-wise GET and PUT, NON, Observe), and our client against coap-server-notls.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { UdpTransport } from '../../src/transport/udp.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function coapClient(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('coap-client-notls', ['-B', '10', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`coap-client-notls failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function ours(t: TestContext): Promise<CoapEndpoint> {
  const ep = new CoapEndpoint(await UdpTransport.bind({ address: '127.0.0.1' }));
  t.after(() => ep.close());
  return ep;
}

test('coap-client-notls GETs from our endpoint, plain and block-wise; PUTs block-wise; NON', async (t) => {
  const ep = await ours(t);
  const big = 'abcdefghij'.repeat(500);
  let put: string | undefined;
  ep.onRequest((r) => {
    const path = r.path.join('/');
    if (r.method === CoapCode.PUT) {
      put = str(r.payload);
      return { code: CoapCode.CHANGED };
    }
    if (path === 'big') return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: 0 }), payload: text(big) };
    return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: 0 }), payload: text(`hello ${path} ${r.query.join('&')}`) };
  });
  const base = `coap://127.0.0.1:${ep.local.port}`;
  assert.equal((await coapClient([`${base}/3/0/0?x=1`])).trim(), 'hello 3/0/0 x=1');
  assert.equal((await coapClient(['-N', `${base}/non`])).trim(), 'hello non');
  assert.equal((await coapClient([`${base}/big`])).trim(), big);
  assert.equal((await coapClient(['-b', '64', `${base}/big`])).trim(), big);
  const payload = 'z'.repeat(3000);
  await coapClient(['-m', 'put', '-b', '256', '-e', payload, `${base}/fw`]);
  assert.equal(put, payload);
});

test('coap-client-notls observes our resource and receives notifications', async (t) => {
  const ep = await ours(t);
  const observations: ServerObservation[] = [];
  ep.onRequest((r) => {
    if (r.observe === 0) observations.push(r.acceptObservation());
    return { code: CoapCode.CONTENT, payload: text('n0\n') };
  });
  const child = spawn('coap-client-notls', ['-s', '2', '-B', '3', `coap://127.0.0.1:${ep.local.port}/obs`]);
  t.after(() => child.kill());
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (observations.length === 0) await new Promise((r) => setTimeout(r, 20));
  for (const v of ['n1\n', 'n2\n']) {
    await observations[0]!.notify({ code: CoapCode.CONTENT, payload: text(v) }, { confirmable: true });
  }
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  assert.deepEqual(out.split('\n').filter((l) => l !== ''), ['n0', 'n1', 'n2']);
});

function freePort(): Promise<number> {
  // A TCP probe picks a port number; libcoap binds UDP on it right after.
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('our client talks to coap-server-notls: discovery, GET, block-wise GET', async (t) => {
  const port = await freePort();
  const server = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port)]);
  t.after(() => server.kill());
  const ep = await ours(t);
  const peer = { address: '127.0.0.1', port };
  let res;
  for (let i = 0; ; i++) {
    try {
      res = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: '/.well-known/core' }) }, { signal: AbortSignal.timeout(500) });
      break;
    } catch (e) {
      if (i > 20) throw e;
    }
  }
  assert.equal(res.code, CoapCode.CONTENT);
  assert.match(str(res.payload), /<\/time>/);
  const time = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: 'time' }) });
  assert.equal(time.code, CoapCode.CONTENT);
  // The default resource is answered block-wise when we ask for 16-byte blocks.
  const small = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: '/' }) }, { blockSize: 16 });
  const whole = await ep.request(peer, { code: CoapCode.GET, options: buildOptions({ uriPath: '/' }) });
  assert.ok(whole.payload.length > 16);
  assert.deepEqual(small.payload, whole.payload);
});
