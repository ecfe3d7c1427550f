import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoapOption } from '../../src/coap/message.ts';
import {
  OPTION_REGISTRY,
  blockSize,
  buildOptions,
  decodeBlock,
  decodeString,
  decodeUint,
  describeOptions,
  encodeBlock,
  encodeUint,
  findBadCriticalOption,
  getOptions,
  isCritical,
  removeOptions,
  setOption,
  splitPath,
  splitQuery,
  szxFor,
  uriPath,
  uriQuery,
  accept,
  contentFormat,
  observe,
  block1,
  block2,
  size1,
  size2,
  locationPath,
  locationQuery,
  etag,
} from '../../src/coap/options.ts';
import { SUPPORTED_CRITICAL_OPTIONS } from '../../src/coap/server-role.ts';
import { hex } from './_helpers.ts';

test('uint option values use the fewest bytes (RFC 7252 3.2)', () => {
  assert.equal(hex(encodeUint(0)), '');
  assert.equal(hex(encodeUint(1)), '01');
  assert.equal(hex(encodeUint(255)), 'ff');
  assert.equal(hex(encodeUint(256)), '0100');
  assert.equal(hex(encodeUint(65535)), 'ffff');
  assert.equal(hex(encodeUint(0x10000)), '010000');
  assert.equal(hex(encodeUint(0xffffffff)), 'ffffffff');
  assert.equal(hex(encodeUint(0x100000000)), '0100000000');
  for (const n of [0, 1, 255, 256, 62350, 16777215, 2 ** 32 - 1, 2 ** 40 + 5]) assert.equal(decodeUint(encodeUint(n)), n);
  assert.equal(decodeUint(Uint8Array.of(0, 0, 5)), 5);
  assert.throws(() => encodeUint(-1));
  assert.throws(() => encodeUint(1.5));
});

test('block option values (RFC 7959 2.2)', () => {
  assert.deepEqual(decodeBlock(encodeBlock({ num: 0, more: true, szx: 3 })), { num: 0, more: true, szx: 3 });
  assert.equal(hex(encodeBlock({ num: 0, more: false, szx: 0 })), '');
  assert.equal(hex(encodeBlock({ num: 2, more: false, szx: 1 })), '21');
  assert.equal(hex(encodeBlock({ num: 4095, more: true, szx: 6 })), 'fffe');
  assert.deepEqual(decodeBlock(Uint8Array.of(0x0f, 0xff, 0xfe)), { num: 0xffff, more: true, szx: 6 });
  assert.deepEqual(decodeBlock(new Uint8Array(0)), { num: 0, more: false, szx: 0 });
  assert.equal(blockSize(0), 16);
  assert.equal(blockSize(6), 1024);
  assert.equal(szxFor(1024), 6);
  assert.equal(szxFor(1000), 5);
  assert.equal(szxFor(64), 2);
  assert.equal(szxFor(1), 0);
  assert.equal(szxFor(99999), 6);
});

test('buildOptions produces sorted options that the typed getters read back', () => {
  const options = buildOptions({
    uriPath: '/3/0/0',
    uriQuery: 'ep=dev&lt=60',
    contentFormat: 11542,
    accept: 110,
    observe: 0,
    block1: { num: 1, more: true, szx: 6 },
    block2: { num: 0, more: false, szx: 2 },
    size1: 2000,
    size2: 0,
    locationPath: ['rd', '5a3f'],
    locationQuery: ['x=1'],
    etag: Uint8Array.of(1, 2),
  });
  const numbers = options.map((o) => o.number);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  assert.deepEqual(uriPath(options), ['3', '0', '0']);
  assert.deepEqual(uriQuery(options), ['ep=dev', 'lt=60']);
  assert.equal(contentFormat(options), 11542);
  assert.equal(accept(options), 110);
  assert.equal(observe(options), 0);
  assert.deepEqual(block1(options), { num: 1, more: true, szx: 6 });
  assert.deepEqual(block2(options), { num: 0, more: false, szx: 2 });
  assert.equal(size1(options), 2000);
  assert.equal(size2(options), 0);
  assert.deepEqual(locationPath(options), ['rd', '5a3f']);
  assert.deepEqual(locationQuery(options), ['x=1']);
  assert.equal(hex(etag(options)!), '0102');
  assert.match(describeOptions(options), /Uri-Path: 3, Uri-Path: 0/);
  assert.match(describeOptions(options), /Block1: 1\/1\/1024/);
});

test('setOption replaces, inserts in order and removes; removeOptions filters', () => {
  const base = buildOptions({ uriPath: ['a', 'b'], accept: 0 });
  const withObs = setOption(base, CoapOption.OBSERVE, encodeUint(5));
  assert.deepEqual(
    withObs.map((o) => o.number),
    [6, 11, 11, 17],
  );
  const replaced = setOption(withObs, CoapOption.URI_PATH, [new TextEncoder().encode('z')]);
  assert.deepEqual(uriPath(replaced), ['z']);
  assert.deepEqual(
    setOption(replaced, CoapOption.SIZE1, encodeUint(1)).map((o) => o.number),
    [6, 11, 17, 60],
  );
  assert.deepEqual(uriPath(setOption(replaced, CoapOption.URI_PATH, undefined)), []);
  assert.deepEqual(
    removeOptions(withObs, CoapOption.OBSERVE, CoapOption.ACCEPT).map((o) => o.number),
    [11, 11],
  );
  assert.equal(getOptions(base, CoapOption.URI_PATH).length, 2);
  assert.equal(base.length, 3, 'input not changed');
});

test('path and query splitting', () => {
  assert.deepEqual(splitPath('/'), []);
  assert.deepEqual(splitPath(''), []);
  assert.deepEqual(splitPath('/rd/abc'), ['rd', 'abc']);
  assert.deepEqual(splitQuery('?a=1&b'), ['a=1', 'b']);
  assert.deepEqual(splitQuery(''), []);
});

test('string options: UTF-8 both ways, invalid UTF-8 throws', () => {
  const opts = buildOptions({ uriPath: ['こんにちは', 'plain'] });
  assert.equal(hex(opts[0]!.value), 'e38193e38293e381abe381a1e381af');
  assert.deepEqual(uriPath(opts), ['こんにちは', 'plain']);
  assert.throws(() => decodeString(Uint8Array.of(0xc3, 0x28)), TypeError);
  assert.throws(() => decodeString(new Uint8Array(100).fill(0xff)), TypeError);
});

test('critical option checks: unknown, wrong length, repeated non-repeatable (RFC 7252 5.4)', () => {
  const v = (n: number, len = 0) => ({ number: n, value: new Uint8Array(len) });
  assert.equal(findBadCriticalOption([v(11, 1), v(11, 2), v(15, 3)], SUPPORTED_CRITICAL_OPTIONS), undefined);
  assert.equal(findBadCriticalOption([v(9)], SUPPORTED_CRITICAL_OPTIONS), 9, 'OSCORE is not supported');
  assert.equal(findBadCriticalOption([v(2049)], SUPPORTED_CRITICAL_OPTIONS), 2049, 'unknown critical');
  assert.equal(findBadCriticalOption([v(2048)], SUPPORTED_CRITICAL_OPTIONS), undefined, 'unknown elective is ignored');
  assert.equal(findBadCriticalOption([v(17, 3)], SUPPORTED_CRITICAL_OPTIONS), 17, 'Accept longer than 2 bytes');
  assert.equal(findBadCriticalOption([v(23), v(23)], SUPPORTED_CRITICAL_OPTIONS), 23, 'Block2 twice');
  assert.equal(findBadCriticalOption([v(11, 256)], SUPPORTED_CRITICAL_OPTIONS), 11, 'Uri-Path over 255 bytes');
  assert.equal(findBadCriticalOption([v(12, 3)], SUPPORTED_CRITICAL_OPTIONS), undefined, 'elective with bad length is ignored');
  assert.ok(isCritical(1) && !isCritical(4));
  assert.equal(OPTION_REGISTRY.get(CoapOption.OBSERVE)?.format, 'uint');
  assert.equal(OPTION_REGISTRY.get(CoapOption.ETAG)?.repeatable, true);
});
