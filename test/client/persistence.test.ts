import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, parseState, PersistenceError, saveState, serializeState } from '../../src/client/persistence.ts';
import { parsePath } from '../../src/model/path.ts';

const records = [
  { path: parsePath('/0/1/0'), value: 'coaps://[::1]:5684' },
  { path: parsePath('/0/1/1'), value: false },
  { path: parsePath('/0/1/3'), value: new Uint8Array([0, 1, 254, 255]) },
  { path: parsePath('/1/0/1'), value: 300 },
  { path: parsePath('/1/0/9'), value: 2n ** 60n },
  { path: parsePath('/2/0/3'), value: 101 },
  { path: parsePath('/2/0/2/101'), value: 15 },
  { path: parsePath('/3/0/13'), value: new Date(1_700_000_000_000) },
  { path: parsePath('/1/0/22'), value: { oid: 21, iid: 0 } },
];

test('keeps Security, Server and ACL instances with their value types, drops other objects', () => {
  const state = parseState(
    serializeState({ instances: ['/0/1', '/1/0', '/2/0', '/3/0'].map(parsePath), records }),
  );
  assert.deepEqual(state.instances.map(String), ['/0/1', '/1/0', '/2/0']);
  assert.deepEqual(
    state.records.map((r) => [r.path.toString(), r.value]),
    records.filter((r) => r.path.objectId !== 3).map((r) => [r.path.toString(), r.value]),
  );
});

test('save and load through a file; a missing file is no state', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lwm2m-state-'));
  try {
    const file = join(dir, 'sub', 'state.json');
    assert.equal(await loadState(file), undefined);
    await saveState(file, { instances: [parsePath('/0/0')], records: records.slice(0, 2) });
    const back = await loadState(file);
    assert.deepEqual(back?.records.map((r) => r.value), ['coaps://[::1]:5684', false]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('a corrupt state file is a PersistenceError, not a crash', async () => {
  for (const bad of ['not json', '{}', '{"format":"lwm2m-ts/state@1","instances":["/0"],"values":[]}', '{"format":"lwm2m-ts/state@1","instances":[],"values":[["/0/0/0",{"x":1}]]}', '{"format":"lwm2m-ts/state@1","instances":[],"values":[["/0/0/99999",{"n":1}]]}']) {
    assert.throws(() => parseState(bad), PersistenceError, bad);
  }
  const dir = await mkdtemp(join(tmpdir(), 'lwm2m-state-'));
  try {
    await writeFile(join(dir, 's.json'), '[1,2');
    await assert.rejects(loadState(join(dir, 's.json')), PersistenceError);
  } finally {
    await rm(dir, { recursive: true });
  }
});
