/** The engine's Send sources: values only a Send carries (Send-only resources), per server, told of delivery. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { decode } from '../../src/codec/codec.ts';
import { LwM2mEngine } from '../../src/dm/engine.ts';
import { SendError } from '../../src/dm/errors.ts';
import { RequestRejectedError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { ResourceValue } from '../../src/model/resource-type.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { counterRandom, MemoryNetwork } from '../coap/_helpers.ts';
import { populate } from '../integration/engine-harness.ts';

function setup() {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const client = new CoapEndpoint(ct, { clock, random: counterRandom() });
  const server = new CoapEndpoint(st, { clock, random: counterRandom() });
  const engine = new LwM2mEngine({ version: '1.1', clock, endpointName: 'src' });
  populate(engine);
  engine.registry.create('/20/0', { 4010: 0 });
  engine.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  const got: { path: string; value: ResourceValue }[][] = [];
  let code: number = CoapCode.CHANGED;
  server.onRequest((r) => {
    got.push(decode(r.payload, { format: 112, basePath: '/', definitions: engine.catalogue }).map((x) => ({ path: x.path.toString(), value: x.value })));
    return { code };
  });
  return { engine, server, client: ct, got, setCode: (c: number) => (code = c) };
}

test('a Send of a Send-only path carries the source value for that server; delivery is reported only after 2.04', async () => {
  const s = setup();
  const bytes = new Uint8Array([1, 2, 3]);
  const asked: number[] = [];
  const delivered: { ssid: number; path: string; value: ResourceValue }[] = [];
  const remove = s.engine.setSendSource('/20/0/4016', {
    value: (ssid) => {
      asked.push(ssid);
      return bytes;
    },
    delivered: (ssid, path, value) => delivered.push({ ssid, path: path.toString(), value }),
  });
  s.setCode(CoapCode.BAD_REQUEST);
  await assert.rejects(s.engine.send(1, ['/20/0/4016']), (e: unknown) => e instanceof RequestRejectedError);
  assert.equal(delivered.length, 0, 'not delivered on an error response');
  s.setCode(CoapCode.CHANGED);
  await s.engine.send(1, ['/3/0/0', '/20/0/4016']);
  assert.deepEqual(s.got[1], [
    { path: '/3/0/0', value: 'lwm2m-ts' },
    { path: '/20/0/4016', value: bytes },
  ]);
  assert.deepEqual(asked, [1, 1]);
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.value, bytes, 'the very value supplied');
  // Read stays 4.05: the source is for Sends only.
  const read = await s.server.request(s.client.local, { code: CoapCode.GET, options: buildOptions({ uriPath: '/20/0/4016' }) });
  assert.equal(read.code, CoapCode.METHOD_NOT_ALLOWED);
  remove();
  await assert.rejects(s.engine.send(1, ['/20/0/4016']), (e: unknown) => e instanceof SendError && e.reason === 'no-data');
});

test('a source with nothing to send leaves its path out; alone it is no-data', async () => {
  const s = setup();
  s.engine.setSendSource('/20/0/4016', { value: () => undefined });
  await assert.rejects(s.engine.send(1, ['/20/0/4016']), (e: unknown) => e instanceof SendError && e.reason === 'no-data');
  await s.engine.send(1, ['/20/0/4016', '/3/0/0']);
  assert.deepEqual(s.got.at(-1), [{ path: '/3/0/0', value: 'lwm2m-ts' }]);
  // No instance, no value: /20/1 does not exist.
  s.engine.setSendSource('/20/1/4016', { value: () => new Uint8Array([9]) });
  await assert.rejects(s.engine.send(1, ['/20/1/4016']), (e: unknown) => e instanceof SendError && e.reason === 'no-data');
});

test('a source belongs to a resource path', () => {
  const s = setup();
  assert.throws(() => s.engine.setSendSource(LwM2mPath.of(20, 0), { value: () => undefined }), TypeError);
});
