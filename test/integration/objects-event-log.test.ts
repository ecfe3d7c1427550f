/**
 * Event Log LogDataIncremental (/20/x/4016) through our LwM2mServer over real UDP: the server sets
 * /20/0/4017, the client Sends the collected bytes (SenML CBOR, 'send' event with /20/0/4016), the
 * next Send comes only after the interval and only with new data; DM Read of 4016 is 4.05.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LwM2mClient } from '../../src/client/client.ts';
import { installEventLog, installStandardObjects } from '../../src/client/objects/index.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { RequestRejectedError } from '../../src/errors.ts';
import { LwM2mServer, type LwM2mServerEvents } from '../../src/server/index.ts';

type SendEvent = LwM2mServerEvents['send'];
const dec = new TextDecoder();

test('LogDataIncremental: Sends after the interval with exactly the new bytes; Read is 4.05', { timeout: 20_000 }, async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  const endpoint = `log-${Math.random().toString(36).slice(2, 8)}`;
  const client = new LwM2mClient({ endpoint });
  const objects = installStandardObjects(client.engine, { servers: [{ uri: `coap://127.0.0.1:${server.local.port}`, ssid: 1, lifetime: 300 }] });
  const log = installEventLog(client.engine, { iid: 0 });
  t.after(async () => {
    log.close();
    objects.dispose();
    await client.close();
    await server.close();
  });
  const sends: { at: number; event: SendEvent }[] = [];
  server.on('send', (event) => sends.push({ at: performance.now(), event }));
  const registered = server.next('registered', (e) => e.registration.endpoint === endpoint);
  await client.start();
  await registered;

  await assert.rejects(server.read(endpoint, '/20/0/4016'), (e: unknown) => e instanceof RequestRejectedError && e.coapCode === CoapCode.METHOD_NOT_ALLOWED);

  log.append('before;'); // interval 0: not collected for LogDataIncremental
  assert.equal((await server.write(endpoint, '/20/0/4017', 1)).code, CoapCode.CHANGED);
  const setAt = performance.now();
  log.append('first;');
  log.append('second;');
  const first = await server.next('send', (e) => e.registration.endpoint === endpoint);
  const firstAt = performance.now();
  assert.ok(firstAt - setAt >= 950, `the first Send waits the interval (${Math.round(firstAt - setAt)} ms)`);
  assert.equal(first.format, ContentFormat.SENML_CBOR);
  assert.deepEqual(first.records.map((r) => r.path.toString()), ['/20/0/4016']);
  assert.equal(dec.decode(first.records[0]!.value as Uint8Array), 'first;second;');

  // Nothing new: no Send, even well past the interval.
  await new Promise((r) => setTimeout(r, 1_300));
  assert.equal(sends.length, 1);
  const delivered = log.next('incremental-sent');
  log.append('third;');
  const second = await server.next('send', (e) => e.registration.endpoint === endpoint);
  assert.equal(dec.decode(second.records[0]!.value as Uint8Array), 'third;', 'only the new bytes');
  assert.ok(sends[1]!.at - sends[0]!.at >= 1_000);
  assert.deepEqual(await delivered, { ssid: 1, bytes: 6 });
  assert.equal(log.incrementalData(1)?.length, 0);
});
