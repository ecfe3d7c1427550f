/**
 * The shell's value options (the seed's -x -s -b -uX -sX -f -t): formatting of reads per type,
 * parsing of writes per type, the ranges of the X-bit options, and clear errors on mismatches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRead, hexdump, isValueOption, parseValueOption, parseWrite, valueBytes, type ValueOption } from '../../src/cli/shell/values.ts';
import { UsageError } from '../../src/cli/errors.ts';

const opt = (w: string, mode: 'read' | 'write' = 'read'): ValueOption => parseValueOption(w, mode);

test('value options: the seed set, -x for reads only, unknown ones named', () => {
  assert.deepEqual(opt('-u16'), { kind: 'uint', bits: 16 });
  assert.deepEqual(opt('-s64'), { kind: 'int', bits: 64 });
  assert.deepEqual(opt('-s'), { kind: 'string' });
  assert.deepEqual(opt('-x'), { kind: 'hex' });
  for (const w of ['-b', '-f', '-t']) assert.equal(isValueOption(w), true);
  assert.equal(isValueOption('-5'), false);
  assert.equal(isValueOption('-u12'), false);
  assert.throws(() => opt('-x', 'write'), (e: unknown) => e instanceof UsageError && /unknown option '-x' \(write takes -s, -b/.test(e.message));
  assert.throws(() => opt('-u12'), /unknown option '-u12'/);
});

test('read: hex dump of each type, as the TLV value forms', () => {
  assert.equal(hexdump(new TextEncoder().encode('Hello, LwM2M world!')), '00000000: 48 65 6c 6c 6f 2c 20 4c 77 4d 32 4d 20 77 6f 72 |Hello, LwM2M wor|\n00000010: 6c 64 21                                        |ld!|');
  assert.equal(hexdump(new Uint8Array(0)), '(0 bytes)');
  assert.deepEqual([...valueBytes(-1, 'integer')], [0xff]);
  assert.deepEqual([...valueBytes(300, 'integer')], [0x01, 0x2c]);
  assert.deepEqual([...valueBytes(200, 'unsigned')], [0xc8]);
  assert.deepEqual([...valueBytes(200, 'integer')], [0x00, 0xc8]);
  assert.deepEqual([...valueBytes(2n ** 64n - 1n, 'unsigned')], new Array<number>(8).fill(0xff));
  assert.deepEqual([...valueBytes(1.5, 'float')], [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...valueBytes(true, 'boolean')], [1]);
  assert.deepEqual([...valueBytes(new Date(1700000000 * 1000), 'time')], [0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00]);
  assert.deepEqual([...valueBytes({ oid: 3, iid: 1 }, 'objlnk')], [0, 3, 0, 1]);
});

test('read: typed options print the value, refuse other types with the option that fits', () => {
  assert.equal(formatRead('abc', 'string', opt('-s'), '/3/0/0'), 'abc');
  assert.equal(formatRead(new TextEncoder().encode('xyz'), 'opaque', opt('-s'), '/5/0/0'), 'xyz');
  assert.equal(formatRead({ oid: 3, iid: 0 }, 'objlnk', opt('-s'), '/3/0/22/0'), '3:0');
  assert.equal(formatRead(false, 'boolean', opt('-b'), '/1/0/6'), '0');
  assert.equal(formatRead(21.25, 'float', opt('-f'), '/3303/0/5700'), '21.25');
  assert.equal(formatRead(new Date(1700000000500), 'time', opt('-t'), '/3/0/13'), '1700000000');
  assert.equal(formatRead(-128, 'integer', opt('-s8'), '/x'), '-128');
  assert.equal(formatRead(2n ** 63n, 'unsigned', opt('-u64'), '/x'), '9223372036854775808');
  assert.throws(() => formatRead(-129, 'integer', opt('-s8'), '/x'), /\/x holds -129, which does not fit -s8 \(-128\.\.127\)/);
  assert.throws(() => formatRead(256, 'integer', opt('-u8'), '/x'), /does not fit -u8 \(0\.\.255\)/);
  assert.throws(() => formatRead(-1, 'integer', opt('-u32'), '/x'), /does not fit -u32/);
  assert.throws(() => formatRead(1, 'integer', opt('-f'), '/3/0/9'), /^UsageError: \/3\/0\/9 is an integer resource, not for -f: read it with -s64/);
  assert.throws(() => formatRead(1.5, 'float', opt('-s32'), '/p'), /\/p is a float resource, not for -s32: read it with -f$/);
  assert.throws(() => formatRead('x', 'string', opt('-b'), '/p'), /a string resource, not for -b: read it with -s$/);
});

test('write: no option reads the text as the resource type; options must fit the type', () => {
  assert.equal(parseWrite('+02:00', 'string', undefined, '/3/0/14'), '+02:00');
  assert.equal(parseWrite('-42', 'integer', undefined, '/p'), -42);
  assert.equal(parseWrite('18446744073709551615', 'unsigned', undefined, '/p'), 2n ** 64n - 1n);
  assert.equal(parseWrite('2.5e3', 'float', undefined, '/p'), 2500);
  assert.ok(Number.isNaN(parseWrite('nan', 'float', undefined, '/p')));
  assert.equal(parseWrite('true', 'boolean', undefined, '/p'), true);
  assert.deepEqual(parseWrite('0x0a0B', 'opaque', undefined, '/p'), Uint8Array.of(10, 11));
  assert.deepEqual(parseWrite('hi', 'opaque', undefined, '/p'), Uint8Array.of(0x68, 0x69));
  assert.equal(parseWrite('1700000000', 'time', undefined, '/p'), 1700000000);
  assert.deepEqual(parseWrite('2023-11-14T22:13:20Z', 'time', undefined, '/p'), new Date(1700000000000));
  assert.deepEqual(parseWrite('3:1', 'objlnk', undefined, '/p'), { oid: 3, iid: 1 });
  assert.equal(parseWrite('x y', 'string', opt('-s', 'write'), '/p'), 'x y');
  assert.equal(parseWrite('0', 'boolean', opt('-b', 'write'), '/p'), false);
  assert.equal(parseWrite('-7', 'integer', opt('-s8', 'write'), '/p'), -7);
  assert.equal(parseWrite('1.25', 'float', opt('-f', 'write'), '/p'), 1.25);
  assert.equal(parseWrite('-5', 'time', opt('-t', 'write'), '/p'), -5);
  for (const [text, type, o, message] of [
    ['12a', 'integer', undefined, /invalid number '12a'/],
    ['1.5.2', 'float', undefined, /invalid float '1\.5\.2'/],
    ['yes', 'boolean', undefined, /invalid boolean 'yes'/],
    ['soon', 'time', undefined, /invalid time 'soon'/],
    ['3', 'objlnk', undefined, /invalid object link '3' \(OID:IID/],
    ['256', 'unsigned', '-u8', /256 is outside the -u8 range 0\.\.255/],
    ['-1', 'unsigned', '-u64', /-1 is outside the -u64 range/],
    ['128', 'integer', '-s8', /128 is outside the -s8 range -128\.\.127/],
    ['1', 'string', '-u8', /\/p is a string resource, not for -u8: write it with -s or without an option/],
    ['1', 'float', '-s32', /\/p is a float resource, not for -s32: write it with -f or without an option/],
    ['1', 'boolean', '-t', /a boolean resource, not for -t/],
    ['1.5', 'time', '-t', /invalid number '1\.5' \(-t takes seconds since 1970\)/],
    ['x', 'integer', '-s', /an integer resource, not for -s/],
  ] as const) {
    assert.throws(() => parseWrite(text, type, o === undefined ? undefined : opt(o, 'write'), '/p'), (e: unknown) => e instanceof UsageError && message.test(e.message), `${text} ${type} ${String(o)}`);
  }
});

test('write: -uX and -sX take exactly the X-bit range (property)', () => {
  fc.assert(
    fc.property(fc.constantFrom(8, 16, 32, 64), fc.boolean(), fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }), (bits, unsigned, v) => {
      const b = BigInt(bits);
      const [lo, hi] = unsigned ? [0n, (1n << b) - 1n] : [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n];
      const option = opt(`-${unsigned ? 'u' : 's'}${bits}`, 'write');
      const inside = v >= lo && v <= hi;
      if (inside) assert.equal(BigInt(parseWrite(v.toString(), unsigned ? 'unsigned' : 'integer', option, '/p') as number | bigint), v);
      else assert.throws(() => parseWrite(v.toString(), unsigned ? 'unsigned' : 'integer', option, '/p'), UsageError);
    }),
  );
});

test('hex dump lists every byte once, 16 a line (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (bytes) => {
      const lines = hexdump(bytes).split('\n');
      assert.equal(lines.length, Math.ceil(bytes.length / 16));
      const back = lines.flatMap((l) => l.slice(10, 57).trim().split(' ').map((h) => parseInt(h, 16)));
      assert.deepEqual(back, [...bytes]);
    }),
  );
});
