import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultUrn, defineObject } from '../../src/model/define-object.ts';
import type {
  ExecutableIdsOf,
  InputOf,
  InstanceValues,
  MultipleIdsOf,
  ResourceIdsOf,
  ValueOf,
  ValueResourceIdsOf,
} from '../../src/model/define-object.ts';
import type { ObjectLink } from '../../src/model/resource-type.ts';
import type { ObjectSpec } from '../../src/model/define-object.ts';
import { DEVICE_V1_1 } from '../../src/model/objects/device.ts';
import { DdfError } from '../../src/errors.ts';

const Temp = defineObject({
  id: 3303,
  name: 'Temperature',
  multiple: true,
  version: '1.1',
  resources: {
    5700: { name: 'Sensor Value', type: 'float', ops: 'R', mandatory: true, units: 'Cel' },
    5701: { name: 'Sensor Units', type: 'string', ops: 'R' },
    5605: { name: 'Reset Min and Max Measured Values', type: 'none', ops: 'E' },
    5518: { name: 'Timestamp', type: 'time', ops: 'R' },
    6042: { name: 'Quality', type: 'integer', ops: 'R', range: '0..23' },
    7000: { name: 'Links', type: 'objlnk', ops: 'RW', multiple: true },
    7001: { name: 'Blob', type: 'opaque', ops: 'RW', range: { kind: 'length', min: 0, max: 4 } },
  },
} as const);

test('defineObject builds a sorted, immutable ObjectDefinition', () => {
  assert.equal(Temp.id, 3303);
  assert.equal(Temp.version, '1.1');
  assert.equal(Temp.urn, 'urn:oma:lwm2m:ext:3303:1.1');
  assert.equal(Temp.multiple, true);
  assert.equal(Temp.mandatory, false);
  assert.deepEqual([...Temp.resources.keys()], [5518, 5605, 5700, 5701, 6042, 7000, 7001]);
  assert.deepEqual(Temp.resources.get(5700), {
    id: 5700, name: 'Sensor Value', operations: 'R', multiple: false, mandatory: true, type: 'float', units: 'Cel',
  });
  assert.deepEqual(Temp.resources.get(6042)?.range, { kind: 'numeric', min: 0, max: 23 });
  assert.equal(Temp.resources.get(6042)?.rangeText, '0..23');
  assert.equal(Temp.resources.get(7001)?.rangeText, '0..4 bytes');
  assert.equal(Temp.resources.get(7000)?.multiple, true);
  assert.ok(Object.isFrozen(Temp));
  assert.ok(Object.isFrozen(Temp.resources.get(5700)));
  const map = Temp.resources as Map<number, unknown>;
  assert.throws(() => map.set(1, {}), TypeError);
  assert.throws(() => map.delete(5700), TypeError);
  assert.throws(() => map.clear(), TypeError);
  assert.equal(Temp.resources.size, 7);
});

test('defaults: version 1.0, URN by id class, optional fields absent', () => {
  const d = defineObject({ id: 10300, name: 'Vendor', multiple: false, resources: { 0: { name: 'X', type: 'boolean', ops: 'RW' } } });
  assert.equal(d.version, '1.0');
  assert.equal(d.urn, 'urn:oma:lwm2m:x:10300');
  assert.equal(d.lwm2mVersion, undefined);
  assert.ok(!('units' in d.resources.get(0)!));
  assert.ok(!('rangeText' in d.resources.get(0)!));
  assert.equal(defaultUrn(3, '1.1'), 'urn:oma:lwm2m:oma:3:1.1');
  assert.equal(defaultUrn(3303, '1.0'), 'urn:oma:lwm2m:ext:3303');
  assert.equal(defaultUrn(10241, '2.0'), 'urn:oma:lwm2m:x:10241:2.0');
});

test('invalid specs throw DdfError naming the object and resource', () => {
  const base = { id: 5000, name: 'T', multiple: false } as const;
  const bad: [ObjectSpec, RegExp][] = [
    [{ ...base, id: 65535, resources: {} }, /object id 65535/],
    [{ ...base, id: 1.5, resources: {} }, /object id 1.5/],
    [{ ...base, name: ' ', resources: {} }, /missing name/],
    [{ ...base, version: '1', resources: {} }, /version '1'/],
    [{ ...base, lwm2mVersion: 'x', resources: {} }, /LwM2M version/],
    [{ ...base, resources: { 65535: { name: 'a', type: 'string', ops: 'R' } } }, /resource id '65535'/],
    [{ ...base, resources: { '01': { name: 'a', type: 'string', ops: 'R' } } as ObjectSpec['resources'] }, /resource id '01'/],
    [{ ...base, resources: { 1: { name: '', type: 'string', ops: 'R' } } }, /resource 1: missing name/],
    [{ ...base, resources: { 1: { name: 'a', type: 'text' as 'string', ops: 'R' } } }, /unknown type 'text'/],
    [{ ...base, resources: { 1: { name: 'a', type: 'string', ops: 'X' as 'R' } } }, /unknown operations 'X'/],
    [{ ...base, resources: { 1: { name: 'a', type: 'string', ops: 'R', range: { kind: 'numeric', min: 0, max: 1 } } } }, /does not apply/],
  ];
  for (const [spec, re] of bad) {
    assert.throws(() => defineObject(spec), (e: unknown) => e instanceof DdfError && e.code === 'DDF' && re.test(e.message), re.source);
  }
  assert.throws(() => defineObject({ ...base, multiple: 'yes' as unknown as boolean, resources: {} }), DdfError);
  try {
    defineObject({ ...base, resources: { 7: { name: 'a', type: 'string', ops: 'Q' as 'R' } } });
  } catch (e) {
    assert.ok(e instanceof DdfError);
    assert.equal(e.objectId, 5000);
    assert.equal(e.resourceId, 7);
  }
});

// ---- compile-time typing: checked by `tsc` (npm run typecheck), run here only as plain calls ----

/** True when A and B are mutually assignable. */
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

test('resource ids and value types are known at compile time', () => {
  // Each element must be `true`; a wrong type makes this assignment fail to compile.
  const proofs: [
    Equal<ResourceIdsOf<typeof Temp>, 5518 | 5605 | 5700 | 5701 | 6042 | 7000 | 7001>,
    Equal<ValueOf<typeof Temp, 5700>, number>,
    Equal<ValueOf<typeof Temp, 5701>, string>,
    Equal<ValueOf<typeof Temp, 5518>, Date>,
    Equal<ValueOf<typeof Temp, 6042>, number | bigint>,
    Equal<ValueOf<typeof Temp, 7000>, ObjectLink>,
    Equal<ValueOf<typeof Temp, 7001>, Uint8Array>,
    Equal<ValueOf<typeof Temp, 5605>, never>,
    Equal<InputOf<typeof Temp, 5518>, Date | number | bigint>,
    Equal<ValueResourceIdsOf<typeof Temp>, 5518 | 5700 | 5701 | 6042 | 7000 | 7001>,
    Equal<ExecutableIdsOf<typeof Temp>, 5605>,
    Equal<MultipleIdsOf<typeof Temp>, 7000>,
    // Built-in definitions are typed the same way.
    Equal<ValueOf<typeof DEVICE_V1_1, 0>, string>,
    Equal<ValueOf<typeof DEVICE_V1_1, 9>, number | bigint>,
    Equal<ExecutableIdsOf<typeof DEVICE_V1_1>, 4 | 5 | 12>,
  ] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
  // @ts-expect-error the check itself can fail: a float is not a string
  const disproof: Equal<ValueOf<typeof Temp, 5700>, string> = true;
  assert.equal(proofs.length + Number(disproof), 16);

  // A typed handle as the client will offer it: set(rid, value) and create(iid, values).
  interface Handle<D> {
    set<R extends ValueResourceIdsOf<D>>(rid: R, value: InputOf<D, R>): void;
    create(iid: number, values: InstanceValues<D>): void;
  }
  const calls: unknown[] = [];
  const h: Handle<typeof Temp> = {
    set: (rid, value) => calls.push([rid, value]),
    create: (iid, values) => calls.push([iid, values]),
  };
  h.set(5700, 22.1);
  h.set(5701, 'Cel');
  h.set(5518, 1_700_000_000);
  h.set(5518, new Date());
  h.set(6042, 3n);
  h.create(0, { 5700: 21.5, 5701: 'Cel', 7000: [{ oid: 3, iid: 0 }] });
  h.create(1, { 7000: new Map([[5, { oid: 3, iid: 0 }]]) });
  h.create(2, {});
  // @ts-expect-error a float resource takes no string
  h.set(5700, '22.1');
  // @ts-expect-error unknown resource id
  h.set(5799, 1);
  // @ts-expect-error an executable resource holds no value
  h.set(5605, 1);
  // @ts-expect-error opaque takes bytes, not a string
  h.set(7001, 'abc');
  // @ts-expect-error a single resource takes no list
  h.create(3, { 5700: [1, 2] });
  // @ts-expect-error a multiple resource takes a list, map or record of values
  h.create(4, { 7000: { oid: 3, iid: 0 } });
  // @ts-expect-error unknown resource in initial values
  h.create(5, { 1234: 1 });
  assert.equal(calls.length, 15);
});
