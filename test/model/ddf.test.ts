import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ddfType, loadDdfFile, parseDdf, parseDdfObject } from '../../src/model/ddf.ts';
import { DdfError } from '../../src/errors.ts';

function item(id: number | string, fields: Record<string, string>): string {
  const f = { Name: 'R', Operations: 'R', MultipleInstances: 'Single', Mandatory: 'Optional', Type: 'Integer', RangeEnumeration: '', Units: '', Description: '', ...fields };
  return `<Item ID="${id}">${Object.entries(f).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</Item>`;
}

function object(fields: Record<string, string>, items: string[]): string {
  const f = { Name: 'Test', Description1: '', ObjectID: '10300', ObjectURN: '', LWM2MVersion: '1.1', ObjectVersion: '1.2', MultipleInstances: 'Multiple', Mandatory: 'Optional', ...fields };
  const head = Object.entries(f).map(([k, v]) => `<${k}>${v}</${k}>`).join('\n    ');
  return `<Object ObjectType="MODefinition">\n    ${head}\n    <Resources>${items.join('\n')}</Resources>\n    <Description2></Description2>\n  </Object>`;
}

function doc(...objects: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://openmobilealliance.org/tech/profiles/LWM2M-v1_1.xsd">\n  ${objects.join('\n')}\n</LWM2M>\n`;
}

test('reads every field of an object and its resources', () => {
  const xml = doc(
    object({ Description1: '<![CDATA[An object <with> markup & more]]>', ObjectURN: 'urn:oma:lwm2m:x:10300:1.2' }, [
      item(0, { Name: '  Server  URI ', Type: 'String', Operations: '', Mandatory: 'Mandatory', RangeEnumeration: '0..255 bytes' }),
      item(1, { Type: 'Unsigned Integer', Operations: 'RW', MultipleInstances: 'Multiple', Units: 's', RangeEnumeration: '0..4294967295' }),
      item(2, { Type: 'Float', Operations: 'W', RangeEnumeration: '-40..85', Units: 'Cel' }),
      item(3, { Type: '', Operations: 'E', Description: 'reboot &amp; reset &#60;now&#x3E;' }),
      item(4, { Type: 'Boolean' }),
      item(5, { Type: 'Opaque', RangeEnumeration: '6 bytes' }),
      item(6, { Type: 'Time' }),
      item(7, { Type: 'Objlnk' }),
      item(8, { Type: 'Corelnk' }),
      item(9, { Type: 'Integer', RangeEnumeration: '8-Bits' }),
    ]),
  );
  const def = parseDdfObject(xml);
  assert.equal(def.id, 10300);
  assert.equal(def.name, 'Test');
  assert.equal(def.version, '1.2');
  assert.equal(def.lwm2mVersion, '1.1');
  assert.equal(def.urn, 'urn:oma:lwm2m:x:10300:1.2');
  assert.equal(def.multiple, true);
  assert.equal(def.mandatory, false);
  assert.equal(def.description, 'An object <with> markup & more');
  const r = (id: number) => def.resources.get(id)!;
  assert.deepEqual(r(0), {
    id: 0, name: 'Server URI', operations: '', multiple: false, mandatory: true, type: 'string',
    rangeText: '0..255 bytes', range: { kind: 'length', min: 0, max: 255 },
  });
  assert.deepEqual(r(1), {
    id: 1, name: 'R', operations: 'RW', multiple: true, mandatory: false, type: 'unsigned',
    rangeText: '0..4294967295', range: { kind: 'numeric', min: 0, max: 4294967295 }, units: 's',
  });
  assert.equal(r(2).type, 'float');
  assert.equal(r(2).operations, 'W');
  assert.deepEqual(r(2).range, { kind: 'numeric', min: -40, max: 85 });
  assert.equal(r(3).type, 'none');
  assert.equal(r(3).operations, 'E');
  assert.equal(r(3).description, 'reboot & reset <now>');
  assert.deepEqual(
    [4, 5, 6, 7, 8].map((id) => r(id).type),
    ['boolean', 'opaque', 'time', 'objlnk', 'corelnk'],
  );
  assert.deepEqual(r(5).range, { kind: 'length', min: 0, max: 6 });
  assert.equal(r(9).rangeText, '8-Bits');
  assert.equal(r(9).range, undefined);
});

test('several objects per file; defaults for the optional object fields', () => {
  const a = object({ ObjectID: '3', Name: 'A', ObjectVersion: '', LWM2MVersion: '', MultipleInstances: 'Single', Mandatory: 'Mandatory' }, [item(0, {})]);
  const b = object({ ObjectID: '3303', Name: 'B' }, [item(5700, { Type: 'Float' })]).replace(/<LWM2MVersion>[^<]*<\/LWM2MVersion>|<ObjectVersion>[^<]*<\/ObjectVersion>|<ObjectURN>[^<]*<\/ObjectURN>/g, '');
  const defs = parseDdf(doc(a, b));
  assert.deepEqual(defs.map((d) => [d.id, d.name, d.version, d.lwm2mVersion, d.urn, d.multiple, d.mandatory]), [
    [3, 'A', '1.0', undefined, 'urn:oma:lwm2m:oma:3', false, true],
    [3303, 'B', '1.0', undefined, 'urn:oma:lwm2m:ext:3303', true, false],
  ]);
  assert.throws(() => parseDdfObject(doc(a, b)), /expected one <Object>, found 2/);
});

test('descriptions can be dropped; self-closing empty elements and a BOM are accepted', () => {
  const xml = '\uFEFF' + doc(object({ Description1: 'long text' }, [item(1, { Description: 'text' })])).replace('<Units></Units>', '<Units/>');
  const def = parseDdfObject(xml, { descriptions: false });
  assert.equal(def.description, undefined);
  assert.equal(def.resources.get(1)?.description, undefined);
  assert.equal(parseDdfObject(new TextEncoder().encode(xml)).resources.get(1)?.description, 'text');
});

test('Type and case handling', () => {
  assert.equal(ddfType('Unsigned Integer'), 'unsigned');
  assert.equal(ddfType(' unsigned   integer '), 'unsigned');
  assert.equal(ddfType('OBJLNK'), 'objlnk');
  assert.equal(ddfType(''), 'none');
  assert.equal(ddfType('Double'), undefined);
  const def = parseDdfObject(doc(object({ MultipleInstances: 'single', Mandatory: 'optional' }, [item(0, { Operations: 'rw' })])));
  assert.equal(def.multiple, false);
  assert.equal(def.resources.get(0)?.operations, 'RW');
});

function expectDdfError(xml: string | Uint8Array, re: RegExp, where?: { objectId?: number; resourceId?: number }): void {
  assert.throws(
    () => parseDdf(xml, { source: 'x.xml' }),
    (e: unknown) => {
      assert.ok(e instanceof DdfError, `expected DdfError, got ${String(e)}`);
      assert.equal(e.code, 'DDF');
      assert.match(e.message, re);
      assert.ok(e.message.startsWith('x.xml: '), e.message);
      if (where?.objectId !== undefined) assert.equal(e.objectId, where.objectId);
      if (where?.resourceId !== undefined) assert.equal(e.resourceId, where.resourceId);
      return true;
    },
  );
}

test('bad XML and bad definitions give DdfError with the reason and place', () => {
  const good = doc(object({}, [item(1, {})]));
  expectDdfError('', /malformed XML/);
  expectDdfError('not xml at all', /malformed XML at line 1/);
  expectDdfError(good.replace('</Resources>', ''), /malformed XML/);
  expectDdfError(good.replace('<Item ID="1">', '<Item ID="1" ID="2">'), /malformed XML.*repeated/);
  expectDdfError(good.slice(0, good.length / 2), /malformed XML/);
  expectDdfError('<DDFList><Item/></DDFList>', /root element is <DDFList>, expected <LWM2M>/);
  expectDdfError('<LWM2M></LWM2M>', /holds no <Object>/);
  expectDdfError(new Uint8Array([0x3c, 0x4c, 0xff, 0xfe]), /not valid UTF-8/);
  expectDdfError(good.replace('MODefinition', 'CommonResources'), /not an object definition/);
  expectDdfError(good.replace('<ObjectID>10300</ObjectID>', ''), /missing <ObjectID>/);
  expectDdfError(good.replace('<ObjectID>10300</ObjectID>', '<ObjectID>65535</ObjectID>'), /ObjectID '65535'/);
  expectDdfError(good.replace('<ObjectID>10300</ObjectID>', '<ObjectID>abc</ObjectID>'), /ObjectID 'abc'/);
  expectDdfError(good.replace('<Name>Test</Name>', '<Name></Name>'), /object 10300: empty <Name>/, { objectId: 10300 });
  expectDdfError(good.replace('<Name>Test</Name>', '<Name>a</Name><Name>b</Name>'), /<Name> appears 2 times/);
  expectDdfError(good.replace('<ObjectVersion>1.2</ObjectVersion>', '<ObjectVersion>v2</ObjectVersion>'), /ObjectVersion> 'v2'/);
  expectDdfError(good.replace('<MultipleInstances>Multiple</MultipleInstances>', '<MultipleInstances>Many</MultipleInstances>'), /'Many' is not one of/);
  expectDdfError(good.replace(/<Resources>.*<\/Resources>/s, ''), /missing <Resources>/);
  expectDdfError(good.replace('<Type>Integer</Type>', '<Type>Double</Type>'), /object 10300: resource 1: unknown <Type> 'Double'/, { objectId: 10300, resourceId: 1 });
  expectDdfError(good.replace('<Operations>R</Operations>', '<Operations>RWX</Operations>'), /resource 1: <Operations> 'RWX'/);
  expectDdfError(good.replace('<Mandatory>Optional</Mandatory></Item>', '</Item>').replace('<Mandatory>Optional</Mandatory><Type>', '<Type>'), /resource 1: missing <Mandatory>/);
  expectDdfError(good.replace('<Item ID="1">', '<Item>'), /without an ID/);
  expectDdfError(good.replace('<Item ID="1">', '<Item ID="70000">'), /resource ID '70000'/);
  expectDdfError(doc(object({}, [item(1, {}), item(1, {})])), /resource 1: duplicate resource ID/);
});

test('entities: predefined and character references decode; DOCTYPE entities are not expanded', () => {
  const def = parseDdfObject(doc(object({ Name: 'A &amp; B &lt;&gt; &quot;&apos; &#x263A; &#9731;' }, [item(1, {})])));
  assert.equal(def.name, 'A & B <> "\' ☺ ☃');
  const withDoctype = `<?xml version="1.0"?><!DOCTYPE LWM2M [<!ENTITY x "EXPANDED">]>` + doc(object({ Name: 'n &x;' }, [item(1, {})])).replace(/^<\?xml[^>]*>/, '');
  assert.equal(parseDdfObject(withDoctype).name, 'n &x;');
});

test('loadDdfFile reads a file and names it in errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddf-'));
  try {
    const file = join(dir, 'obj.xml');
    writeFileSync(file, doc(object({}, [item(1, {})])));
    const [def] = await loadDdfFile(file);
    assert.equal(def?.id, 10300);
    writeFileSync(file, '<LWM2M>');
    await assert.rejects(loadDdfFile(file), (e: unknown) => e instanceof DdfError && e.message.startsWith(file));
    await assert.rejects(loadDdfFile(join(dir, 'missing.xml')), /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: random and mutated input throws only DdfError', () => {
  const good = doc(object({}, [item(1, { RangeEnumeration: '0..7' }), item(2, { Type: 'String' })]));
  const mutated = fc
    .tuple(fc.nat(good.length), fc.nat(40), fc.string({ maxLength: 12, unit: 'binary' }))
    .map(([at, del, ins]) => good.slice(0, at) + ins + good.slice(at + del));
  fc.assert(
    fc.property(fc.oneof(mutated, fc.string({ maxLength: 200 })), (xml) => {
      try {
        parseDdf(xml);
      } catch (e) {
        assert.ok(e instanceof DdfError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 1500 },
  );
});
