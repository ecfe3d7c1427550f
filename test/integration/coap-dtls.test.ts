/** Our CoAP endpoints over our DTLS transport (PSK): the Transport seam, ChannelInfo, block-wise and Observe through records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpTransport } from '../../src/transport/udp.ts';
import { DtlsTransport } from '../../src/transport/dtls/index.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import type { IncomingRequest } from '../../src/coap/incoming.ts';
import type { ServerObservation } from '../../src/coap/server-observe.ts';

test('CoAP over DTLS PSK: requests carry the PSK identity; Block1, Block2 and Observe work through records', async (t) => {
  const key = new TextEncoder().encode('secretPSK');
  const server = new CoapEndpoint(DtlsTransport.server(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: new Map([['device-1', key]]) }));
  const client = new CoapEndpoint(DtlsTransport.client(await UdpTransport.bind({ address: '127.0.0.1' }), { psk: { identity: 'device-1', key } }));
  t.after(() => Promise.all([client.close(), server.close()]));
  const seen: IncomingRequest[] = [];
  let observation: ServerObservation | undefined;
  const big = new Uint8Array(20_000).map((_, i) => i & 0xff);
  server.onRequest((r) => {
    seen.push(r);
    if (r.observe === 0) observation = r.acceptObservation();
    return { code: r.method === CoapCode.PUT ? CoapCode.CHANGED : CoapCode.CONTENT, payload: r.path[0] === 'big' ? big : new Uint8Array(r.payload.length) };
  });
  const get = await client.request(server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/0' }) });
  assert.equal(get.code, CoapCode.CONTENT);
  assert.deepEqual(seen[0]!.channel.secure, true);
  assert.equal(seen[0]!.channel.pskIdentity, 'device-1');
  assert.equal(get.channel.secure, true);
  const put = await client.request(server.local, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0' }), payload: new Uint8Array(10_000) });
  assert.equal(put.code, CoapCode.CHANGED);
  assert.equal(seen.at(-1)!.payload.length, 10_000);
  const down = await client.request(server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/big' }) });
  assert.deepEqual(down.payload, big);
  const obs = await client.observe(server.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3303/0/5700' }) });
  const it = obs[Symbol.asyncIterator]();
  assert.equal(await observation!.notify({ code: CoapCode.CONTENT, payload: Uint8Array.of(42) }, { confirmable: true }), 'acknowledged');
  const n = await it.next();
  assert.deepEqual(n.value?.payload, Uint8Array.of(42));
  await obs.cancel();
  assert.equal(observation!.reason, 'deregistered');
});
