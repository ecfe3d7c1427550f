/**
 * Send (LwM2M Core 1.1.1 6.4.3) and queue mode (6.5) of LwM2mServer over real UDP, in lockstep with
 * a scripted raw-CoAP client; queue-mode timing on a FakeClock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer, type LwM2mServerOptions } from '../../src/server/server.ts';
import { ClientNotRegisteredError } from '../../src/server/errors.ts';
import { AbortedError, TimeoutError } from '../../src/errors.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { ContentFormat } from '../../src/codec/index.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { RawClient, hex } from '../server/_raw-client.ts';
import { FakeDevice } from '../server/_fake-device.ts';

type T = { after: (fn: () => Promise<unknown>) => void };

async function setup(t: T, options: LwM2mServerOptions = {}) {
  let n = 0;
  const server = await LwM2mServer.start({ address: '127.0.0.1', registrationId: () => (n++ === 0 ? 'r1' : `r${n}`), ...options });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  return { server, raw };
}

const SENML = '[{"bn":"/3303/0/","n":"5700","v":21.5},{"n":"5701","vs":"Cel"}]';

test('Send: 2.04 byte for byte and a send event with the records; unknown clients 4.04; bad content 4.15 / 4.00', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1', 'lwm2m=1.1'] }, '</3303/0>');
  const sent = server.next('send');
  raw.request(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }, SENML, { messageId: 0x4444, token: Uint8Array.of(0x5a) });
  assert.equal(hex((await raw.recv()).data), '614444445a'); // ACK TKL1 2.04 MID 0x4444 token 5a
  const ev = await sent;
  assert.equal(ev.registration.endpoint, 'dev-1');
  assert.equal(ev.format, ContentFormat.SENML_JSON);
  assert.deepEqual(ev.records.map((r) => [r.path.toString(), r.value]), [['/3303/0/5700', 21.5], ['/3303/0/5701', 'Cel']]);
  // Content problems.
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.TEXT }, '21.5')).reply.msg.code, CoapCode.UNSUPPORTED_CONTENT_FORMAT);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/dp' }, SENML)).reply.msg.code, CoapCode.UNSUPPORTED_CONTENT_FORMAT);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }, '[{"n":')).reply.msg.code, CoapCode.BAD_REQUEST);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }, '[{"n":"/3303/0/5700","v":"x"}]')).reply.msg.code, CoapCode.BAD_REQUEST);
  assert.equal((await raw.exchange(CoapCode.GET, { uriPath: '/dp' })).reply.msg.code, CoapCode.METHOD_NOT_ALLOWED);
  // A client that is not registered.
  const stranger = await RawClient.open(server.local);
  t.after(() => stranger.close());
  const { reply } = await stranger.exchange(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }, SENML);
  assert.equal(reply.msg.code, CoapCode.NOT_FOUND);
});

test('Send from a device in SenML CBOR and LwM2M CBOR', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1' });
  const device = await FakeDevice.start({ server: server.local, endpoint: 'sender' });
  t.after(async () => {
    await device.close();
    await server.close();
  });
  await device.register();
  for (const format of [ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR, ContentFormat.SENML_JSON]) {
    const sent = server.next('send');
    assert.equal(await device.send(['/3303/0/5700', '/3/0/0'], format), CoapCode.CHANGED);
    const ev = await sent;
    assert.equal(ev.format, format);
    const got = Object.fromEntries(ev.records.map((r) => [r.path.toString(), r.value]));
    assert.deepEqual(got, { '/3303/0/5700': 21.5, '/3/0/0': 'ACME' });
  }
});

test('queue mode (Q): requests wait while the client sleeps and go out after its Update', async (t) => {
  const clock = new FakeClock();
  const { server, raw } = await setup(t, { clock, queueAwakeMs: 5000 });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=sleepy', 'lwm2m=1.1', 'Q'] }, '</3/0>');
  assert.equal(server.registration('sleepy')?.queueMode, true);
  assert.equal(server.isAwake('sleepy'), true);
  await clock.tick(5000);
  assert.equal(server.isAwake('sleepy'), false);
  const read = server.read('sleepy', '/3/0/0', { format: ContentFormat.TEXT });
  const exec = server.execute('sleepy', '/3/0/4');
  await clock.tick(0);
  assert.equal(server.queuedRequests('sleepy'), 2);
  assert.equal(await raw.quiet(100), undefined, 'nothing is sent to a sleeping client');
  const awake = server.next('awake');
  raw.request(CoapCode.POST, { uriPath: '/rd/r1' });
  const ack = await raw.recv();
  assert.equal(ack.msg.code, CoapCode.CHANGED);
  assert.equal((await awake).registration.endpoint, 'sleepy');
  assert.equal(server.isAwake('sleepy'), true);
  // The queued requests follow, in order (NSTART 1: the second after the first is answered).
  const get = await raw.recv();
  assert.equal(get.msg.code, CoapCode.GET);
  raw.reply(get.msg, CoapCode.CONTENT, { contentFormat: 0 }, 'ACME');
  assert.equal((await read).records[0]?.value, 'ACME');
  const post = await raw.recv();
  assert.equal(post.msg.code, CoapCode.POST);
  raw.reply(post.msg, CoapCode.CHANGED);
  assert.equal((await exec).code, CoapCode.CHANGED);
  assert.equal(server.queuedRequests('sleepy'), 0);
});

test('queue mode: any message wakes the client (a Send, a ping); LwM2M 1.0 b=UQ; abort and de-registration reject queued requests', async (t) => {
  const clock = new FakeClock();
  const { server, raw } = await setup(t, { clock, queueAwakeMs: 1000 });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=old', 'b=UQ'] }, '</3/0>');
  assert.equal(server.registration('old')?.queueMode, true);
  await clock.tick(1000);
  const read = server.read('old', '/3/0/0', { format: ContentFormat.TEXT });
  await clock.tick(0);
  assert.equal(await raw.quiet(50), undefined);
  // A Send (no Update) wakes it.
  raw.request(CoapCode.POST, { uriPath: '/dp', contentFormat: ContentFormat.SENML_JSON }, SENML);
  assert.equal((await raw.recv()).msg.code, CoapCode.CHANGED);
  const get = await raw.recv();
  raw.reply(get.msg, CoapCode.CONTENT, { contentFormat: 0 }, 'X');
  assert.equal((await read).records[0]?.value, 'X');
  // A CoAP ping (empty CON) wakes it as well.
  await clock.tick(1000);
  const read2 = server.read('old', '/3/0/0', { format: ContentFormat.TEXT });
  await clock.tick(0);
  raw.send({ code: 0, type: CoapType.CON, token: new Uint8Array(0) });
  const rst = await raw.recv();
  assert.equal(rst.msg.type, CoapType.RST);
  const get2 = await raw.recv();
  raw.reply(get2.msg, CoapCode.CONTENT, { contentFormat: 0 }, 'Y');
  assert.equal((await read2).records[0]?.value, 'Y');
  // Abort while queued.
  await clock.tick(1000);
  const ac = new AbortController();
  const aborted = assert.rejects(server.read('old', '/3/0/0', { signal: ac.signal }), AbortedError);
  await clock.tick(0);
  assert.equal(server.queuedRequests('old'), 1);
  ac.abort();
  await aborted;
  assert.equal(server.queuedRequests('old'), 0);
  // De-registration rejects what waits.
  const orphan = assert.rejects(server.read('old', '/3/0/0'), ClientNotRegisteredError);
  await clock.tick(0);
  assert.equal((await raw.exchange(CoapCode.DELETE, { uriPath: '/rd/r1' })).reply.msg.code, CoapCode.DELETED);
  await orphan;
});

test('queue mode: a request that times out puts the client to sleep', async (t) => {
  const clock = new FakeClock();
  const { server, raw } = await setup(t, { clock, queueAwakeMs: 10_000_000, coap: { params: { ackTimeout: 1000, ackRandomFactor: 1, maxRetransmit: 0 } } });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=q', 'lwm2m=1.1', 'Q'] }, '</3/0>');
  const read = assert.rejects(server.read('q', '/3/0/0'), TimeoutError);
  await raw.recv(); // the GET, left unanswered
  await clock.tick(1000);
  await read;
  assert.equal(server.isAwake('q'), false);
  const next = server.read('q', '/3/0/0', { format: ContentFormat.TEXT });
  await clock.tick(0);
  assert.equal(server.queuedRequests('q'), 1);
  raw.request(CoapCode.POST, { uriPath: '/rd/r1' });
  assert.equal((await raw.recv()).msg.code, CoapCode.CHANGED);
  const get = await raw.recv();
  raw.reply(get.msg, CoapCode.CONTENT, { contentFormat: 0 }, 'Z');
  assert.equal((await next).records[0]?.value, 'Z');
  // A client without queue mode is always awake.
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=always'] }, '</3/0>');
  assert.equal(server.isAwake('always'), true);
  assert.equal(server.isAwake('nobody'), false);
});
