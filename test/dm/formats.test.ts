import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { formatProfile, FormatProfile } from '../../src/dm/formats.ts';
import { UnsupportedFormatError } from '../../src/errors.ts';

const is = (code: number) => (e: unknown) => e instanceof UnsupportedFormatError && e.coapCode === code;

describe('format profiles per version', () => {
  it('1.0 speaks text, opaque, TLV and OMA JSON (with the draft numbers)', () => {
    const p = formatProfile('1.0');
    for (const f of [0, 42, 11542, 11543, 1542, 1543]) assert.ok(p.speaks(f), String(f));
    for (const f of [60, 110, 112, 11544]) assert.ok(!p.speaks(f), String(f));
    assert.equal(p.preferred, ContentFormat.TLV);
    assert.ok(!p.composite(112));
    assert.deepEqual(p.registerContentFormats(), [11543]);
  });

  it('1.1 adds CBOR and SenML; composite needs SenML', () => {
    const p = formatProfile('1.1');
    for (const f of [60, 110, 112]) assert.ok(p.speaks(f));
    assert.ok(!p.speaks(11544));
    assert.equal(p.preferred, ContentFormat.SENML_CBOR);
    assert.ok(p.composite(110) && p.composite(112) && !p.composite(11542));
    assert.deepEqual(p.registerContentFormats(), [112]);
    assert.equal(formatProfile('1.1', 110).preferred, 110);
    assert.throws(() => new FormatProfile('1.1', 0), UnsupportedFormatError);
    assert.throws(() => new FormatProfile('1.0', 112), UnsupportedFormatError);
  });

  it('defaults by request level: text or opaque for one value, the preferred format for several', () => {
    const p = formatProfile('1.1');
    assert.equal(p.responseFormat(undefined, { depth: 3, multiple: false, type: 'string' }), 0);
    assert.equal(p.responseFormat(undefined, { depth: 3, multiple: false, type: 'opaque' }), 42);
    assert.equal(p.responseFormat(undefined, { depth: 4, type: 'integer' }), 0);
    assert.equal(p.responseFormat(undefined, { depth: 3, multiple: true, type: 'integer' }), 112);
    assert.equal(p.responseFormat(undefined, { depth: 2 }), 112);
    assert.equal(formatProfile('1.0').responseFormat(undefined, { depth: 1 }), 11542);
  });

  it('answers 4.06 for an Accept it cannot honour and 4.15 for a payload it cannot read', () => {
    const p = formatProfile('1.0');
    assert.throws(() => p.responseFormat(112, { depth: 2 }), is(0x86));
    assert.throws(() => p.responseFormat(0, { depth: 2 }), is(0x86));
    assert.throws(() => p.requestFormat(112, { depth: 2 }), is(0x8f));
    assert.throws(() => p.requestFormat(undefined, { depth: 2 }), is(0x8f));
    assert.equal(p.requestFormat(undefined, { depth: 3, type: 'integer' }), 0);
    const q = formatProfile('1.1');
    assert.throws(() => q.compositeResponseFormat(11542, 112), is(0x86));
    assert.equal(q.compositeResponseFormat(undefined, 110), 110);
    assert.throws(() => q.compositeRequestFormat(0), is(0x8f));
  });
});
