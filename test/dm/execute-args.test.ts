import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseExecuteArguments } from '../../src/dm/execute-args.ts';
import { CodecError } from '../../src/errors.ts';

describe('Execute arguments (LwM2M Core 1.1.1 6.3.5)', () => {
  it('parses digits with and without values', () => {
    const a = parseExecuteArguments("0='x',6,3='a=b,c!~'");
    assert.deepEqual(a.list, [
      { id: 0, value: 'x' },
      { id: 6, value: undefined },
      { id: 3, value: 'a=b,c!~' },
    ]);
    assert.equal(a.get(0), 'x');
    assert.equal(a.get(6), undefined);
    assert.ok(a.has(6));
    assert.ok(!a.has(1));
    assert.equal(a.size, 3);
    assert.equal(a.raw, "0='x',6,3='a=b,c!~'");
  });

  it('accepts an empty payload and an empty value', () => {
    assert.equal(parseExecuteArguments('').size, 0);
    assert.equal(parseExecuteArguments("5=''").get(5), '');
  });

  it('rejects everything outside the grammar with CodecError', () => {
    for (const bad of ['a', '10', "0='x", '0=x', "0='x y'", "0='a\"b'", "0='a\\\\b'", '0,', ',0', '0;1', ' 0', "0='x'1", '0=']) {
      assert.throws(() => parseExecuteArguments(bad), CodecError, bad);
    }
  });

  it('round-trips any list of well-formed arguments (property)', () => {
    const char = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x27 && c !== 0x5c).map((c) => String.fromCharCode(c));
    const arg = fc.record({ id: fc.integer({ min: 0, max: 9 }), value: fc.option(fc.array(char, { maxLength: 8 }).map((a) => a.join('')), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (args) => {
        const text = args.map((a) => (a.value === undefined ? String(a.id) : `${a.id}='${a.value}'`)).join(',');
        assert.deepEqual(parseExecuteArguments(text).list, args.map((a) => ({ id: a.id, value: a.value })));
      }),
    );
  });
});
