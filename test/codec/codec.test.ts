import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, encodePaths } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { CodecError, UnsupportedFormatError } from '../../src/errors.ts';
import { path } from '../../src/model/path.ts';
import { definitions, plain } from './fixtures.ts';

const rec = { path: path(3, 0, 9), value: 50 };

describe('codec dispatch', () => {
  it('refuses formats that carry no values, with 4.06 on encode and 4.15 on decode', () => {
    assert.throws(() => encode([rec], { format: ContentFormat.LINK, basePath: '/3/0/9' }), (e: unknown) => e instanceof UnsupportedFormatError && e.coapCode === 0x86);
    assert.throws(() => decode(new Uint8Array(1), { format: ContentFormat.LINK, basePath: '/3/0/9' }), (e: unknown) => e instanceof UnsupportedFormatError && e.coapCode === 0x8f);
    assert.throws(() => decode(new Uint8Array(1), { format: 9999, basePath: '/3/0/9' }), UnsupportedFormatError);
    assert.throws(() => encodePaths(['/3/0'], ContentFormat.TLV), UnsupportedFormatError);
  });

  it('refuses records outside the request path and at object or instance paths', () => {
    for (const format of [ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.OMA_JSON, ContentFormat.LWM2M_CBOR]) {
      assert.throws(() => encode([rec], { format, basePath: '/1/0', definitions }), /outside the request path/, String(format));
      assert.throws(() => encode([{ path: path(3, 0), value: 1 }], { format, basePath: '/3', definitions }), /resource or resource-instance/, String(format));
      assert.throws(() => encode([{ path: path(3, 0, 7), value: 1 }, { path: path(3, 0, 7, 0), value: 1 }], { format, basePath: '/3/0' }), CodecError);
    }
  });

  it('types values by the definitions when encoding: an integral float stays a float', () => {
    const f = { path: path(3303, 0, 5700), value: 22 };
    const t = new TextDecoder();
    assert.equal(t.decode(encode([f], { format: ContentFormat.SENML_JSON, basePath: '/3303/0/5700', definitions })), '[{"bn":"/3303/0/5700","v":22}]');
    assert.equal(Buffer.from(encode([f], { format: ContentFormat.CBOR, basePath: '/3303/0/5700', definitions })).toString('hex'), 'f94d80');
    assert.equal(Buffer.from(encode([f], { format: ContentFormat.CBOR, basePath: '/3303/0/5700' })).toString('hex'), '16');
    assert.equal(Buffer.from(encode([f], { format: ContentFormat.TLV, basePath: '/3303/0/5700', definitions })).toString('hex'), 'e4164441b00000');
    assert.throws(() => encode([{ path: path(3, 0, 9), value: 1.5 }], { format: ContentFormat.TLV, basePath: '/3/0', definitions }), /not a valid integer/);
    assert.throws(() => encode([{ path: path(3, 0, 4), value: 1 }], { format: ContentFormat.SENML_JSON, basePath: '/3/0', definitions }), /executable/);
  });

  it('accepts string paths and path objects alike', () => {
    const a = decode(encode([rec], { format: ContentFormat.SENML_CBOR, basePath: path(3, 0), definitions }), { format: ContentFormat.SENML_CBOR, basePath: '3/0', definitions });
    assert.deepStrictEqual(plain(a), [{ path: '/3/0/9', value: 50 }]);
  });
});

describe('decoded values own their memory', () => {
  it('opaque values decoded from a Node Buffer are copies, not views of it', () => {
    const value = new Uint8Array([1, 2, 3, 4]);
    for (const format of [ContentFormat.OPAQUE, ContentFormat.TLV, ContentFormat.CBOR, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
      const opts = { format, basePath: '/5/0/0', definitions };
      const input = Buffer.from(encode([{ path: path(5, 0, 0), value }], opts));
      const out = decode(input, opts)[0]!.value as Uint8Array;
      input.fill(0xee);
      assert.deepStrictEqual(out, value, String(format));
      assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, String(format));
    }
  });
});
