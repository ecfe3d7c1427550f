import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoapParseError } from '../../src/errors.ts';
import { parse, peekHeader } from '../../src/coap/parse.ts';
import { serialize, serializeEmpty } from '../../src/coap/serialize.ts';
import { CoapCode, CoapEncodeError, CoapType, coapCode, describeMessage, formatCode, isRequestCode, isResponseCode } from '../../src/coap/message.ts';
import { fromHex, hex, msg, text } from './_helpers.ts';

function rejects(bytes: string, reason: RegExp): void {
  assert.throws(
    () => parse(fromHex(bytes)),
    (e: unknown) => e instanceof CoapParseError && reason.test(e.reason),
    `${bytes} should fail with ${reason}`,
  );
}

test('malformed datagrams throw CoapParseError with the broken rule as reason', () => {
  rejects('', /truncated header/);
  rejects('40 01 00', /truncated header/);
  rejects('80 01 0001', /version 2/);
  rejects('00 01 0001', /version 0/);
  rejects('49 01 0001 0102030405060708 09', /token length 9/);
  rejects('4f 01 0001', /token length 15/);
  rejects('44 01 0001 0102', /truncated token/);
  rejects('40 01 0001 f0', /option delta 15/);
  rejects('40 01 0001 0f', /option length 15/);
  rejects('40 01 0001 d0', /truncated option delta/);
  rejects('40 01 0001 e0 01', /truncated option delta/);
  rejects('40 01 0001 0d', /truncated option length/);
  rejects('40 01 0001 0e 00', /truncated option length/);
  rejects('40 01 0001 b5 6162', /value runs past the end/);
  rejects('40 01 0001 ff', /payload marker followed by an empty payload/);
  rejects('41 00 0001 aa', /empty message/);
  rejects('40 00 0001 ff 00', /empty message/);
  // 65535 + 269 + 1 > 65535: option number out of range.
  rejects('40 01 0001 e0 fe f3 e0 00 00', /out of range/);
});

test('extended option deltas and lengths (13 and 14) decode and re-encode', () => {
  const long = 'x'.repeat(300);
  const m = msg({
    code: CoapCode.POST,
    messageId: 0xbeef,
    token: fromHex('0102030405060708'),
    options: [
      { number: 11, value: text('a'.repeat(12)) },
      { number: 11, value: text('b'.repeat(13)) },
      { number: 60, value: text(long) },
      { number: 2000, value: new Uint8Array(0) },
      { number: 65000, value: fromHex('01') },
    ],
    payload: text('hello'),
  });
  const bytes = serialize(m);
  const back = parse(bytes);
  assert.deepEqual(back, m);
  assert.equal(hex(serialize(back)), hex(bytes));
});

test('serialize sorts options stably and rejects out-of-range fields', () => {
  const m = msg({ code: CoapCode.GET, options: [{ number: 15, value: text('q') }, { number: 11, value: text('a') }, { number: 11, value: text('b') }] });
  const back = parse(serialize(m));
  assert.deepEqual(
    back.options.map((o) => [o.number, new TextDecoder().decode(o.value)]),
    [
      [11, 'a'],
      [11, 'b'],
      [15, 'q'],
    ],
  );
  assert.throws(() => serialize(msg({ code: CoapCode.GET, token: new Uint8Array(9) })), CoapEncodeError);
  assert.throws(() => serialize(msg({ code: CoapCode.GET, messageId: 70000 })), CoapEncodeError);
  assert.throws(() => serialize(msg({ code: 300 })), CoapEncodeError);
  assert.throws(() => serialize(msg({ code: CoapCode.GET, options: [{ number: 70000, value: new Uint8Array(0) }] })), CoapEncodeError);
  assert.throws(() => serialize(msg({ code: 0, payload: text('x') })), CoapEncodeError);
});

test('empty ACK/RST helpers and header peeking', () => {
  assert.equal(hex(serializeEmpty(CoapType.ACK, 0x7d38)), '60007d38');
  assert.equal(hex(serializeEmpty(CoapType.RST, 0xad7c)), '7000ad7c');
  assert.deepEqual(peekHeader(fromHex('4a 01 1234')), { version: 1, type: 0, tokenLength: 10, code: 1, messageId: 0x1234 });
  assert.equal(peekHeader(fromHex('40 01')), undefined);
});

test('payloads larger than 64 bytes serialize to plain Uint8Arrays with exact content', () => {
  const payload = new Uint8Array(5000).map((_, i) => i & 0xff);
  const out = serialize(msg({ code: CoapCode.CONTENT, type: CoapType.ACK, payload }));
  assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
  assert.deepEqual(parse(out).payload, payload);
});

test('code helpers', () => {
  assert.equal(coapCode(4, 4), CoapCode.NOT_FOUND);
  assert.equal(coapCode(2, 31), CoapCode.CONTINUE);
  assert.equal(formatCode(CoapCode.CONTENT), '2.05');
  assert.equal(formatCode(CoapCode.REQUEST_ENTITY_INCOMPLETE), '4.08');
  assert.equal(formatCode(CoapCode.PROXYING_NOT_SUPPORTED), '5.05');
  assert.equal(formatCode(CoapCode.CONTINUE), '2.31');
  assert.ok(isRequestCode(CoapCode.IPATCH) && !isRequestCode(0) && !isRequestCode(0x45));
  assert.ok(isResponseCode(0x45) && isResponseCode(0xa5) && !isResponseCode(0x20) && !isResponseCode(0xc0));
  assert.equal(describeMessage(parse(fromHex('41 01 7d35 20 b1 33 01 30 01 30'))), 'CON GET mid=0x7d35 tok=20 /3/0/0');
});
