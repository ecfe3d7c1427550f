/**
 * An IoT device's payloads in LwM2M CBOR carry its prefix as the top text-string key (LwM2M Gateway
 * TS 1.1 section 9, Core 1.2 7.4.7). Our engine is a LwM2M 1.1 engine: it does not Send in LwM2M CBOR
 * (a 1.2 format), so a device's Send in it fails with a typed error before anything goes out - never
 * with unprefixed data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoapEndpoint } from '../../../src/coap/endpoint.ts';
import { CoapCode } from '../../../src/coap/message.ts';
import { encode } from '../../../src/codec/codec.ts';
import { ContentFormat } from '../../../src/codec/content-format.ts';
import { decodePrefixedLwm2mCbor } from '../../../src/codec/lwm2m-cbor.ts';
import { ResourceResolver } from '../../../src/codec/schema.ts';
import { LwM2mEngine } from '../../../src/dm/engine.ts';
import { prefixPayload } from '../../../src/dm/prefix-names.ts';
import { UnsupportedFormatError } from '../../../src/errors.ts';
import { LwM2mPath } from '../../../src/model/path.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import { counterRandom, MemoryNetwork } from '../../coap/_helpers.ts';
import { populate } from '../../integration/engine-harness.ts';

test('prefixPayload puts the prefix in LwM2M CBOR as the top key, and the gateway side splits it back', () => {
  const engine = new LwM2mEngine({ version: '1.1', endpointName: 'gw' });
  const records = [{ path: LwM2mPath.parse('/3/0/0'), value: 'Sensor Co' }];
  const plain = encode(records, { format: ContentFormat.LWM2M_CBOR, basePath: LwM2mPath.ROOT, definitions: engine.catalogue });
  const prefixed = prefixPayload(plain, ContentFormat.LWM2M_CBOR, 'dev1');
  const parts = decodePrefixedLwm2mCbor(prefixed, (p) => (p === 'dev1' ? new ResourceResolver(engine.catalogue) : undefined));
  assert.deepEqual(
    parts.map((p) => [p.prefix, p.records.map((r) => [r.path.toString(), r.value])]),
    [['dev1', [['/3/0/0', 'Sensor Co']]]],
  );
  // Formats without paths in the payload are left alone.
  const text = new TextEncoder().encode('x');
  assert.equal(prefixPayload(text, ContentFormat.TEXT, 'dev1'), text);
});

test("an IoT device's Send in LwM2M CBOR fails with UnsupportedFormatError and sends nothing", async () => {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const ct = net.transport();
  const st = net.transport();
  const gateway = new LwM2mEngine({ version: '1.1', clock, endpointName: 'gw' });
  populate(gateway);
  const client = new CoapEndpoint(ct, { clock, random: counterRandom() });
  const server = new CoapEndpoint(st, { clock, random: counterRandom() });
  let requests = 0;
  server.onRequest(() => {
    requests++;
    return { code: CoapCode.CHANGED };
  });
  gateway.attachServer({ ssid: 1, bootstrap: false, endpoint: client, peer: st.local, reachable: () => true, traffic: () => undefined, outbound: () => undefined });
  const device = gateway.addDevice('dev1');
  device.registry.create('/3/0', { 0: 'Sensor Co' });
  await assert.rejects(device.send(1, ['/3/0/0'], { format: ContentFormat.LWM2M_CBOR }), UnsupportedFormatError);
  await clock.tick(0);
  assert.equal(requests, 0);
  await device.send(1, ['/3/0/0']);
  assert.equal(requests, 1, 'SenML CBOR goes out');
});
