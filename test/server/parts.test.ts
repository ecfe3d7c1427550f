/** Store, content helpers, security registry, request queue and expiry timers of the server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryRegistrationStore, addressKey } from '../../src/server/store.ts';
import { attributeQuery, defaultFormat, executePayload, toRecords } from '../../src/server/content.ts';
import { SecurityRegistry, identityOf, sameIdentity } from '../../src/server/security.ts';
import { RequestQueue } from '../../src/server/queue.ts';
import { ExpiryTimers } from '../../src/server/expiry.ts';
import { newRegistration, parseObjectLinks, parseRegisterQuery, type Registration } from '../../src/server/registration.ts';
import { ContentFormat } from '../../src/codec/index.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { AbortedError, ValueError } from '../../src/errors.ts';
import { FakeClock } from '../../src/util/clock.ts';
import { testPki } from '../transport/dtls/_support.ts';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';

function reg(id: string, ep: string, port: number): Registration {
  return newRegistration(id, parseRegisterQuery([`ep=${ep}`]), parseObjectLinks(new Uint8Array(0), undefined), { address: { address: '127.0.0.1', port }, listener: 'udp', identity: {}, now: 0, wallTime: 0 }, 0);
}

test('store: by id, endpoint and address; replacement; update moves the address index', () => {
  const s = new InMemoryRegistrationStore();
  assert.equal(s.add(reg('a', 'ep1', 1000)), undefined);
  assert.equal(s.add(reg('b', 'ep2', 2000)), undefined);
  assert.equal(s.size, 2);
  assert.equal(s.byAddress(addressKey('udp', { address: '127.0.0.1', port: 1000 }))?.id, 'a');
  assert.equal(s.byAddress(addressKey('dtls', { address: '127.0.0.1', port: 1000 })), undefined);
  const replaced = s.add(reg('c', 'ep1', 3000));
  assert.equal(replaced?.id, 'a');
  assert.equal(s.get('a'), undefined);
  assert.equal(s.byEndpoint('ep1')?.id, 'c');
  assert.equal(s.byAddress(addressKey('udp', { address: '127.0.0.1', port: 1000 })), undefined);
  const moved = { ...s.get('b')!, address: { address: '127.0.0.1', port: 2001 } };
  assert.equal(s.update(moved), true);
  assert.equal(s.byAddress(addressKey('udp', { address: '127.0.0.1', port: 2000 })), undefined);
  assert.equal(s.byAddress(addressKey('udp', { address: '127.0.0.1', port: 2001 }))?.id, 'b');
  assert.equal(s.update(reg('zz', 'x', 1)), false);
  assert.equal(s.remove('b')?.endpoint, 'ep2');
  assert.equal(s.remove('b'), undefined);
  assert.deepEqual([...s.all()].map((r) => r.id), ['c']);
  assert.equal(addressKey('udp', { address: '::1', port: 5 }), 'udp [::1]:5');
});

test('content: value trees, records and single values to records; checks', () => {
  const base = LwM2mPath.parse('/3303/0');
  assert.deepEqual(toRecords(base, { 5700: 1.5, 5701: 'C' }).map((r) => [r.path.toString(), r.value]), [['/3303/0/5700', 1.5], ['/3303/0/5701', 'C']]);
  assert.deepEqual(toRecords(LwM2mPath.parse('/3/0/7'), { 0: 1, 1: 2 }).map((r) => r.path.toString()), ['/3/0/7/0', '/3/0/7/1']);
  assert.deepEqual(toRecords(LwM2mPath.parse('/3303'), { 1: { 5700: 2 } }).map((r) => r.path.toString()), ['/3303/1/5700']);
  assert.deepEqual(toRecords(LwM2mPath.parse('/3/0/0'), 'x'), [{ path: LwM2mPath.parse('/3/0/0'), value: 'x' }]);
  const link = { oid: 3, iid: 0 };
  assert.deepEqual(toRecords(LwM2mPath.parse('/3/0/22/0'), link)[0]!.value, link);
  assert.throws(() => toRecords(base, 5), ValueError);
  assert.throws(() => toRecords(base, { abc: 1 } as never), ValueError);
  assert.throws(() => toRecords(base, { 5700: { 0: { 1: { 2: 3 } } } }), ValueError);
  assert.throws(() => toRecords(base, [{ path: LwM2mPath.parse('/3/0/0'), value: 1 }]), ValueError);
  assert.throws(() => toRecords(base, { 5700: null } as never), ValueError);
});

test('content: default formats, attribute queries, execute arguments', () => {
  assert.equal(defaultFormat({ version: '1.0', contentFormats: [] }), ContentFormat.TLV);
  assert.equal(defaultFormat({ version: '1.1', contentFormats: [] }), ContentFormat.SENML_CBOR);
  assert.equal(defaultFormat({ version: '1.1', contentFormats: [0, 11542, 110] }), ContentFormat.SENML_JSON);
  assert.equal(defaultFormat({ version: '1.2', contentFormats: [11542, 11544] }), ContentFormat.LWM2M_CBOR);
  assert.equal(defaultFormat({ version: '1.1', contentFormats: [11542] }, true), ContentFormat.SENML_CBOR);
  assert.equal(defaultFormat({ version: '1.1', contentFormats: [11542] }), ContentFormat.TLV);
  assert.deepEqual(attributeQuery({ pmin: 1, pmax: null, gt: -2.5, st: 0.5, edge: 1 }), ['pmin=1', 'pmax', 'edge=1', 'gt=-2.5', 'st=0.5']);
  for (const bad of [{}, { pmin: 1.5 }, { pmin: -1 }, { gt: Infinity }, { con: 2 }, { foo: 1 }]) assert.throws(() => attributeQuery(bad), ValueError, JSON.stringify(bad));
  const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
  assert.equal(dec(executePayload(undefined)), '');
  assert.equal(dec(executePayload('raw text')), 'raw text');
  assert.equal(dec(executePayload([{ id: 0, value: 'a b' }, { id: 9 }])), "0='a b',9");
  assert.throws(() => executePayload([{ id: 10 }]), ValueError);
  assert.throws(() => executePayload([{ id: 1, value: "it's" }]), ValueError);
});

test('security registry: PSK lookup, duplicates refused, verification per method', () => {
  const key = Uint8Array.of(1, 2, 3);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const pki = testPki();
  const certDer = new Uint8Array(new X509Certificate(pki.clientCert).raw);
  const r = new SecurityRegistry([
    ['a', { psk: { identity: 'id-a', key } }],
    ['r', { rpk: publicKey }],
    ['device-1', { x509: true }],
  ]);
  assert.deepEqual(r.pskKey('id-a'), key);
  assert.equal(r.pskKey('nope'), undefined);
  assert.throws(() => r.set('b', { psk: { identity: 'id-a', key } }), /already used/);
  assert.throws(() => r.set('b', { psk: { identity: 'id-b', key: new Uint8Array(0) } }), /empty/);
  assert.throws(() => r.set('b', { rpk: publicKey }), /already used/);
  r.set('a', { psk: { identity: 'id-a2', key } });
  assert.equal(r.pskKey('id-a'), undefined);
  assert.equal(r.endpointOf({ secure: true, pskIdentity: 'id-a2' }), 'a');
  assert.equal(r.knowsRawPublicKey(spki), true);
  assert.equal(r.verify('a', { secure: true, pskIdentity: 'id-a2' }), undefined);
  assert.match(r.verify('a', { secure: true, pskIdentity: 'other' }) ?? '', /does not belong/);
  assert.match(r.verify('a', { secure: false }) ?? '', /must use DTLS/);
  assert.equal(r.verify('free', { secure: false }), undefined);
  assert.match(r.verify('free', { secure: true, pskIdentity: 'x' }) ?? '', /no PSK/);
  assert.equal(r.verify('r', { secure: true, rawPublicKey: spki }), undefined);
  assert.match(r.verify('a', { secure: true, rawPublicKey: spki }) ?? '', /no raw public key/);
  assert.equal(r.endpointOf({ secure: true, rawPublicKey: spki }), 'r');
  assert.equal(r.verify('device-1', { secure: true, peerCertificate: certDer }), undefined);
  assert.equal(r.endpointOf({ secure: true, peerCertificate: certDer }), 'device-1');
  assert.match(r.verify('r', { secure: true, peerCertificate: certDer }) ?? '', /no certificate/);
  assert.match(r.verify('a', { secure: true }) ?? '', /no client credentials/);
  const byCn = new SecurityRegistry([], { certificateCommonNameIsEndpoint: true });
  assert.equal(byCn.verify('device-1', { secure: true, peerCertificate: certDer }), undefined);
  assert.match(byCn.verify('device-2', { secure: true, peerCertificate: certDer }) ?? '', /does not belong/);
  assert.deepEqual(identityOf({ secure: true, peerCertificate: certDer }), { certificateCommonName: 'device-1' });
  assert.deepEqual(identityOf({ secure: false, pskIdentity: 'ignored' }), {});
  assert.equal(sameIdentity({ pskIdentity: 'x' }, { pskIdentity: 'x' }), true);
  assert.equal(sameIdentity({ pskIdentity: 'x' }, {}), false);
  assert.equal(r.delete('a'), true);
  assert.equal(r.delete('a'), false);
  assert.equal(r.size, 2);
});

test('request queue: order, abort, fail', async () => {
  const q = new RequestQueue();
  const ran: number[] = [];
  const failed: unknown[] = [];
  const ac = new AbortController();
  for (const i of [1, 2, 3]) q.enqueue('r', { run: () => ran.push(i), fail: (e) => failed.push(e) }, i === 2 ? ac.signal : undefined);
  assert.equal(q.size('r'), 3);
  ac.abort();
  assert.equal(q.size('r'), 2);
  assert.ok(failed[0] instanceof AbortedError);
  q.flush('r');
  assert.deepEqual(ran, [1, 3]);
  assert.equal(q.size('r'), 0);
  const pre = new AbortController();
  pre.abort();
  q.enqueue('r', { run: () => ran.push(9), fail: (e) => failed.push(e) }, pre.signal);
  assert.equal(q.size('r'), 0);
  q.enqueue('s', { run: () => ran.push(10), fail: (e) => failed.push(e) });
  q.failAll(new Error('closed'));
  assert.equal(failed.length, 3);
  assert.deepEqual(ran, [1, 3]);
});

test('expiry timers: reschedule, delete, Infinity, far deadlines served by re-arming', async () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  const t = new ExpiryTimers(clock, (id) => fired.push(id));
  t.set('a', 1000);
  t.set('b', 2000);
  t.set('a', 3000);
  t.set('c', Infinity);
  t.set('far', 40 * 24 * 3600 * 1000);
  await clock.tick(2000);
  assert.deepEqual(fired, ['b']);
  t.delete('a');
  await clock.tick(30 * 24 * 3600 * 1000);
  assert.deepEqual(fired, ['b']);
  await clock.tick(10 * 24 * 3600 * 1000);
  assert.deepEqual(fired, ['b', 'far']);
  t.set('d', clock.now() + 5);
  t.clear();
  await clock.tick(10);
  assert.deepEqual(fired, ['b', 'far']);
});
