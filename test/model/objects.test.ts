import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUILTIN_DEFINITIONS,
  DEVICE_V1_1,
  SECURITY_V1_0,
  SECURITY_V1_1,
  SERVER_V1_1,
  builtinDefinition,
} from '../../src/model/objects/index.ts';
import { coerceResourceValue } from '../../src/model/resource-type.ts';
import { ValueError } from '../../src/errors.ts';

// Facts from LwM2M Core 1.1.1 Appendix E, checked without the registry (CI may not have it).

test('Security 1.1: server URI, bootstrap flag, mode, keys; no operations for LwM2M servers', () => {
  const r = (id: number) => SECURITY_V1_1.resources.get(id)!;
  assert.equal(SECURITY_V1_1.multiple, true);
  assert.equal(SECURITY_V1_1.mandatory, true);
  assert.deepEqual([r(0).type, r(1).type, r(2).type, r(3).type, r(10).type], ['string', 'boolean', 'integer', 'opaque', 'integer']);
  for (const res of SECURITY_V1_1.resources.values()) assert.equal(res.operations, '', res.name);
  assert.deepEqual(r(2).range, { kind: 'numeric', min: 0, max: 4 });
  assert.deepEqual(r(10).range, { kind: 'numeric', min: 1, max: 65534 });
  assert.equal(r(13).type, 'unsigned', 'Matching Type is an Unsigned Integer in 1.1');
  assert.equal(SECURITY_V1_0.resources.size, 13);
  assert.equal(SECURITY_V1_1.resources.size, 18);
});

test('Server 1.1 and Device 1.1 key resources', () => {
  const s = (id: number) => SERVER_V1_1.resources.get(id)!;
  assert.deepEqual([s(0).type, s(0).operations, s(1).type, s(1).operations, s(7).type, s(8).operations], ['integer', 'R', 'integer', 'RW', 'string', 'E']);
  assert.equal(s(4).operations, 'E', 'Disable');
  const d = (id: number) => DEVICE_V1_1.resources.get(id)!;
  assert.deepEqual([d(4).operations, d(4).type], ['E', 'none']);
  assert.deepEqual([d(11).multiple, d(11).mandatory, d(11).rangeText], [true, true, '0..8']);
  assert.equal(d(13).type, 'time');
  assert.equal(d(16).operations, 'R');
  assert.equal(DEVICE_V1_1.multiple, false);
});

test('built-in ranges reject what the specification forbids', () => {
  const batteryLevel = DEVICE_V1_1.resources.get(9)!;
  assert.equal(coerceResourceValue(batteryLevel, 100), 100);
  assert.throws(() => coerceResourceValue(batteryLevel, 101), ValueError);
  const uri = SECURITY_V1_1.resources.get(0)!;
  assert.equal(coerceResourceValue(uri, 'coap://127.0.0.1:5683'), 'coap://127.0.0.1:5683');
  assert.throws(() => coerceResourceValue(uri, 'coap://' + 'a'.repeat(250)), ValueError);
});

test('built-ins are unique by id and version and found by builtinDefinition', () => {
  const keys = BUILTIN_DEFINITIONS.map((d) => `${d.id}@${d.version}`);
  assert.equal(new Set(keys).size, keys.length);
  for (const d of BUILTIN_DEFINITIONS) {
    assert.equal(builtinDefinition(d.id, d.version), d);
    assert.ok(Object.isFrozen(d));
    assert.ok(d.resources.size > 0);
  }
  assert.equal(builtinDefinition(3, '9.9'), undefined);
});
