import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CATALOGUE, ObjectCatalogue, resourceDefinition } from '../../src/model/catalogue.ts';
import { defineObject } from '../../src/model/define-object.ts';
import { DEVICE, DEVICE_V1_0, SECURITY_V1_1, TEMPERATURE } from '../../src/model/objects/index.ts';
import { DdfError } from '../../src/errors.ts';

test('the default catalogue is the shared LwM2M 1.1 profile', () => {
  assert.equal(ObjectCatalogue.builtin(), DEFAULT_CATALOGUE);
  assert.equal(ObjectCatalogue.builtin('1.1'), DEFAULT_CATALOGUE);
  assert.equal(DEFAULT_CATALOGUE.object(0), SECURITY_V1_1);
  assert.equal(DEFAULT_CATALOGUE.object(3), DEVICE);
  assert.equal(DEFAULT_CATALOGUE.object(3)?.version, '1.1');
  assert.equal(ObjectCatalogue.builtin('1.0').object(3), DEVICE_V1_0);
  assert.equal(ObjectCatalogue.builtin('1.2').object(3)?.version, '1.2');
  assert.equal(DEFAULT_CATALOGUE.size, 28); // with LwM2M Gateway (25)
  assert.deepEqual(DEFAULT_CATALOGUE.ids().slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 9, 16, 19, 20]);
  assert.deepEqual([...DEFAULT_CATALOGUE].map((d) => d.id), DEFAULT_CATALOGUE.ids());
  assert.equal(DEFAULT_CATALOGUE.object(3304)?.name, 'Humidity');
  assert.equal(DEFAULT_CATALOGUE.object(42), undefined);
  assert.ok(DEFAULT_CATALOGUE.has(3303));
  assert.ok(!DEFAULT_CATALOGUE.has(42));
});

test('resource lookups', () => {
  assert.equal(DEFAULT_CATALOGUE.resource(3, 0)?.name, 'Manufacturer');
  assert.equal(DEFAULT_CATALOGUE.resource(3, 4)?.type, 'none');
  assert.equal(DEFAULT_CATALOGUE.resource(3, 999), undefined);
  assert.equal(DEFAULT_CATALOGUE.resource(999, 0), undefined);
  assert.equal(resourceDefinition(3303, 5700)?.type, 'float');
  assert.equal(resourceDefinition(3303, 5700), TEMPERATURE.resources.get(5700));
  const custom = new ObjectCatalogue([]);
  assert.equal(resourceDefinition(3303, 5700, custom), undefined);
});

test('withDefinitions, loadDdf and without return new catalogues and leave the original alone', () => {
  const mine = defineObject({ id: 3303, name: 'My Temperature', multiple: true, resources: { 5700: { name: 'V', type: 'integer', ops: 'R' } } });
  const extra = defineObject({ id: 32769, name: 'Private', multiple: false, resources: { 0: { name: 'X', type: 'string', ops: 'RW' } } });
  const cat = DEFAULT_CATALOGUE.withDefinitions(mine, extra);
  assert.notEqual(cat, DEFAULT_CATALOGUE);
  assert.equal(cat.object(3303), mine);
  assert.equal(cat.object(32769), extra);
  assert.equal(cat.size, DEFAULT_CATALOGUE.size + 1);
  assert.equal(DEFAULT_CATALOGUE.object(3303), TEMPERATURE);
  assert.ok(!DEFAULT_CATALOGUE.has(32769));
  assert.equal(cat.ids().at(-1), 32769);

  const xml = `<LWM2M><Object ObjectType="MODefinition"><Name>Loaded</Name><ObjectID>10300</ObjectID>
    <MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>
    <Item ID="1"><Name>N</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
    <Mandatory>Optional</Mandatory><Type>Integer</Type><RangeEnumeration>0..9</RangeEnumeration><Units/></Item>
    </Resources></Object></LWM2M>`;
  const loaded = cat.loadDdf(xml);
  assert.equal(loaded.object(10300)?.name, 'Loaded');
  assert.deepEqual(loaded.resource(10300, 1)?.range, { kind: 'numeric', min: 0, max: 9 });
  assert.ok(!cat.has(10300));
  assert.throws(() => cat.loadDdf('<LWM2M>'), DdfError);

  const fewer = loaded.without(3303, 10300);
  assert.ok(!fewer.has(3303) && !fewer.has(10300) && fewer.has(3));
  assert.ok(loaded.has(3303));
});

test('the last definition of an id wins in the constructor', () => {
  const a = defineObject({ id: 5000, name: 'A', multiple: false, resources: {} });
  const b = defineObject({ id: 5000, name: 'B', multiple: false, resources: {} });
  assert.equal(new ObjectCatalogue([a, b]).object(5000)?.name, 'B');
  assert.equal(new ObjectCatalogue().size, 0);
});
