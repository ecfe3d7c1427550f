/**
 * Payload examples from the OMA LightweightM2M Core technical specification, byte for byte.
 *
 * TLV: LwM2M Core 1.0.x 6.4.3 = 1.1.1 7.4.3 = 1.2 7.4.5 ("Single Object Instance Request", "Multiple
 * Object Instance Request" A-C, and the object link examples of 1.0.1 figure 28 / objects 65, 66).
 * The Device example data (Manufacturer "Open Mobile Alliance" ... Supported Binding "U") is the
 * spec's; so are the SenML JSON (1.1.1 7.4.4), SenML CBOR (1.1.1 7.4.5, hex as printed in the spec)
 * and OMA JSON (1.0 6.4.4 / 1.1 7.4.7) renderings of the same Read /3/0 response.
 */
import type { LwM2mRecord } from '../../src/model/record.ts';
import { path } from '../../src/model/path.ts';

const r = (p: string, value: LwM2mRecord['value']): LwM2mRecord => ({ path: path(...p.split('/').filter(Boolean).map(Number)), value });

/** Read /3/0 as the spec's Device object example returns it. */
export const DEVICE_RECORDS: readonly LwM2mRecord[] = [
  r('/3/0/0', 'Open Mobile Alliance'),
  r('/3/0/1', 'Lightweight M2M Client'),
  r('/3/0/2', '345000123'),
  r('/3/0/3', '1.0'),
  r('/3/0/6/0', 1),
  r('/3/0/6/1', 5),
  r('/3/0/7/0', 3800),
  r('/3/0/7/1', 5000),
  r('/3/0/8/0', 125),
  r('/3/0/8/1', 900),
  r('/3/0/9', 100),
  r('/3/0/10', 15),
  r('/3/0/11/0', 0),
  r('/3/0/13', new Date(1367491215 * 1000)),
  r('/3/0/14', '+02:00'),
  r('/3/0/16', 'U'),
];

/** TLV, Read /3/0: resources without an object instance TLV (121 bytes). */
export const TLV_DEVICE = `
  C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
  C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
  C8 02 09 33 34 35 30 30 30 31 32 33
  C3 03 31 2E 30
  86 06 41 00 01 41 01 05
  88 07 08 42 00 0E D8 42 01 13 88
  87 08 41 00 7D 42 01 03 84
  C1 09 64
  C1 0A 0F
  83 0B 41 00 00
  C4 0D 51 82 42 8F
  C6 0E 2B 30 32 3A 30 30
  C1 10 55`;

/** TLV, Read /3: the same resources inside one object instance TLV (id 0, length 0x79). */
export const TLV_DEVICE_OBJECT = `08 00 79 ${TLV_DEVICE}`;

/** TLV, Read /2 (Access Control): two instances, the second with a 16-bit resource instance id (310). */
export const TLV_ACCESS_CONTROL = `
  08 00 0E  C1 00 01  C1 01 00  83 02 41 7F 07  C1 03 7F
  08 02 12  C1 00 03  C1 01 00  87 02 41 7F 07 61 01 36 01  C1 03 7F`;

export const ACCESS_CONTROL_RECORDS: readonly LwM2mRecord[] = [
  r('/2/0/0', 1),
  r('/2/0/1', 0),
  r('/2/0/2/127', 7),
  r('/2/0/3', 127),
  r('/2/2/0', 3),
  r('/2/2/1', 0),
  r('/2/2/2/127', 7),
  r('/2/2/2/310', 1),
  r('/2/2/3', 127),
];

/** TLV, Read /1 (LwM2M Server): one instance, Lifetime 86400 in 4 bytes. */
export const TLV_SERVER = '08 00 0F C1 00 01 C4 01 00 01 51 80 C1 06 01 C1 07 55';

export const SERVER_RECORDS: readonly LwM2mRecord[] = [r('/1/0/0', 1), r('/1/0/1', 86400), r('/1/0/6', true), r('/1/0/7', 'U')];

/** TLV, Read /65/0: a multiple Objlnk resource (66:0, 66:1), a string and an integer. */
export const TLV_OBJ65 = `
  88 00 0C  44 00 00 42 00 00  44 01 00 42 00 01
  C8 01 0D 38 36 31 33 38 30 30 37 35 35 35 30 30
  C4 02 12 34 56 78`;

export const OBJ65_RECORDS: readonly LwM2mRecord[] = [
  r('/65/0/0/0', { oid: 66, iid: 0 }),
  r('/65/0/0/1', { oid: 66, iid: 1 }),
  r('/65/0/1', '8613800755500'),
  r('/65/0/2', 0x12345678),
];

/** TLV, Read /66: two instances each linking on (67:0, and the null link 65535:65535). */
export const TLV_OBJ66 = `
  08 00 26  C8 00 0B 6D 79 53 65 72 76 69 63 65 20 31
            C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 34
            C4 02 00 43 00 00
  08 01 26  C8 00 0B 6D 79 53 65 72 76 69 63 65 20 32
            C8 01 0F 49 6E 74 65 72 6E 65 74 2E 31 35 2E 32 33 35
            C4 02 FF FF FF FF`;

export const OBJ66_RECORDS: readonly LwM2mRecord[] = [
  r('/66/0/0', 'myService 1'),
  r('/66/0/1', 'Internet.15.234'),
  r('/66/0/2', { oid: 67, iid: 0 }),
  r('/66/1/0', 'myService 2'),
  r('/66/1/1', 'Internet.15.235'),
  r('/66/1/2', { oid: 65535, iid: 65535 }),
];

/** SenML JSON, Read /3/0. */
export const SENML_JSON_DEVICE =
  '[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},' +
  '{"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},' +
  '{"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},' +
  '{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},' +
  '{"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}]';

/** SenML CBOR, Read /3/0, as printed in LwM2M Core 1.1.1 section 7.4.5. */
export const SENML_CBOR_DEVICE = `
  90 a3 21 65 2f 33 2f 30 2f 00 61 30 03 74 4f 70 65 6e 20 4d 6f 62 69 6c 65 20 41 6c 6c 69 61 6e
  63 65 a2 00 61 31 03 76 4c 69 67 68 74 77 65 69 67 68 74 20 4d 32 4d 20 43 6c 69 65 6e 74 a2 00
  61 32 03 69 33 34 35 30 30 30 31 32 33 a2 00 61 33 03 63 31 2e 30 a2 00 63 36 2f 30 02 01 a2 00
  63 36 2f 31 02 05 a2 00 63 37 2f 30 02 19 0e d8 a2 00 63 37 2f 31 02 19 13 88 a2 00 63 38 2f 30
  02 18 7d a2 00 63 38 2f 31 02 19 03 84 a2 00 61 39 02 18 64 a2 00 62 31 30 02 0f a2 00 64 31 31
  2f 30 02 00 a2 00 62 31 33 02 1a 51 82 42 8f a2 00 62 31 34 03 66 2b 30 32 3a 30 30 a2 00 62 31
  36 03 61 55`;

/** OMA JSON (application/vnd.oma.lwm2m+json), Read /3/0. */
export const OMA_JSON_DEVICE =
  '{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"1","sv":"Lightweight M2M Client"},' +
  '{"n":"2","sv":"345000123"},{"n":"3","sv":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},' +
  '{"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},' +
  '{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},' +
  '{"n":"14","sv":"+02:00"},{"n":"16","sv":"U"}]}';

/** Plain text, Read /3/0/0 (LwM2M Core 7.4.1 example). */
export const TEXT_MANUFACTURER = 'Open Mobile Alliance';

/**
 * Link format (LwM2M Core 1.0 5.3.1 Register example): the objects and instances a client has.
 */
export const REGISTER_LINKS = '</1/0>,</1/1>,</2/0>,</2/1>,</2/2>,</2/3>,</2/4>,</3/0>,</4/0>,</5/0>';
