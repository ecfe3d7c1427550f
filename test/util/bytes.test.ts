import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownBytes } from '../../src/util/bytes.ts';

test('ownBytes copies a view into a larger buffer and keeps a buffer that is all its own', () => {
  const pooled = Buffer.from('hello'); // small Buffers share Node's 8 KiB pool
  assert.ok(pooled.buffer.byteLength > pooled.byteLength);
  const copy = ownBytes(pooled);
  assert.deepEqual([...copy], [...pooled]);
  assert.equal(copy.byteOffset, 0);
  assert.equal(copy.buffer.byteLength, 5);
  pooled[0] = 0x48;
  assert.equal(copy[0], 0x68, 'the copy does not follow the original');

  const view = new Uint8Array(100).subarray(10, 20);
  assert.equal(ownBytes(view).buffer.byteLength, 10);

  const own = new Uint8Array([1, 2, 3]);
  assert.equal(ownBytes(own), own);
  const empty = new Uint8Array(0);
  assert.equal(ownBytes(empty), empty);
});
