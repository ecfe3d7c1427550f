import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalFormat,
  checkFormatSupports,
  ContentFormat,
  formatName,
  formatSupports,
  isKnownFormat,
  mediaType,
  parseContentFormat,
  supportsComposite,
  supportsPathList,
  supportsTimestamps,
} from '../../src/codec/content-format.ts';
import { UnsupportedFormatError } from '../../src/errors.ts';

describe('content formats', () => {
  it('numbers, media types and names', () => {
    assert.equal(mediaType(ContentFormat.TLV), 'application/vnd.oma.lwm2m+tlv');
    assert.equal(mediaType(ContentFormat.SENML_CBOR), 'application/senml+cbor');
    assert.equal(mediaType(1543), 'application/vnd.oma.lwm2m+json');
    assert.equal(mediaType(50), undefined);
    assert.equal(canonicalFormat(1542), 11542);
    assert.equal(canonicalFormat(110), 110);
    assert.equal(formatName(1542), 'tlv (legacy 1542)');
    assert.equal(formatName(9), 'format 9');
    assert.ok(isKnownFormat(11544) && isKnownFormat(1543) && !isKnownFormat(1544));
    assert.equal(parseContentFormat('senml-cbor'), 112);
    assert.equal(parseContentFormat('json'), 11543);
    assert.equal(parseContentFormat('1542'), 11542);
    assert.equal(parseContentFormat('application/vnd.oma.lwm2m+cbor'), 11544);
    assert.throws(() => parseContentFormat('xml'), UnsupportedFormatError);
  });

  it('which format fits which payload', () => {
    assert.ok(formatSupports(ContentFormat.TEXT, { depth: 3, type: 'integer' }));
    assert.ok(!formatSupports(ContentFormat.TEXT, { depth: 3, multiple: true }));
    assert.ok(!formatSupports(ContentFormat.TEXT, { depth: 2 }));
    assert.ok(formatSupports(ContentFormat.TEXT, { depth: 4 }));
    assert.ok(!formatSupports(ContentFormat.OPAQUE, { depth: 3, type: 'string' }));
    assert.ok(formatSupports(ContentFormat.OPAQUE, { depth: 3, type: 'opaque' }));
    assert.ok(!formatSupports(ContentFormat.CBOR, { depth: 1 }));
    assert.ok(formatSupports(ContentFormat.TLV, { depth: 1 }) && !formatSupports(ContentFormat.TLV, { depth: 0 }));
    assert.ok(formatSupports(ContentFormat.TLV, { depth: 3, multiple: true }));
    assert.ok(formatSupports(ContentFormat.SENML_JSON, { depth: 0 }) && formatSupports(ContentFormat.LWM2M_CBOR, { depth: 0 }));
    assert.ok(!formatSupports(ContentFormat.SENML_JSON, { depth: 3, type: 'none' }));
    assert.ok(!formatSupports(ContentFormat.LINK, { depth: 1 }));
    assert.ok(supportsTimestamps(110) && supportsTimestamps(11543) && !supportsTimestamps(11542) && !supportsTimestamps(11544));
    assert.ok(supportsComposite(112) && supportsComposite(11544) && !supportsComposite(11542));
    assert.ok(supportsPathList(110) && !supportsPathList(11543));
  });

  it('says why with 4.15 for payloads and 4.06 for Accept', () => {
    try {
      checkFormatSupports(ContentFormat.TEXT, { depth: 2 });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof UnsupportedFormatError);
      assert.equal(e.coapCode, 0x8f);
      assert.match(e.message, /depth 3/);
    }
    assert.throws(() => checkFormatSupports(ContentFormat.OPAQUE, { depth: 3, type: 'integer' }, { accept: true }), (e: unknown) => {
      return e instanceof UnsupportedFormatError && e.coapCode === 0x86 && /type is integer/.test(e.message);
    });
  });
});
