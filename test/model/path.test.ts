import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath, parsePath, path } from '../../src/model/path.ts';
import { InvalidPathError } from '../../src/errors.ts';

test('parses every depth, with or without the leading slash', () => {
  assert.equal(parsePath('/').depth, 0);
  assert.deepEqual(parsePath('/3').ids, [3]);
  assert.deepEqual(parsePath('3/0').ids, [3, 0]);
  assert.deepEqual(parsePath('/3/0/1').ids, [3, 0, 1]);
  assert.deepEqual(parsePath('/3/0/7/1').ids, [3, 0, 7, 1]);
  assert.equal(parsePath('/3/0/7/1').resourceInstanceId, 1);
  assert.equal(parsePath('/65534').objectId, 65534);
});

test('rejects bad paths with InvalidPathError', () => {
  for (const bad of ['/65535', '//3', '/3/', '/a', '/3/0/1/2/3', '/-1', '/3.0', '/ 3', '/123456']) {
    assert.throws(() => parsePath(bad), InvalidPathError, bad);
  }
  assert.throws(() => path(3, 65535), InvalidPathError);
  assert.throws(() => path(1.5), InvalidPathError);
  assert.throws(() => path(1, 2, 3, 4).child(1), InvalidPathError);
});

test('prefix, order, parent, child', () => {
  const p = parsePath('/3/0/1');
  assert.ok(p.startsWith(parsePath('/3')));
  assert.ok(p.startsWith(LwM2mPath.ROOT));
  assert.ok(p.startsWith(p));
  assert.ok(!p.startsWith(parsePath('/3/1')));
  assert.ok(!parsePath('/3').startsWith(p));
  const sorted = ['/3/1', '/3/0/1', '/3', '/3/0', '/1/0'].map(parsePath).sort((a, b) => a.compare(b)).map(String);
  assert.deepEqual(sorted, ['/1/0', '/3', '/3/0', '/3/0/1', '/3/1']);
  assert.equal(p.parent().toString(), '/3/0');
  assert.equal(LwM2mPath.ROOT.parent().toString(), '/');
  assert.equal(p.child(2).toString(), '/3/0/1/2');
  assert.ok(p.equals(path(3, 0, 1)));
  assert.deepEqual(p.segments(), ['3', '0', '1']);
  assert.equal(p.ancestor(1).toString(), '/3');
});
