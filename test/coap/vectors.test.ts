/**
 * Byte vectors from the example exchanges of RFC 7252 (Appendix A, Figures 16-23), RFC 7641
 * (Figures 3-4) and RFC 7959 (Figures 2, 3, 7, 9, 10 and 12). Each datagram is written out by hand
 * from the figure, decoded, checked field by field, and re-encoded to the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';
import { CoapCode, CoapOption, CoapType, type CoapMessage } from '../../src/coap/message.ts';
import { block1, block2, blockSize, etag, maxAge, observe, uriPath } from '../../src/coap/options.ts';
import { fromHex, hex, str } from './_helpers.ts';

const TEMPERATURE = '74656d7065726174757265'; // "temperature"
const STATUS_ICON = '7374617475732d69636f6e'; // "status-icon"
const P223 = '32322e332043'; // "22.3 C"

interface Expect {
  type: number;
  code: number;
  mid: number;
  token?: string;
  path?: string[];
  payload?: string;
  observe?: number;
  maxAge?: number;
  etag?: string;
  block1?: [number, boolean, number];
  block2?: [number, boolean, number];
  payloadLength?: number;
}

function check(bytesHex: string, e: Expect): CoapMessage {
  const bytes = fromHex(bytesHex);
  const m = parse(bytes);
  assert.equal(m.type, e.type, 'type');
  assert.equal(m.code, e.code, 'code');
  assert.equal(m.messageId, e.mid, 'message ID');
  assert.equal(hex(m.token), e.token ?? '', 'token');
  assert.deepEqual(uriPath(m.options), e.path ?? [], 'Uri-Path');
  if (e.payload !== undefined) assert.equal(str(m.payload), e.payload, 'payload');
  if (e.payloadLength !== undefined) assert.equal(m.payload.length, e.payloadLength, 'payload length');
  assert.equal(observe(m.options), e.observe, 'Observe');
  assert.equal(maxAge(m.options), e.maxAge, 'Max-Age');
  const tag = etag(m.options);
  assert.equal(tag === undefined ? undefined : hex(tag), e.etag, 'ETag');
  for (const [name, got, want] of [
    ['Block1', block1(m.options), e.block1],
    ['Block2', block2(m.options), e.block2],
  ] as const) {
    if (want === undefined) assert.equal(got, undefined, name);
    else assert.deepEqual([got?.num, got?.more, got === undefined ? undefined : blockSize(got.szx)], want, name);
  }
  assert.equal(hex(serialize(m)), bytesHex.replace(/\s+/g, ''), 're-encoding');
  return m;
}

const fill = (n: number): string => '61'.repeat(n);

test('RFC 7252 Figure 16: CON GET /temperature, piggy-backed 2.05 (16 and 11 bytes)', () => {
  const req = `40 01 7d34 bb ${TEMPERATURE}`;
  assert.equal(fromHex(req).length, 16);
  check(req, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d34, path: ['temperature'] });
  const res = `60 45 7d34 ff ${P223}`;
  assert.equal(fromHex(res).length, 11);
  check(res, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 0x7d34, payload: '22.3 C' });
});

test('RFC 7252 Figure 17: the same with token 0x20 (17 and 12 bytes)', () => {
  const req = `41 01 7d35 20 bb ${TEMPERATURE}`;
  assert.equal(fromHex(req).length, 17);
  check(req, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d35, token: '20', path: ['temperature'] });
  const res = `61 45 7d35 20 ff ${P223}`;
  assert.equal(fromHex(res).length, 12);
  check(res, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 0x7d35, token: '20', payload: '22.3 C' });
});

test('RFC 7252 Figures 18 and 19: retransmitted request and response keep MID and token', () => {
  check(`41 01 7d36 31 bb ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d36, token: '31', path: ['temperature'] });
  check(`61 45 7d36 31 ff ${P223}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 0x7d36, token: '31', payload: '22.3 C' });
  check(`41 01 7d37 42 bb ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d37, token: '42', path: ['temperature'] });
  check(`61 45 7d37 42 ff ${P223}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 0x7d37, token: '42', payload: '22.3 C' });
});

test('RFC 7252 Figure 20: separate response (empty ACK, CON 2.05, empty ACK)', () => {
  check(`41 01 7d38 53 bb ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d38, token: '53', path: ['temperature'] });
  check('60 00 7d38', { type: CoapType.ACK, code: CoapCode.EMPTY, mid: 0x7d38 });
  check(`41 45 ad7b 53 ff ${P223}`, { type: CoapType.CON, code: CoapCode.CONTENT, mid: 0xad7b, token: '53', payload: '22.3 C' });
  check('60 00 ad7b', { type: CoapType.ACK, code: CoapCode.EMPTY, mid: 0xad7b });
});

test('RFC 7252 Figure 21: unexpected separate response is rejected with RST', () => {
  check(`41 01 7d39 64 bb ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x7d39, token: '64', path: ['temperature'] });
  check('60 00 7d39', { type: CoapType.ACK, code: CoapCode.EMPTY, mid: 0x7d39 });
  check(`41 45 ad7c 64 ff ${P223}`, { type: CoapType.CON, code: CoapCode.CONTENT, mid: 0xad7c, token: '64', payload: '22.3 C' });
  check('70 00 ad7c', { type: CoapType.RST, code: CoapCode.EMPTY, mid: 0xad7c });
});

test('RFC 7252 Figures 22 and 23: NON request, NON responses (2.05 and 4.04)', () => {
  check(`51 01 7d40 75 bb ${TEMPERATURE}`, { type: CoapType.NON, code: CoapCode.GET, mid: 0x7d40, token: '75', path: ['temperature'] });
  check(`51 45 ad7d 75 ff ${P223}`, { type: CoapType.NON, code: CoapCode.CONTENT, mid: 0xad7d, token: '75', payload: '22.3 C' });
  check(`51 01 7d41 86 bb ${TEMPERATURE}`, { type: CoapType.NON, code: CoapCode.GET, mid: 0x7d41, token: '86', path: ['temperature'] });
  check(`51 45 60b1 86 ff ${P223}`, { type: CoapType.NON, code: CoapCode.CONTENT, mid: 0x60b1, token: '86', payload: '22.3 C' });
  check('51 45 01a0 86 ff 32302e392043', { type: CoapType.NON, code: CoapCode.CONTENT, mid: 0x01a0, token: '86', payload: '20.9 C' });
  check('51 84 952a 86', { type: CoapType.NON, code: CoapCode.NOT_FOUND, mid: 0x952a, token: '86' });
});

test('RFC 7641 Figures 3 and 4: registration, notifications, re-registration with ETag', () => {
  // Observe: 0 is the empty uint (delta 6, length 0) before Uri-Path (delta 5).
  check(`41 01 1633 4a 60 5b ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x1633, token: '4a', path: ['temperature'], observe: 0 });
  const c = (s: string): string => Buffer.from(s).toString('hex');
  check(`61 45 1633 4a 61 09 81 0f ff ${c('18.5 Cel')}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 0x1633, token: '4a', observe: 9, maxAge: 15, payload: '18.5 Cel' });
  check(`51 45 7b50 4a 61 10 81 0f ff ${c('19.2 Cel')}`, { type: CoapType.NON, code: CoapCode.CONTENT, mid: 0x7b50, token: '4a', observe: 16, maxAge: 15, payload: '19.2 Cel' });
  check(`51 45 7b51 4a 61 19 81 0f ff ${c('19.7 Cel')}`, { type: CoapType.NON, code: CoapCode.CONTENT, mid: 0x7b51, token: '4a', observe: 25, maxAge: 15, payload: '19.7 Cel' });
  check(`41 01 1634 b2 60 5b ${TEMPERATURE}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x1634, token: 'b2', path: ['temperature'], observe: 0 });
  check(`61 45 1634 b2 45 78797a7a79 21 2c 81 0f ff ${c('19.7 Cel')}`, {
    type: CoapType.ACK,
    code: CoapCode.CONTENT,
    mid: 0x1634,
    token: 'b2',
    observe: 44,
    maxAge: 15,
    etag: '78797a7a79',
    payload: '19.7 Cel',
  });
});

test('RFC 7959 Figure 12: Observe with block-wise notifications', () => {
  check(`41 01 1636 fb 60 5b ${STATUS_ICON}`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x1636, token: 'fb', path: ['status-icon'], observe: 0 });
  // ETag (4), Observe 62350 = 0xf38e (6), Block2 0/1/128 = 0x0b (23: delta 17 -> 13 + 4).
  check(`61 45 1636 fb 44 6f00f38e 22 f38e d1 04 0b ff ${fill(128)}`, {
    type: CoapType.ACK,
    code: CoapCode.CONTENT,
    mid: 0x1636,
    token: 'fb',
    etag: '6f00f38e',
    observe: 62350,
    block2: [0, true, 128],
    payloadLength: 128,
  });
  check(`41 45 af9c fb 44 6f00f392 22 f392 d1 04 0b ff ${fill(128)}`, {
    type: CoapType.CON,
    code: CoapCode.CONTENT,
    mid: 0xaf9c,
    token: 'fb',
    etag: '6f00f392',
    observe: 62354,
    block2: [0, true, 128],
    payloadLength: 128,
  });
  check('60 00 af9c', { type: CoapType.ACK, code: CoapCode.EMPTY, mid: 0xaf9c });
  check(`41 01 1637 fc bb ${STATUS_ICON} c1 13`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x1637, token: 'fc', path: ['status-icon'], block2: [1, false, 128] });
  check(`61 45 1637 fc 44 6f00f392 d1 06 1b ff ${fill(128)}`, {
    type: CoapType.ACK,
    code: CoapCode.CONTENT,
    mid: 0x1637,
    token: 'fc',
    etag: '6f00f392',
    block2: [1, true, 128],
    payloadLength: 128,
  });
  check(`41 01 1638 fc bb ${STATUS_ICON} c1 23`, { type: CoapType.CON, code: CoapCode.GET, mid: 0x1638, token: 'fc', path: ['status-icon'], block2: [2, false, 128] });
  check(`61 45 1638 fc 44 6f00f392 d1 06 23 ff ${fill(53)}`, {
    type: CoapType.ACK,
    code: CoapCode.CONTENT,
    mid: 0x1638,
    token: 'fc',
    etag: '6f00f392',
    block2: [2, false, 128],
    payloadLength: 53,
  });
});

const STATUS = '737461747573'; // "status"
const OPTIONS = '6f7074696f6e73'; // "options"

test('RFC 7959 Figures 2 and 3: block-wise GET, late and early size negotiation', () => {
  // MID=1234 is decimal: 0x04d2.
  check(`40 01 04d2 b6 ${STATUS}`, { type: CoapType.CON, code: CoapCode.GET, mid: 1234, path: ['status'] });
  check(`60 45 04d2 d1 0a 0b ff ${fill(128)}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 1234, block2: [0, true, 128], payloadLength: 128 });
  check(`40 01 04d3 b6 ${STATUS} c1 13`, { type: CoapType.CON, code: CoapCode.GET, mid: 1235, path: ['status'], block2: [1, false, 128] });
  check(`60 45 04d4 d1 0a 23 ff ${fill(20)}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 1236, block2: [2, false, 128], payloadLength: 20 });
  // Early negotiation: 2:0/0/64 is SZX 2, value 0x02.
  check(`40 01 04d2 b6 ${STATUS} c1 02`, { type: CoapType.CON, code: CoapCode.GET, mid: 1234, path: ['status'], block2: [0, false, 64] });
  check(`60 45 04db d1 0a 52 ff ${fill(10)}`, { type: CoapType.ACK, code: CoapCode.CONTENT, mid: 1243, block2: [5, false, 64], payloadLength: 10 });
});

test('RFC 7959 Figures 7 and 9: atomic block-wise PUT, with the server asking for 32-byte blocks', () => {
  // Block1 (27) after Uri-Path (11): delta 16 -> 13 + 3.
  check(`40 03 04d2 b7 ${OPTIONS} d1 03 0b ff ${fill(128)}`, { type: CoapType.CON, code: CoapCode.PUT, mid: 1234, path: ['options'], block1: [0, true, 128], payloadLength: 128 });
  check('60 5f 04d2 d1 0e 0b', { type: CoapType.ACK, code: CoapCode.CONTINUE, mid: 1234, block1: [0, true, 128] });
  check(`40 03 04d4 b7 ${OPTIONS} d1 03 23 ff ${fill(7)}`, { type: CoapType.CON, code: CoapCode.PUT, mid: 1236, path: ['options'], block1: [2, false, 128], payloadLength: 7 });
  check('60 44 04d4 d1 0e 23', { type: CoapType.ACK, code: CoapCode.CHANGED, mid: 1236, block1: [2, false, 128] });
  // Figure 9: 2.31 with 1:0/1/32, then the client continues with 1:4/1/32.
  check('60 5f 04d2 d1 0e 09', { type: CoapType.ACK, code: CoapCode.CONTINUE, mid: 1234, block1: [0, true, 32] });
  check(`40 03 04d3 b7 ${OPTIONS} d1 03 49 ff ${fill(32)}`, { type: CoapType.CON, code: CoapCode.PUT, mid: 1235, path: ['options'], block1: [4, true, 32], payloadLength: 32 });
});

test('RFC 7959 Figure 10: block-wise POST with block-wise response (Block1 and Block2 together)', () => {
  const SOAP = '736f6170';
  // 2.04 with Block2 2:0/1/128 (23) and Block1 1:2/0/128 (27): deltas 23 -> 13+10 and 4.
  check(`60 44 04d4 d1 0a 0b 41 23 ff ${fill(128)}`, { type: CoapType.ACK, code: CoapCode.CHANGED, mid: 1236, block2: [0, true, 128], block1: [2, false, 128], payloadLength: 128 });
  check(`40 02 04d5 b4 ${SOAP} c1 13`, { type: CoapType.CON, code: CoapCode.POST, mid: 1237, path: ['soap'], block2: [1, false, 128] });
});

test('option numbers of the registry match RFC 7252 12.2, RFC 7641, RFC 7959, RFC 8613', () => {
  assert.deepEqual(
    [CoapOption.IF_MATCH, CoapOption.URI_HOST, CoapOption.ETAG, CoapOption.IF_NONE_MATCH, CoapOption.OBSERVE, CoapOption.URI_PORT, CoapOption.LOCATION_PATH, CoapOption.OSCORE],
    [1, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    [CoapOption.URI_PATH, CoapOption.CONTENT_FORMAT, CoapOption.MAX_AGE, CoapOption.URI_QUERY, CoapOption.ACCEPT, CoapOption.LOCATION_QUERY],
    [11, 12, 14, 15, 17, 20],
  );
  assert.deepEqual([CoapOption.BLOCK2, CoapOption.BLOCK1, CoapOption.SIZE2, CoapOption.PROXY_URI, CoapOption.PROXY_SCHEME, CoapOption.SIZE1], [23, 27, 28, 35, 39, 60]);
});
