/** Register / Update parameter and payload parsing (Transport 1.1.1 6.4), including property tests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBinding, parseObjectLinks, parseRegisterQuery, parseUpdateQuery, newRegistration, updatedRegistration } from '../../src/server/registration.ts';
import { LwM2mStatusError } from '../../src/errors.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function code(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof LwM2mStatusError, String(e));
    return e.coapCode;
  }
}

test('Register query: defaults and every parameter', () => {
  assert.deepEqual(parseRegisterQuery(['ep=a']), { endpoint: 'a', lifetime: 86400, version: '1.0', binding: 'U', queueMode: false, additional: new Map() });
  const p = parseRegisterQuery(['ep=urn:imei:123', 'lt=30', 'lwm2m=1.2', 'b=UT', 'Q', 'sms=+123', 'pid=7']);
  assert.equal(p.endpoint, 'urn:imei:123');
  assert.equal(p.lifetime, 30);
  assert.equal(p.version, '1.2');
  assert.equal(p.binding, 'UT');
  assert.equal(p.queueMode, true);
  assert.equal(p.smsNumber, '+123');
  assert.deepEqual([...p.additional], [['pid', '7']]);
  assert.equal(parseRegisterQuery(['ep=a', 'lt=0', 'lwm2m=1.2']).lifetime, 0);
  assert.equal(parseRegisterQuery(['ep=a', 'lt=4294967295']).lifetime, 4294967295);
});

test('Register query: each malformed parameter is 4.00, an unsupported version 4.12', () => {
  for (const q of [[], ['ep'], ['ep='], ['=x', 'ep=a'], ['ep=a', 'lt=4294967296'], ['ep=a', 'lt=1.5'], ['ep=a', 'lt=0'], ['ep=a', 'lwm2m=1'], ['ep=a', 'b='], ['ep=a', 'b=Q', 'lwm2m=1.1'], ['ep=a', 'b=QU'], ['ep=a', 'sms='], ['ep=a', 'Q='], ['ep=a', 'lwm2m=1.1', 'b=UM']]) {
    assert.equal(code(() => parseRegisterQuery(q)), 0x80, q.join('&'));
  }
  for (const v of ['0.9', '1.3', '2.0', '10.10']) assert.equal(code(() => parseRegisterQuery(['ep=a', `lwm2m=${v}`])), 0x8c, v);
});

test('bindings per version', () => {
  assert.deepEqual(parseBinding('UQS', '1.0'), { binding: 'US', queue: true });
  assert.deepEqual(parseBinding('SQ', '1.0'), { binding: 'S', queue: true });
  assert.deepEqual(parseBinding('NTU', '1.1'), { binding: 'NTU', queue: false });
  assert.deepEqual(parseBinding('UQ', '1.1'), { binding: 'U', queue: true });
  assert.deepEqual(parseBinding('MH', '1.2'), { binding: 'MH', queue: false });
  assert.equal(code(() => parseBinding('T', '1.0')), 0x80);
  assert.equal(code(() => parseBinding('QUS', '1.0')), 0x80);
  assert.equal(code(() => parseBinding('UU', '1.2')), 0x80);
});

test('Update query: changes only what it names; 1.0 queue mode follows the binding', () => {
  assert.deepEqual(parseUpdateQuery([], '1.1'), { additional: new Map() });
  assert.deepEqual(parseUpdateQuery(['lt=5', 'b=T', 'sms=1'], '1.1'), { lifetime: 5, binding: 'T', smsNumber: '1', additional: new Map() });
  assert.deepEqual(parseUpdateQuery(['b=U'], '1.0'), { binding: 'U', queueMode: false, additional: new Map() });
  assert.deepEqual(parseUpdateQuery(['b=UQ'], '1.0'), { binding: 'U', queueMode: true, additional: new Map() });
  assert.deepEqual(parseUpdateQuery(['Q'], '1.1'), { queueMode: true, additional: new Map() });
  for (const q of [['lt=x'], ['ep=b'], ['lwm2m=1.1'], ['b=Z'], ['lt=1', 'lt=2']]) assert.equal(code(() => parseUpdateQuery(q, '1.1')), 0x80, q.join('&'));
});

test('object links: root path, ct, versions, instances; bad payloads', () => {
  const r = parseObjectLinks(utf8(' </>;rt="oma.lwm2m";ct=110, </1/0>, </3>;ver=1.1, </3/0>, </5>, </3303/1>,</3303/0>'), 40);
  assert.equal(r.rootPath, '');
  assert.deepEqual(r.contentFormats, [110]);
  assert.deepEqual(r.objects, [
    { id: 1, instances: [0] },
    { id: 3, version: '1.1', instances: [0] },
    { id: 5, instances: [] },
    { id: 3303, instances: [0, 1] },
  ]);
  assert.deepEqual(parseObjectLinks(new Uint8Array(0), undefined).objects, []);
  const alt = parseObjectLinks(utf8('</a/b/>;rt="oma.lwm2m",</a/b/3/0>'), undefined);
  assert.equal(alt.rootPath, '/a/b');
  assert.deepEqual(alt.objects, [{ id: 3, instances: [0] }]);
  for (const bad of ['<', '</3/0>;', '</3/0>,,</4>', '</3/0/0>', '</65535/0>', '</3/0>,</3/0>', '</lwm2m/3/0>', '</3/0>;pmin=x', '</x>;rt="oma.lwm2m";ct="1 x"']) {
    assert.equal(code(() => parseObjectLinks(utf8(bad), 40)), 0x80, bad);
  }
  assert.equal(code(() => parseObjectLinks(utf8('</3/0>'), 0)), 0x8f);
  assert.equal(code(() => parseObjectLinks(Uint8Array.of(0x3c, 0xc3, 0x28, 0x3e), 40)), 0x80);
});

test('property: any Uri-Query list or payload parses or fails with 4.00 / 4.12 / 4.15, never anything else', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string(), fc.constantFrom('ep=a', 'lt=60', 'lwm2m=1.1', 'b=U', 'Q', 'lt=0', 'lwm2m=9.9')), { maxLength: 6 }),
      fc.uint8Array({ maxLength: 64 }),
      (query, payload) => {
        const c1 = code(() => parseRegisterQuery(query));
        assert.ok(c1 === undefined || c1 === 0x80 || c1 === 0x8c);
        const c2 = code(() => parseObjectLinks(payload, 40));
        assert.ok(c2 === undefined || c2 === 0x80);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: valid Register queries round-trip their values', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 0xffff_ffff }),
      fc.constantFrom('1.0', '1.1', '1.2' as const),
      fc.boolean(),
      (ep, lt, version, queue) => {
        const q = [`ep=${ep}`, `lt=${lt}`, `lwm2m=${version}`, ...(queue ? (version === '1.0' ? ['b=UQ'] : ['Q']) : [])];
        const p = parseRegisterQuery(q);
        assert.equal(p.endpoint, ep);
        assert.equal(p.lifetime, lt);
        assert.equal(p.version, version);
        assert.equal(p.queueMode, queue);
      },
    ),
    { numRuns: 300 },
  );
});

test('new and updated registrations: expiry, address, objects kept or replaced', () => {
  const arrival = { address: { address: '10.0.0.1', port: 5000 }, listener: 'udp' as const, identity: {}, now: 1000, wallTime: 1_700_000_000_000 };
  const links = parseObjectLinks(utf8('</3/0>'), 40);
  const reg = newRegistration('id1', parseRegisterQuery(['ep=a', 'lt=60']), links, arrival, 500);
  assert.equal(reg.expiresAt, 1000 + 60_000 + 500);
  assert.equal(reg.registeredAt, 1_700_000_000_000);
  const moved = { ...arrival, address: { address: '10.0.0.9', port: 6000 }, now: 5000, wallTime: 1_700_000_004_000 };
  const up = updatedRegistration(reg, parseUpdateQuery(['lt=10'], '1.0'), undefined, moved, 500);
  assert.deepEqual(up.address, { address: '10.0.0.9', port: 6000 });
  assert.equal(up.expiresAt, 5000 + 10_000 + 500);
  assert.equal(up.objects, reg.objects);
  assert.equal(up.registeredAt, reg.registeredAt);
  assert.equal(up.updatedAt, 1_700_000_004_000);
  const forever = newRegistration('id2', parseRegisterQuery(['ep=b', 'lt=0', 'lwm2m=1.2']), links, arrival, 500);
  assert.equal(forever.expiresAt, Infinity);
});
