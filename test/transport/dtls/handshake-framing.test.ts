import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DtlsError } from '../../../src/errors.ts';
import { planFlight, retransmitTimeout, type FlightEntry } from '../../../src/transport/dtls/flight.ts';
import { encodeHandshakeMessage, fragmentHandshake, parseHandshakeFragments } from '../../../src/transport/dtls/handshake-fragment.ts';
import { HandshakeReassembler } from '../../../src/transport/dtls/reassembler.ts';

test('handshake header (RFC 6347 4.2.2) encodes message_seq and fragment offset/length', () => {
  const m = encodeHandshakeMessage(1, 3, Buffer.from('abcd'));
  assert.equal(m.toString('hex'), '01' + '000004' + '0003' + '000000' + '000004' + '61626364');
  const [f] = parseHandshakeFragments(m);
  assert.equal(f?.msgType, 1);
  assert.equal(f.messageSeq, 3);
  assert.equal(f.body.toString(), 'abcd');
});

test('malformed handshake fragments are decode_error', () => {
  const m = encodeHandshakeMessage(1, 0, Buffer.from('abcd'));
  const short = m.subarray(0, m.length - 1);
  assert.throws(() => parseHandshakeFragments(short), (e: unknown) => e instanceof DtlsError && e.alert === 50);
  const beyond = Buffer.from(m);
  beyond.writeUIntBE(3, 6, 3); // offset 3 + length 4 > message length 4
  assert.throws(() => parseHandshakeFragments(beyond), (e: unknown) => e instanceof DtlsError && e.alert === 50);
});

test('reassembly delivers each message once, whatever the fragmentation, order and duplication', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 0, maxLength: 400 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 64 }),
      fc.infiniteStream(fc.nat()),
      (bodies, size, rnd) => {
        const frags = bodies.flatMap((b, i) => fragmentHandshake(11, i, Buffer.from(b), size).flatMap((f) => parseHandshakeFragments(f)));
        const shuffled = [...frags, ...frags.slice(0, 3)];
        const it = rnd[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = it.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const r = new HandshakeReassembler();
        const out: Buffer[] = [];
        for (const f of shuffled) {
          r.add(f, 0);
          for (let m = r.take(); m !== undefined; m = r.take()) out.push(m.body);
        }
        assert.deepEqual(out.map((b) => b.toString('hex')), bodies.map((b) => Buffer.from(b).toString('hex')));
        assert.equal(r.add(frags[0]!, 0), 'old');
      },
    ),
  );
});

test('a fragment that contradicts earlier ones (type, length, epoch) is ignored', () => {
  const r = new HandshakeReassembler();
  const [a] = fragmentHandshake(11, 0, Buffer.alloc(100, 1), 50).map((f) => parseHandshakeFragments(f)[0]!);
  assert.equal(r.add(a!, 0), 'accepted');
  const [other] = parseHandshakeFragments(fragmentHandshake(12, 0, Buffer.alloc(100, 2), 50)[1]!);
  assert.equal(r.add(other!, 0), 'ignored');
  const [wrongEpoch] = parseHandshakeFragments(fragmentHandshake(11, 0, Buffer.alloc(100, 1), 50)[1]!);
  assert.equal(r.add(wrongEpoch!, 1), 'ignored');
  assert.equal(r.add(wrongEpoch!, 0), 'accepted');
  assert.equal(r.take()?.body.length, 100);
});

test('flights are packed into datagrams no larger than the MTU and reassemble exactly', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 100, max: 1500 }),
      fc.boolean(),
      (sizes, mtu, withCcs) => {
        const entries: FlightEntry[] = sizes.map((n, i) => ({ kind: 'handshake', epoch: 0, msgType: 11 + i, messageSeq: i, body: Buffer.alloc(n, i) }));
        if (withCcs) entries.push({ kind: 'ccs', epoch: 0 }, { kind: 'handshake', epoch: 1, msgType: 20, messageSeq: sizes.length, body: Buffer.alloc(12, 9) });
        const overhead = (epoch: number): number => 13 + (epoch === 1 ? 16 : 0);
        const datagrams = planFlight(entries, mtu, overhead);
        const r = new HandshakeReassembler();
        const got: number[] = [];
        for (const d of datagrams) {
          const size = d.reduce((n, rec) => n + overhead(rec.epoch) + rec.payload.length, 0);
          assert.ok(size <= mtu, `datagram of ${size} > ${mtu}`);
          for (const rec of d) {
            if (rec.type !== 22) continue;
            for (const f of parseHandshakeFragments(rec.payload)) r.add(f, rec.epoch);
          }
          for (let m = r.take(); m !== undefined; m = r.take()) got.push(m.body.length);
        }
        assert.deepEqual(got, withCcs ? [...sizes, 12] : sizes);
      },
    ),
  );
});

test('retransmission timeout doubles from the initial value up to the cap (RFC 6347 4.2.4.1)', () => {
  const policy = { initialMs: 1000, maxMs: 60_000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => retransmitTimeout(policy, n)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});
