import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeInnerPlaintext, encodeInnerPlaintext, encodeRecord, parseRecords } from '../../../src/transport/dtls/record.ts';
import { ReplayWindow } from '../../../src/transport/dtls/replay-window.ts';

test('a record header encodes and decodes (RFC 6347 4.1), several records per datagram', () => {
  const a = encodeRecord(22, 0xfefd, 0, 7, undefined, Buffer.from('abc'));
  assert.equal(a.toString('hex'), '16' + 'fefd' + '0000' + '000000000007' + '0003' + '616263');
  const b = encodeRecord(23, 0xfefd, 1, 2 ** 48 - 1, undefined, Buffer.from('xyz!'));
  const records = parseRecords(Buffer.concat([a, b]), 0);
  assert.equal(records.length, 2);
  assert.deepEqual({ ...records[1]!, fragment: records[1]!.fragment.toString() }, { type: 23, version: 0xfefd, epoch: 1, seq: 2 ** 48 - 1, cid: undefined, fragment: 'xyz!' });
});

test('tls12_cid records carry the connection ID before the length (RFC 9146 4)', () => {
  const cid = Buffer.from('0a0b0c', 'hex');
  const r = encodeRecord(25, 0xfefd, 1, 3, cid, Buffer.from('zz'));
  assert.equal(r.toString('hex'), '19fefd0001000000000003' + '0a0b0c' + '0002' + '7a7a');
  const [p] = parseRecords(r, 3);
  assert.deepEqual(p?.cid, cid);
  assert.equal(p.fragment.toString(), 'zz');
  assert.deepEqual(parseRecords(r, 0), [], 'without issued CIDs a tls12_cid record is not parsed');
});

test('truncated or oversized records end parsing; earlier records survive', () => {
  const good = encodeRecord(22, 0xfefd, 0, 1, undefined, Buffer.alloc(5));
  const truncated = encodeRecord(22, 0xfefd, 0, 2, undefined, Buffer.alloc(20)).subarray(0, 20);
  assert.equal(parseRecords(Buffer.concat([good, truncated]), 0).length, 1);
  const huge = Buffer.from(good);
  huge.writeUInt16BE(0xffff, 11);
  assert.equal(parseRecords(huge, 0).length, 0);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (bytes, cidLen) => {
    for (const r of parseRecords(bytes, cidLen)) assert.ok(r.fragment.length <= bytes.length);
  }));
});

test('DTLSInnerPlaintext: content, real type, zero padding', () => {
  const inner = Buffer.concat([encodeInnerPlaintext(23, Buffer.from('hi')), Buffer.alloc(4)]);
  assert.deepEqual(decodeInnerPlaintext(inner), { type: 23, content: Buffer.from('hi') });
  assert.equal(decodeInnerPlaintext(Buffer.alloc(5)), undefined);
});

test('anti-replay window (RFC 6347 4.1.2.6) agrees with a set-based model', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }), (seqs) => {
      const w = new ReplayWindow();
      const seen = new Set<number>();
      let max = -1;
      for (const s of seqs) {
        const expectReplay = seen.has(s) || (max >= 0 && s <= max - 64);
        assert.equal(w.isReplay(s), expectReplay, `seq ${s} after max ${max}`);
        if (!expectReplay) {
          w.mark(s);
          seen.add(s);
          max = Math.max(max, s);
        }
      }
    }),
  );
});

test('anti-replay window handles 48-bit sequence numbers and large jumps', () => {
  const w = new ReplayWindow();
  w.mark(5);
  w.mark(2 ** 48 - 2);
  assert.equal(w.isReplay(5), true, 'far left of the window');
  assert.equal(w.isReplay(2 ** 48 - 2), true);
  assert.equal(w.isReplay(2 ** 48 - 3), false);
  assert.equal(w.isReplay(2 ** 48 - 1), false);
  assert.equal(w.highest, 2 ** 48 - 2);
});
