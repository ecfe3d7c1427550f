import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../../src/codec/codec.ts';
import { ContentFormat } from '../../src/codec/content-format.ts';
import { decodeLinks, formatLinks, registerLinks } from '../../src/codec/link-format.ts';
import { DEFAULT_CATALOGUE } from '../../src/model/catalogue.ts';
import { definitions, hex, plain, toHex } from '../codec/fixtures.ts';
import * as V from './lwm2m-spec.ts';
import type { LwM2mRecord } from '../../src/model/record.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function roundTrip(format: number, basePath: string, bytes: Uint8Array, expected: readonly LwM2mRecord[]): void {
  const records = decode(bytes, { format, basePath, definitions });
  assert.deepStrictEqual(plain(records), plain(expected));
  assert.equal(toHex(encode(records, { format, basePath, definitions })), toHex(bytes));
}

describe('LwM2M Core TLV examples', () => {
  it('decodes Read /3/0 (Device, resources at top level) and re-encodes the same 121 bytes', () => {
    const bytes = hex(V.TLV_DEVICE);
    assert.equal(bytes.length, 121);
    roundTrip(ContentFormat.TLV, '/3/0', bytes, V.DEVICE_RECORDS);
  });

  it('decodes Read /3 (Device inside an object instance TLV) and re-encodes it', () => {
    roundTrip(ContentFormat.TLV, '/3', hex(V.TLV_DEVICE_OBJECT), V.DEVICE_RECORDS);
  });

  it('accepts the object instance TLV for a request on the instance itself', () => {
    const records = decode(hex(V.TLV_DEVICE_OBJECT), { format: ContentFormat.TLV, basePath: '/3/0', definitions });
    assert.deepStrictEqual(plain(records), plain(V.DEVICE_RECORDS));
  });

  it('accepts the LwM2M 1.0 content format number 1542', () => {
    const records = decode(hex(V.TLV_DEVICE), { format: ContentFormat.TLV_LEGACY, basePath: '/3/0', definitions });
    assert.deepStrictEqual(plain(records), plain(V.DEVICE_RECORDS));
  });

  it('decodes Read /2 (Access Control, two instances, 16-bit resource instance id 310)', () => {
    roundTrip(ContentFormat.TLV, '/2', hex(V.TLV_ACCESS_CONTROL), V.ACCESS_CONTROL_RECORDS);
  });

  it('decodes Read /1 (LwM2M Server, 4-byte Lifetime, boolean)', () => {
    roundTrip(ContentFormat.TLV, '/1', hex(V.TLV_SERVER), V.SERVER_RECORDS);
  });

  it('decodes the object link examples (objects 65 and 66)', () => {
    roundTrip(ContentFormat.TLV, '/65/0', hex(V.TLV_OBJ65), V.OBJ65_RECORDS);
    roundTrip(ContentFormat.TLV, '/66', hex(V.TLV_OBJ66), V.OBJ66_RECORDS);
  });
});

describe('LwM2M Core SenML, OMA JSON and text examples', () => {
  it('SenML JSON Read /3/0 decodes to the Device records and re-encodes byte for byte', () => {
    roundTrip(ContentFormat.SENML_JSON, '/3/0', utf8(V.SENML_JSON_DEVICE), V.DEVICE_RECORDS);
  });

  it('SenML CBOR Read /3/0 decodes to the Device records and re-encodes byte for byte', () => {
    roundTrip(ContentFormat.SENML_CBOR, '/3/0', hex(V.SENML_CBOR_DEVICE), V.DEVICE_RECORDS);
  });

  it('OMA JSON Read /3/0 decodes to the Device records and re-encodes byte for byte', () => {
    roundTrip(ContentFormat.OMA_JSON, '/3/0', utf8(V.OMA_JSON_DEVICE), V.DEVICE_RECORDS);
    const legacy = decode(utf8(V.OMA_JSON_DEVICE), { format: ContentFormat.OMA_JSON_LEGACY, basePath: '/3/0', definitions });
    assert.deepStrictEqual(plain(legacy), plain(V.DEVICE_RECORDS));
  });

  it('plain text Read /3/0/0', () => {
    roundTrip(ContentFormat.TEXT, '/3/0/0', utf8(V.TEXT_MANUFACTURER), [V.DEVICE_RECORDS[0]!]);
  });

  it('the Register payload example parses into its links and formats back', () => {
    const links = decodeLinks(utf8(V.REGISTER_LINKS));
    assert.deepStrictEqual(
      links.map((l) => l.target),
      ['/1/0', '/1/1', '/2/0', '/2/1', '/2/2', '/2/3', '/2/4', '/3/0', '/4/0', '/5/0'],
    );
    assert.equal(formatLinks(links), V.REGISTER_LINKS);
    const built = registerLinks([
      { id: 1, instances: [0, 1] },
      { id: 2, instances: [0, 1, 2, 3, 4] },
      { id: 3, instances: [0] },
      { id: 4, instances: [0] },
      { id: 5, instances: [0] },
    ]);
    assert.equal(formatLinks(built), V.REGISTER_LINKS);
  });
});

describe('the same examples against the built-in object catalogue', () => {
  it('TLV, SenML and OMA JSON vectors round-trip with DEFAULT_CATALOGUE (Device, Server, Access Control)', () => {
    const cases: [number, string, Uint8Array, readonly LwM2mRecord[]][] = [
      [ContentFormat.TLV, '/3/0', hex(V.TLV_DEVICE), V.DEVICE_RECORDS],
      [ContentFormat.TLV, '/2', hex(V.TLV_ACCESS_CONTROL), V.ACCESS_CONTROL_RECORDS],
      [ContentFormat.TLV, '/1', hex(V.TLV_SERVER), V.SERVER_RECORDS],
      [ContentFormat.SENML_JSON, '/3/0', utf8(V.SENML_JSON_DEVICE), V.DEVICE_RECORDS],
      [ContentFormat.SENML_CBOR, '/3/0', hex(V.SENML_CBOR_DEVICE), V.DEVICE_RECORDS],
      [ContentFormat.OMA_JSON, '/3/0', utf8(V.OMA_JSON_DEVICE), V.DEVICE_RECORDS],
    ];
    for (const [format, basePath, bytes, expected] of cases) {
      const records = decode(bytes, { format, basePath, definitions: DEFAULT_CATALOGUE });
      assert.deepStrictEqual(plain(records), plain(expected), `${format} ${basePath}`);
      assert.equal(toHex(encode(records, { format, basePath, definitions: DEFAULT_CATALOGUE })), toHex(bytes), `${format} ${basePath}`);
    }
  });
});
