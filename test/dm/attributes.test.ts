import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAttributeUpdate, AttributeStore, checkAttributes, parseAttributeQuery } from '../../src/dm/attributes.ts';
import { CodecError } from '../../src/errors.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';
import { LwM2mPath } from '../../src/model/path.ts';

const cat = ObjectCatalogue.builtin('1.1');
const P = (s: string): LwM2mPath => LwM2mPath.parse(s);

describe('Write-Attributes query', () => {
  it('parses values and removals', () => {
    const u = parseAttributeQuery(['pmin=10', 'pmax=200', 'gt=-1.5', 'st=0.5', 'epmin', 'con=1'], '1.1');
    assert.deepEqual(u.set, { pmin: 10, pmax: 200, gt: -1.5, st: 0.5, con: 1 });
    assert.deepEqual([...u.unset], ['epmin']);
  });

  it('refuses unknown, repeated and malformed attributes, and the 1.1 ones in 1.0', () => {
    for (const q of [[], ['foo=1'], ['pmin=1', 'pmin=2'], ['pmin=-1'], ['pmin=1.5'], ['gt=abc'], ['gt='], ['dim=2'], ['pmin=']]) {
      assert.throws(() => parseAttributeQuery(q, '1.1'), CodecError, q.join('&'));
    }
    assert.throws(() => parseAttributeQuery(['epmin=1'], '1.0'), CodecError);
    assert.deepEqual(parseAttributeQuery(['pmin=1'], '1.0').set, { pmin: 1 });
  });

  it('merges an update into a level', () => {
    const merged = applyAttributeUpdate({ pmin: 1, pmax: 5, gt: 3 }, parseAttributeQuery(['pmax=9', 'gt'], '1.1'));
    assert.deepEqual(merged, { pmin: 1, pmax: 9 });
  });
});

describe('attribute checks (LwM2M Core 1.1.1 5.1.2)', () => {
  const voltage = cat.resource(3, 7);
  const manufacturer = cat.resource(3, 0);
  it('accepts valid combinations', () => {
    checkAttributes({ pmin: 10, pmax: 200 }, P('/3'), undefined);
    checkAttributes({ lt: 1, gt: 6, st: 1 }, P('/3/0/7'), voltage);
    checkAttributes({ pmin: 5, pmax: 5 }, P('/3/0'), undefined);
  });
  it('rejects invalid ones', () => {
    const bad: [object, string, ReturnType<typeof cat.resource>][] = [
      [{ pmin: 10, pmax: 5 }, '/3/0', undefined],
      [{ epmin: 10, epmax: 5 }, '/3/0', undefined],
      [{ gt: 5 }, '/3/0', undefined],
      [{ gt: 5 }, '/3/0/0', manufacturer],
      [{ lt: 6, gt: 6 }, '/3/0/7', voltage],
      [{ lt: 1, gt: 6, st: 3 }, '/3/0/7', voltage],
      [{ st: -1 }, '/3/0/7', voltage],
      [{ edge: 1 }, '/3/0/7', voltage],
      [{ con: 2 }, '/3/0', undefined],
    ];
    for (const [a, p, def] of bad) assert.throws(() => checkAttributes(a, P(p), def), CodecError, JSON.stringify(a));
  });
});

describe('AttributeStore', () => {
  it('keeps attributes per server and resolves inheritance with server defaults', () => {
    const s = new AttributeStore();
    s.set(1, P('/3'), { pmin: 10, pmax: 200 });
    s.set(1, P('/3/0'), { pmax: 320 });
    s.set(1, P('/3/0/11/0'), { pmax: 100, epmin: 1 });
    s.set(2, P('/3'), { pmin: 99 });
    assert.deepEqual(s.effective(1, P('/3/0/11')), { pmin: 10, pmax: 320 });
    assert.deepEqual(s.effective(1, P('/3/0/11/0'), { pmin: 1, pmax: 5 }), { pmin: 10, pmax: 100, epmin: 1 });
    assert.deepEqual(s.effective(2, P('/3/0/11')), { pmin: 99 });
    assert.deepEqual(s.effective(3, P('/3/0/11'), { pmin: 1 }), { pmin: 1 });
    s.removeBelow(P('/3/0'));
    assert.deepEqual(s.effective(1, P('/3/0/11/0')), { pmin: 10, pmax: 200 });
    s.set(1, P('/3'), {});
    assert.equal(s.get(1, P('/3')), undefined);
    assert.ok(!s.has(1));
    s.clearServer(2);
    assert.ok(!s.has(2));
  });
});
