/**
 * The OMA LwM2M registry (github.com/OpenMobileAlliance/lwm2m-registry) checked out beside the
 * repository as ../shared/lwm2m-registry: every DDF file must load, and every built-in definition
 * must match the registry file of the same object and version. Skipped only when the registry
 * directory does not exist (CI without ../shared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDdf } from '../../src/model/ddf.ts';
import { BUILTIN_DEFINITIONS, BUILTIN_PROFILES } from '../../src/model/objects/index.ts';
import type { ObjectDefinition } from '../../src/model/object-definition.ts';
import { DdfError } from '../../src/errors.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const registry = resolve(repoRoot, '../shared/lwm2m-registry');
const present = existsSync(registry);
const skip = present ? false : `registry not present at ${registry}`;

/** Files of the registry that are not object definitions: they must be refused with a DdfError. */
const NOT_OBJECTS: Readonly<Record<string, RegExp>> = {
  'DDF.xml': /root element is <DDFList>/, // the index of all objects
  'Common.xml': /ObjectType="CommonResources"/, // reusable resources, no ObjectID
  'LWM2M_senml_units.xml': /root element is <units>/, // extra SenML units
};

function load(file: string): ObjectDefinition[] {
  return parseDdf(readFileSync(file), { source: file });
}

test('every DDF file of the registry loads', { skip }, () => {
  let objects = 0;
  for (const dir of [registry, join(registry, 'version_history')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml')).sort()) {
      const file = join(dir, name);
      const refused = dir === registry ? NOT_OBJECTS[name] : undefined;
      if (refused !== undefined) {
        assert.throws(() => load(file), (e: unknown) => e instanceof DdfError && refused.test(e.message), name);
        continue;
      }
      const defs = load(file);
      assert.ok(defs.length >= 1, name);
      for (const d of defs) for (const [rid, r] of d.resources) assert.equal(r.id, rid, `${name} resource ${rid}`);
      if (dir === registry && /^\d+\.xml$/.test(name)) assert.equal(defs[0]?.id, Number(name.slice(0, -4)), name);
      objects += defs.length;
    }
  }
  assert.ok(objects > 300, `only ${objects} objects loaded`);
});

function registryFile(oid: number, version: string): string {
  return join(registry, 'version_history', `${oid}-${version.replace('.', '_')}.xml`);
}

function comparable(def: ObjectDefinition): unknown {
  return {
    id: def.id,
    name: def.name,
    version: def.version,
    lwm2mVersion: def.lwm2mVersion,
    urn: def.urn,
    multiple: def.multiple,
    mandatory: def.mandatory,
    resources: [...def.resources.values()].map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      operations: r.operations,
      multiple: r.multiple,
      mandatory: r.mandatory,
      rangeText: r.rangeText,
      range: r.range,
      units: r.units,
    })),
  };
}

test('each built-in definition matches the registry file of its object and version', { skip }, () => {
  // Every shipped version exists in the registry's version_history; none is documented as differing.
  for (const def of BUILTIN_DEFINITIONS) {
    const file = registryFile(def.id, def.version);
    assert.ok(existsSync(file), `registry has no ${def.id} version ${def.version} (${file})`);
    const [fromXml] = load(file);
    assert.ok(fromXml !== undefined);
    assert.deepEqual(comparable(def), comparable(fromXml), `${def.name} ${def.version}`);
  }
});

test('the newest registry version of each built-in object is shipped, and the 1.2 profile uses it', { skip }, () => {
  for (const def of BUILTIN_PROFILES['1.2']) {
    const [latest] = load(join(registry, `${def.id}.xml`));
    assert.equal(def.version, latest?.version, `${def.name}: registry's newest is ${latest?.version}`);
  }
});

test('every profile ships the objects of the issue exactly once, labelled for that enabler version', () => {
  const required = [0, 1, 2, 3, 4, 5, 6, 7, 9, 16, 19, 20, 3300, 3303, 3304, 3311, 3313, 3314, 3316, 3317, 3323, 3333, 3338, 3340, 3342, 3347, 3435];
  for (const [version, defs] of Object.entries(BUILTIN_PROFILES)) {
    // LwM2M Gateway (25, Gateway TS 1.1) needs LwM2M 1.1.
    const expected = version === '1.0' ? required : [...required, 25].sort((a, b) => a - b);
    assert.deepEqual(defs.map((d) => d.id).sort((a, b) => a - b), expected, version);
    for (const d of defs) {
      const needs = d.lwm2mVersion ?? '1.0';
      assert.ok(Number(needs) <= Number(version), `${version} profile: ${d.name} ${d.version} needs LwM2M ${needs}`);
    }
  }
  const versionsOf = (v: '1.0' | '1.1' | '1.2') =>
    Object.fromEntries(BUILTIN_PROFILES[v].filter((d) => d.id <= 5).map((d) => [d.id, d.version]));
  assert.deepEqual(versionsOf('1.0'), { 0: '1.0', 1: '1.0', 2: '1.0', 3: '1.0', 4: '1.0', 5: '1.0' });
  assert.deepEqual(versionsOf('1.1'), { 0: '1.1', 1: '1.1', 2: '1.0', 3: '1.1', 4: '1.2', 5: '1.1' });
  assert.deepEqual(versionsOf('1.2'), { 0: '1.2', 1: '1.2', 2: '1.1', 3: '1.2', 4: '1.3', 5: '1.2' });
});
