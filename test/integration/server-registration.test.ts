/**
 * The Registration interface of LwM2mServer over real UDP on loopback, driven in lockstep by a
 * scripted raw-CoAP client (LwM2M Core 1.1.1 6.2, Transport 1.1.1 6.4): exact replies for Register,
 * Update and De-register, NAT rebinding, replacement, expiry on fake time, bad parameters and payloads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../src/server/server.ts';
import { CoapCode, CoapOption, CoapType } from '../../src/coap/message.ts';
import { buildOptions, getOption } from '../../src/coap/options.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { RawClient, bytes, hex, utf8 } from '../server/_raw-client.ts';

const LINKS = '</1/0>,</3/0>,</3303/0>,</3303/1>';

function ids(...list: string[]): () => string {
  let i = 0;
  return () => list[i++] ?? `id${i}`;
}

async function setup(t: { after: (fn: () => Promise<unknown>) => void }, options: Parameters<typeof LwM2mServer.start>[0] = {}) {
  const server = await LwM2mServer.start({ address: '127.0.0.1', registrationId: ids('abc123', 'def456', 'ghi789'), ...options });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  return { server, raw };
}

test('Register: 2.01 Created with Location-Path rd/{id}, byte for byte, and a registered event', async (t) => {
  const { server, raw } = await setup(t);
  const registered = server.next('registered');
  raw.request(CoapCode.POST, { uriPath: '/rd', contentFormat: 40, uriQuery: ['ep=dev-1', 'lt=60', 'lwm2m=1.1', 'b=U'] }, LINKS, {
    messageId: 0x1234,
    token: Uint8Array.of(1, 2),
  });
  const reply = await raw.recv();
  // ACK, TKL 2, 2.01, MID 0x1234, token 0102, Location-Path "rd" (delta 8), Location-Path "abc123".
  assert.equal(hex(reply.data), '6241123401028272640661626331323' + '3');
  const { registration: reg } = await registered;
  assert.equal(reg.endpoint, 'dev-1');
  assert.equal(reg.id, 'abc123');
  assert.equal(reg.lifetime, 60);
  assert.equal(reg.version, '1.1');
  assert.equal(reg.binding, 'U');
  assert.equal(reg.queueMode, false);
  assert.deepEqual(reg.objects, [
    { id: 1, instances: [0] },
    { id: 3, instances: [0] },
    { id: 3303, instances: [0, 1] },
  ]);
  assert.deepEqual(reg.address, { address: '127.0.0.1', port: raw.port });
  assert.equal(server.registration('dev-1')?.id, 'abc123');
  assert.equal(server.registrations().length, 1);
});

test('Register with an alternate path, ct, Q and defaults', async (t) => {
  const { server, raw } = await setup(t);
  const { reply } = await raw.exchange(
    CoapCode.POST,
    { uriPath: '/rd', uriQuery: ['ep=dev-2', 'lwm2m=1.1', 'Q', 'apn=internet'] },
    '</lwm2m>;rt="oma.lwm2m";ct="60 110 112 11543",</lwm2m/1/0>,</lwm2m/3>;ver=1.2,</lwm2m/3/0>',
  );
  assert.equal(reply.msg.code, CoapCode.CREATED);
  const reg = server.registration('dev-2')!;
  assert.equal(reg.rootPath, '/lwm2m');
  assert.deepEqual(reg.contentFormats, [60, 110, 112, 11543]);
  assert.equal(reg.lifetime, 86400);
  assert.equal(reg.queueMode, true);
  assert.equal(reg.binding, 'U');
  assert.equal(reg.additionalParameters.get('apn'), 'internet');
  assert.deepEqual(reg.objects, [
    { id: 1, instances: [0] },
    { id: 3, version: '1.2', instances: [0] },
  ]);
});

test('Update: 2.04 byte for byte, new lifetime and objects, updated event; unknown id is 4.04', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', contentFormat: 40, uriQuery: ['ep=dev-1', 'lt=60', 'lwm2m=1.1'] }, LINKS);
  const updated = server.next('updated');
  raw.request(CoapCode.POST, { uriPath: '/rd/abc123', contentFormat: 40, uriQuery: ['lt=120'] }, '</3/0>,</5/0>', { messageId: 0x2001, token: Uint8Array.of(9) });
  const reply = await raw.recv();
  assert.equal(hex(reply.data), '6144200109'); // ACK TKL1 2.04 MID 0x2001 token 09
  const { registration, previous } = await updated;
  assert.equal(previous.lifetime, 60);
  assert.equal(registration.lifetime, 120);
  assert.deepEqual(registration.objects.map((o) => o.id), [3, 5]);
  assert.ok(registration.updatedAt >= previous.updatedAt);
  // An empty Update keeps the objects.
  const { reply: r2 } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' });
  assert.equal(r2.msg.code, CoapCode.CHANGED);
  assert.deepEqual(server.registration('dev-1')?.objects.map((o) => o.id), [3, 5]);
  const { reply: r3 } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/nope' });
  assert.equal(r3.msg.code, CoapCode.NOT_FOUND);
  const { reply: r4 } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123', uriQuery: ['lt=soon'] });
  assert.equal(r4.msg.code, CoapCode.BAD_REQUEST);
  const { reply: r5 } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123', uriQuery: ['ep=other'] });
  assert.equal(r5.msg.code, CoapCode.BAD_REQUEST);
});

test('De-register: 2.02 byte for byte, deregistered event; a second one is 4.04', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1'] }, LINKS);
  const gone = server.next('deregistered');
  raw.request(CoapCode.DELETE, { uriPath: '/rd/abc123' }, undefined, { messageId: 0x3001, token: Uint8Array.of(7, 7) });
  assert.equal(hex((await raw.recv()).data), '6242300107' + '07');
  assert.equal((await gone).registration.endpoint, 'dev-1');
  assert.equal(server.registration('dev-1'), undefined);
  const { reply } = await raw.exchange(CoapCode.DELETE, { uriPath: '/rd/abc123' });
  assert.equal(reply.msg.code, CoapCode.NOT_FOUND);
  const { reply: r2 } = await raw.exchange(CoapCode.PUT, { uriPath: '/rd/abc123' });
  assert.equal(r2.msg.code, CoapCode.METHOD_NOT_ALLOWED);
});

test('NAT rebinding: an Update from a new source port moves the address requests go to', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1', 'lwm2m=1.1'] }, LINKS);
  const oldPort = raw.port;
  await raw.rebind();
  assert.notEqual(raw.port, oldPort);
  const { reply } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' });
  assert.equal(reply.msg.code, CoapCode.CHANGED);
  assert.equal(server.registration('dev-1')?.address.port, raw.port);
  // The server's next request reaches the new port.
  const read = server.read('dev-1', '/3/0/0', { format: 0 });
  const req = await raw.recv();
  assert.equal(req.msg.code, CoapCode.GET);
  assert.equal(req.msg.type, CoapType.CON);
  raw.reply(req.msg, CoapCode.CONTENT, { contentFormat: 0 }, 'ACME');
  const result = await read;
  assert.equal(result.records[0]?.value, 'ACME');
});

test('NAT rebinding: observations follow the registration to its new address and continue', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1', 'lwm2m=1.1'] }, LINKS);
  const observing = server.observe('dev-1', '/3/0/9', { format: 0 });
  const get = await raw.recv();
  assert.equal(getOption(get.msg.options, CoapOption.OBSERVE)?.length, 0, 'Observe=0');
  raw.reply(get.msg, CoapCode.CONTENT, { contentFormat: 0, observe: 1 }, '88');
  const obs = await observing;
  assert.equal(obs.initial.records[0]?.value, 88);
  const it = obs[Symbol.asyncIterator]();

  await raw.rebind();
  const { reply } = await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' });
  assert.equal(reply.msg.code, CoapCode.CHANGED);

  // The value changes: a CON notification from the new port, with the observation's token.
  const notify = (seq: number, value: string, from: RawClient = raw) =>
    from.send({ type: CoapType.CON, code: CoapCode.CONTENT, token: get.msg.token, options: buildOptions({ observe: seq, contentFormat: 0 }), payload: bytes(value) });
  const n1 = notify(2, '75');
  const ack1 = await raw.recv();
  assert.equal(ack1.msg.type, CoapType.ACK, 'acknowledged, not reset');
  assert.equal(ack1.msg.messageId, n1.messageId);
  assert.equal((await it.next()).value?.records[0]?.value, 75);
  const n2 = notify(3, '60');
  const ack2 = await raw.recv();
  assert.equal(ack2.msg.type, CoapType.ACK);
  assert.equal(ack2.msg.messageId, n2.messageId);
  assert.equal((await it.next()).value?.records[0]?.value, 60);
  assert.ok(obs.active);

  // Another address with the same token is not the client: rejected, and the observation goes on.
  const stranger = await RawClient.open(server.local);
  t.after(() => stranger.close());
  const forged = notify(4, '1', stranger);
  const rst = await stranger.recv();
  assert.equal(rst.msg.type, CoapType.RST);
  assert.equal(rst.msg.messageId, forged.messageId);
  assert.ok(obs.active);

  // A proactive cancel goes to the new address too.
  const cancelled = obs.cancel();
  const deregister = await raw.recv();
  assert.equal(deregister.msg.code, CoapCode.GET);
  assert.equal(getOption(deregister.msg.options, CoapOption.OBSERVE)?.[0], 1);
  assert.equal(hex(deregister.msg.token), hex(get.msg.token));
  raw.reply(deregister.msg, CoapCode.CONTENT, { contentFormat: 0 }, '60');
  await cancelled;
  assert.equal(obs.endReason, 'cancelled');
});

test('re-registration of an endpoint replaces the earlier registration', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1'] }, LINKS);
  const other = await RawClient.open(server.local);
  t.after(() => other.close());
  const registered = server.next('registered');
  const { reply } = await other.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1', 'lt=300'] }, '</3/0>');
  assert.equal(reply.msg.code, CoapCode.CREATED);
  const ev = await registered;
  assert.equal(ev.replaced?.id, 'abc123');
  assert.equal(ev.registration.id, 'def456');
  assert.equal(server.registrations().length, 1);
  // The old location is gone; the new one works.
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' })).reply.msg.code, CoapCode.NOT_FOUND);
  assert.equal((await other.exchange(CoapCode.POST, { uriPath: '/rd/def456' })).reply.msg.code, CoapCode.CHANGED);
});

test('expiry after lifetime + grace on fake time, with an expired event', async (t) => {
  const clock = new FakeClock();
  const { server, raw } = await setup(t, { clock, expiryGraceMs: 2000 });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1', 'lt=60'] }, LINKS);
  const expired: string[] = [];
  server.on('expired', ({ registration }) => expired.push(registration.endpoint));
  await clock.tick(61_999);
  assert.deepEqual(expired, []);
  // An Update restarts the lifetime.
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' })).reply.msg.code, CoapCode.CHANGED);
  await clock.tick(61_999);
  assert.deepEqual(expired, []);
  await clock.tick(1);
  assert.deepEqual(expired, ['dev-1']);
  assert.equal(server.registration('dev-1'), undefined);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' })).reply.msg.code, CoapCode.NOT_FOUND);
});

test('LwM2M 1.2 lifetime 0 never expires; a lifetime beyond the timer range does not fire early', async (t) => {
  const clock = new FakeClock();
  const { server, raw } = await setup(t, { clock });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=forever', 'lt=0', 'lwm2m=1.2'] }, '</3/0>');
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=long', 'lt=4000000000'] }, '</3/0>');
  const expired: string[] = [];
  server.on('expired', ({ registration }) => expired.push(registration.endpoint));
  await clock.tick(30 * 24 * 3600 * 1000);
  assert.deepEqual(expired, []);
  assert.equal(server.registration('forever')?.expiresAt, Infinity);
  assert.ok(server.registration('long') !== undefined);
});

test('bad Register parameters and payloads get 4.00 / 4.12 / 4.15 with a diagnostic; nothing is registered', async (t) => {
  const { server, raw } = await setup(t);
  const cases: [string[], string | undefined, number, number | undefined][] = [
    [['lt=60'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep='], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'ep=b'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lt=abc'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lt=-5'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lt=0'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lt=99999999999'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lt'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lwm2m=one'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lwm2m=2.0'], LINKS, CoapCode.PRECONDITION_FAILED, undefined],
    [['ep=a', 'b=X'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lwm2m=1.0', 'b=N'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'lwm2m=1.1', 'b=UU'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a', 'Q=1'], LINKS, CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</3/0', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</3/0>,garbage', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</a/b>', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</3/0/1>', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</3/0>,</3/0>', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</>;rt="oma.lwm2m";ct=abc,</3/0>', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], '</3>;ver=x', CoapCode.BAD_REQUEST, undefined],
    [['ep=a'], LINKS, CoapCode.UNSUPPORTED_CONTENT_FORMAT, 0],
  ];
  for (const [query, payload, code, cf] of cases) {
    const { reply } = await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: query, ...(cf !== undefined ? { contentFormat: cf } : {}) }, payload);
    assert.equal(reply.msg.code, code, `${query.join('&')} ${payload ?? ''}`);
    assert.equal(reply.msg.type, CoapType.ACK);
    assert.ok(reply.msg.payload.length > 0, 'a diagnostic payload explains the error');
  }
  // Invalid UTF-8 in the payload.
  const bad = raw.send({ code: CoapCode.POST, options: [{ number: CoapOption.URI_PATH, value: new TextEncoder().encode('rd') }, { number: CoapOption.URI_QUERY, value: new TextEncoder().encode('ep=a') }], payload: Uint8Array.of(0x3c, 0xff, 0x3e) });
  const reply = await raw.recv();
  assert.equal(reply.msg.messageId, bad.messageId);
  assert.equal(reply.msg.code, CoapCode.BAD_REQUEST);
  assert.equal(server.registrations().length, 0);
  // Wrong methods and paths.
  assert.equal((await raw.exchange(CoapCode.GET, { uriPath: '/rd' })).reply.msg.code, CoapCode.METHOD_NOT_ALLOWED);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/foo' })).reply.msg.code, CoapCode.NOT_FOUND);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/a/b' })).reply.msg.code, CoapCode.NOT_FOUND);
  // 1.0 queue mode through the binding.
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=old', 'b=UQ'] }, LINKS);
  assert.equal(server.registration('old')?.queueMode, true);
  assert.equal(server.registration('old')?.binding, 'U');
  assert.equal(server.registration('old')?.version, '1.0');
});

test('garbage datagrams and oversize payloads: clear replies or silence, no crash, other registrations unaffected', async (t) => {
  const { server, raw } = await setup(t, { coap: { maxReassemblySize: 2048 }, maxRegistrationPayload: 1500 });
  await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=keep'] }, LINKS);
  const errors: Error[] = [];
  server.on('error', (e) => errors.push(e));
  const intruder = await RawClient.open(server.local);
  t.after(() => intruder.close());
  // Not CoAP at all, a truncated header, an unknown version: silently ignored (RFC 7252 3).
  for (const junk of [Uint8Array.of(0xff, 0xff), Uint8Array.of(0x40), Uint8Array.of(0x80, 0x01, 0, 1), new Uint8Array(0)]) intruder.sendRaw(junk);
  assert.equal(await intruder.quiet(100), undefined);
  // A CON with token length 9, and one with a malformed option: format errors answered with RST (RFC 7252 4.2).
  intruder.sendRaw(Uint8Array.of(0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  intruder.sendRaw(Uint8Array.of(0x40, 0x02, 0x12, 0x34, 0xbf));
  const rsts = [await intruder.recv(), await intruder.recv()];
  assert.deepEqual(rsts.map((r) => [r.msg.type, r.msg.messageId]), [[CoapType.RST, 0x0001], [CoapType.RST, 0x1234]]);
  // Block1 beyond the reassembly limit: 4.13 Request Entity Too Large with Size1.
  const block = new Uint8Array(1024).fill(0x20);
  const query = { uriPath: '/rd', uriQuery: ['ep=huge'] };
  for (let num = 0; num < 2; num++) {
    const { reply } = await intruder.exchange(CoapCode.POST, { ...query, block1: { num, more: true, szx: 6 } }, block);
    assert.equal(reply.msg.code, CoapCode.CONTINUE);
  }
  const { reply: tooLarge } = await intruder.exchange(CoapCode.POST, { ...query, block1: { num: 2, more: false, szx: 6 } }, block);
  assert.equal(tooLarge.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  assert.ok(getOption(tooLarge.msg.options, CoapOption.SIZE1) !== undefined);
  // Size1 announcing too much is refused on the first block.
  const { reply: early } = await intruder.exchange(CoapCode.POST, { ...query, block1: { num: 0, more: true, szx: 6 }, size1: 100_000 }, block);
  assert.equal(early.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  // Within the CoAP limit but above the registration payload limit: 4.13 from the server.
  const links = Array.from({ length: 200 }, (_, i) => `</${1000 + i}/0>`).join(',');
  assert.ok(links.length > 1500 && links.length < 2048);
  const first = await intruder.exchange(CoapCode.POST, { ...query, block1: { num: 0, more: true, szx: 6 } }, links.slice(0, 1024));
  assert.equal(first.reply.msg.code, CoapCode.CONTINUE);
  const last = await intruder.exchange(CoapCode.POST, { ...query, block1: { num: 1, more: false, szx: 6 } }, links.slice(1024));
  assert.equal(last.reply.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
  // A block-wise Register within limits succeeds.
  const fine = Array.from({ length: 120 }, (_, i) => `</${1000 + i}/0>`).join(',');
  assert.ok(fine.length > 1024 && fine.length < 1500);
  await intruder.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=big'], block1: { num: 0, more: true, szx: 6 } }, fine.slice(0, 1024));
  const done = await intruder.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=big'], block1: { num: 1, more: false, szx: 6 } }, fine.slice(1024));
  assert.equal(done.reply.msg.code, CoapCode.CREATED);
  assert.equal(server.registration('big')?.objects.length, 120);
  // The first registration is untouched and still served.
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' })).reply.msg.code, CoapCode.CHANGED);
  assert.equal(server.registration('keep')?.id, 'abc123');
  assert.deepEqual(errors, []);
  assert.equal(utf8(tooLarge.msg.payload), '');
});

test('a registration id generator that repeats itself gives 5.00 and an error event, never a hang', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', registrationId: () => 'same' });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=one'] }, '</3/0>')).reply.msg.code, CoapCode.CREATED);
  const error = server.next('error');
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=two'] }, '</3/0>')).reply.msg.code, CoapCode.INTERNAL_SERVER_ERROR);
  assert.match((await error).message, /registrationId generator/);
  assert.deepEqual(server.registrations().map((r) => r.endpoint), ['one']);
});

test('a listener that throws becomes an error event; the server keeps serving', async (t) => {
  const { server, raw } = await setup(t);
  server.on('registered', () => {
    throw new Error('listener bug');
  });
  const error = server.next('error');
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=one'] }, '</3/0>')).reply.msg.code, CoapCode.CREATED);
  assert.equal((await error).message, 'listener bug');
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd/abc123' })).reply.msg.code, CoapCode.CHANGED);
});
