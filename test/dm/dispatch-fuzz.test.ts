/**
 * Random requests against an engine over the CoAP stack (in memory): every one is answered with a
 * response code, none crashes the engine or surfaces as an unexpected 'error' event.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode, isResponseCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { encode } from '../../src/codec/codec.ts';
import { LwM2mEngine } from '../../src/dm/engine.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { counterRandom, MemoryNetwork } from '../coap/_helpers.ts';
import { populate } from '../integration/engine-harness.ts';

const METHODS = [CoapCode.GET, CoapCode.PUT, CoapCode.POST, CoapCode.DELETE, CoapCode.FETCH, CoapCode.IPATCH, CoapCode.PATCH];
const FORMATS = [undefined, 0, 40, 42, 60, 110, 112, 1542, 1543, 11542, 11543, 11544, 65000];

const segment = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '5', '16', '19', '3303', '6', '7', '11', '13', '65534', '65535', 'bs', 'dp', '', '-1', '01'),
  fc.integer({ min: 0, max: 70000 }).map(String),
);
const KNOWN = ['/', '/1', '/1/0', '/1/0/1', '/1/0/2', '/1/0/8', '/3', '/3/0', '/3/0/0', '/3/0/7', '/3/0/7/0', '/3/0/4', '/3/0/13', '/16', '/16/0', '/16/0/0', '/16/0/0/0', '/19/0/0/0', '/3303/0/5700', '/0/0', '/bs', '/dp'];
const segments = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN).map((p) => p.split('/').filter((x) => x !== '')) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }) },
);
const query = fc.array(fc.oneof(fc.constantFrom('pmin=1', 'pmax=5', 'gt=3', 'lt=1', 'st=0.5', 'epmin', 'depth=1', 'con=1', 'edge=1', 'pmin=x', 'foo'), fc.string({ maxLength: 8 })), { maxLength: 3 });

test('random requests always get a response code and never an unexpected error', async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const client = new CoapEndpoint(ct, { clock, random: counterRandom() });
  const server = new CoapEndpoint(st, { clock, random: counterRandom() });
  for (const version of ['1.0', '1.1'] as const) {
    const engine = new LwM2mEngine({ version, clock, endpointName: 'fuzz' });
    populate(engine);
    engine.registry.create('/16/0', { 0: ['a'] });
    engine.registry.create('/19/0', { 0: [Uint8Array.of(1)] });
    engine.registry.create('/3303/0', { 5700: 1.5 });
    const errors: Error[] = [];
    engine.on('error', (e) => errors.push(e));
    engine.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
    const validPayload = (path: string, format: number | undefined): Uint8Array | undefined => {
      try {
        const p = LwM2mPath.parse(path);
        if (p.depth < 3 || format === undefined) return undefined;
        return encode([{ path: p, value: p.ids[0] === 16 ? 'x' : 1 }], { format, basePath: p });
      } catch {
        return undefined;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        segments,
        fc.constantFrom(...FORMATS),
        fc.constantFrom(...FORMATS),
        query,
        fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(undefined)),
        fc.boolean(),
        async (method, segments, accept, format, q, bytes, useValid) => {
          const payload = useValid ? (validPayload('/' + segments.join('/'), format) ?? bytes) : bytes;
          const res = await server.request(ct.local, {
            code: method,
            options: buildOptions({ uriPath: segments, accept, contentFormat: format, uriQuery: q }),
            payload,
          });
          assert.ok(isResponseCode(res.code), `code ${res.code}`);
          assert.deepEqual(errors.map((e) => e.message), []);
        },
      ),
      { numRuns: 400 },
    );
    engine.close();
  }
  await client.close();
  await server.close();
});
