import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstanceExistsError } from '../../src/dm/errors.ts';
import { LwM2mStatusError, NotFoundError, ValueError } from '../../src/errors.ts';
import { CacheError } from '../../src/dm/cache.ts';
import { parseExecuteArguments } from '../../src/dm/execute-args.ts';
import { Registry, type WriteContext } from '../../src/dm/registry.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { FakeClock } from '../../src/util/clock.ts';

function registry(clock = new FakeClock()): Registry {
  return new Registry({ definitions: ObjectCatalogue.builtin('1.1'), clock });
}

function changes(reg: Registry): string[][] {
  const out: string[][] = [];
  reg.on('change', (paths) => out.push(paths.map(String)));
  return out;
}

describe('Registry values', () => {
  it('sets and gets values checked against the definition, creating the instance', () => {
    const reg = registry();
    reg.set('/3/0/0', 'ACME');
    reg.set('/3/0/9', 42);
    reg.set('/3/0/13', 1_700_000_000);
    assert.equal(reg.get('/3/0/0'), 'ACME');
    assert.equal(reg.get('/3/0/9'), 42);
    assert.deepEqual(reg.get('/3/0/13'), new Date(1_700_000_000_000));
    assert.deepEqual(reg.instanceIds(3), [0]);
  });

  it('rejects wrong types and out-of-range values with ValueError and keeps the old value', () => {
    const reg = registry();
    reg.set('/3/0/9', 50);
    assert.throws(() => reg.set('/3/0/9', 'x'), ValueError);
    assert.throws(() => reg.set('/3/0/9', 101), ValueError); // Battery Level 0..100
    assert.throws(() => reg.set('/3/0/9', 1.5), ValueError);
    assert.throws(() => reg.set('/3/0/4', 1), ValueError); // executable
    assert.equal(reg.get('/3/0/9'), 50);
  });

  it('names unknown objects and resources with NotFoundError', () => {
    const reg = registry();
    assert.throws(() => reg.set('/9999/0/0', 1), NotFoundError);
    assert.throws(() => reg.set('/3/0/999', 1), NotFoundError);
    assert.throws(() => reg.set('/3/0', 1), ValueError);
  });

  it('handles multiple resources: lists, maps, objects, resource instances', () => {
    const reg = registry();
    reg.set('/3/0/7', [3800, 5000]);
    assert.deepEqual([...(reg.get('/3/0/7') as Map<number, unknown>)], [[0, 3800], [1, 5000]]);
    reg.set('/3/0/7', new Map([[4, 1], [9, 2]]));
    assert.deepEqual(reg.resourceInstanceIds(3, 0, 7), [4, 9]);
    reg.set('/3/0/7', { 2: 7 });
    assert.deepEqual(reg.resourceInstanceIds(3, 0, 7), [2]);
    reg.set('/3/0/7/5', 55);
    assert.equal(reg.get('/3/0/7/5'), 55);
    assert.deepEqual(reg.resourceInstanceIds(3, 0, 7), [2, 5]);
    assert.ok(reg.delete('/3/0/7/2'));
    assert.deepEqual(reg.resourceInstanceIds(3, 0, 7), [5]);
    assert.equal(reg.delete('/3/0/7/2'), false);
    assert.throws(() => reg.set('/3/0/7', 5), ValueError);
    assert.throws(() => reg.set('/3/0/9/0', 5), ValueError);
  });

  it('creates instances (explicit or lowest free id) and refuses duplicates and a second single instance', () => {
    const reg = registry();
    assert.equal(reg.create('/16', { 0: ['a'] }).toString(), '/16/0');
    assert.equal(reg.create('/16/5').toString(), '/16/5');
    assert.equal(reg.create('/16').toString(), '/16/1');
    assert.throws(() => reg.create('/16/5'), InstanceExistsError);
    reg.create('/3/0');
    assert.throws(() => reg.create('/3/1'), ValueError);
    assert.throws(() => reg.create('/3'), InstanceExistsError);
    assert.deepEqual(reg.instanceIds(16), [0, 1, 5]);
    assert.ok(reg.delete('/16/1'));
    assert.deepEqual(reg.instanceIds(16), [0, 5]);
  });

  it('reports created and deleted instances', () => {
    const reg = registry();
    const seen: string[] = [];
    reg.on('instances-changed', (c) => seen.push(`+${c.created.map(String).join()}-${c.deleted.map(String).join()}:${c.source}`));
    reg.create('/16/0');
    reg.delete('/16/0');
    assert.deepEqual(seen, ['+/16/0-:app', '+-/16/0:app']);
  });

  it('lists supported objects: announced ones and those with instances', () => {
    const reg = registry();
    reg.supportObject(5);
    reg.set('/3/0/0', 'x');
    assert.deepEqual(reg.objectIds(), [3, 5]);
    assert.ok(reg.isSupported(5));
    assert.ok(!reg.isSupported(4));
    reg.supportObject(1);
    reg.supportObject(5);
    reg.supportObject(4);
    assert.deepEqual(reg.objectIds(), [1, 3, 4, 5]);
    assert.throws(() => reg.supportObject(65000), NotFoundError);
  });

  it('asks the built-in executables provider for executables it does not hold itself', () => {
    const reg = registry();
    reg.create('/1/0', { 0: 1 });
    const asked: string[] = [];
    const ran: string[] = [];
    reg.setBuiltinExecutables({
      builtinExecute(oid, rid) {
        asked.push(`${oid}/${rid}`);
        return oid === 1 && rid === 4 ? (_args, ctx) => void ran.push(ctx.path.toString()) : undefined;
      },
    });
    assert.ok(reg.hasResource(1, 0, 4));
    assert.ok(!reg.hasResource(1, 0, 9), 'optional and not implemented');
    const cb = reg.executeCallback(LwM2mPath.of(1, 0, 4));
    assert.ok(cb);
    void cb(parseExecuteArguments(''), { path: LwM2mPath.of(1, 0, 4), ssid: 1 });
    assert.deepEqual(ran, ['/1/0/4']);
    reg.onExecute('/1/0/4', () => void ran.push('application'));
    void reg.executeCallback(LwM2mPath.of(1, 0, 4))?.(parseExecuteArguments(''), { path: LwM2mPath.of(1, 0, 4), ssid: 1 });
    assert.deepEqual(ran, ['/1/0/4', 'application'], "the application's callback comes first");
    assert.ok(asked.includes('1/4') && asked.includes('1/9'));
  });

  it('presents executables that are mandatory or implemented, and values that are set or read dynamically', () => {
    const reg = registry();
    reg.set('/3/0/0', 'x');
    assert.deepEqual(reg.presentResources(3, 0), [0, 4]); // 4 Reboot is mandatory
    reg.onExecute('/3/0/5', () => undefined);
    reg.onRead('/3/0/9', () => 77);
    assert.deepEqual(reg.presentResources(3, 0), [0, 4, 5, 9]);
    assert.equal(reg.readResource(3, 0, 9), 77);
    assert.equal(reg.get('/3/0/9'), undefined);
  });

  it('checks read callback values against the definition', () => {
    const reg = registry();
    reg.create('/3/0');
    reg.onRead('/3/0/9', () => 1000);
    assert.throws(() => reg.readResource(3, 0, 9), ValueError);
  });
});

describe('Registry callbacks', () => {
  it('runs pre-write and validate for every value first, then stores, then post-write', () => {
    const reg = registry();
    reg.create('/1/0', { 0: 1, 1: 60, 6: false, 7: 'U' });
    const log: string[] = [];
    reg.onPreWrite('/1/0/1', (ctx) => {
      log.push(`pre ${ctx.path.toString()}`);
    });
    reg.onValidate('/1/0/1', (v, ctx) => {
      log.push(`validate ${v as number} ${ctx.source} ${String(ctx.ssid)}`);
    });
    reg.onPostWrite('/1/0/1', (v) => {
      log.push(`post ${v as number} stored=${reg.get('/1/0/1') as number}`);
    });
    reg.onValidate('/1/0/3', () => {
      log.push('validate 3');
    });
    const r = reg.commitWrites(
      [
        { oid: 1, iid: 0, rid: 1, value: 120, mode: 'replace' },
        { oid: 1, iid: 0, rid: 3, value: 10, mode: 'replace' },
      ],
      { source: 'server', ssid: 1 },
    );
    assert.equal(r, undefined);
    assert.deepEqual(log, ['pre /1/0/1', 'validate 120 server 1', 'validate 3', 'post 120 stored=120']);
  });

  it('applies nothing when a validate callback rejects any value of the write', () => {
    const reg = registry();
    reg.create('/1/0', { 0: 1, 1: 60, 6: false, 7: 'U' });
    reg.onValidate('/1/0/3', (v) => {
      if (v === 13) throw new LwM2mStatusError(0x80, 'thirteen');
    });
    assert.throws(
      () =>
        reg.commitWrites(
          [
            { oid: 1, iid: 0, rid: 1, value: 120, mode: 'replace' },
            { oid: 1, iid: 0, rid: 3, value: 13, mode: 'replace' },
          ],
          { source: 'server', ssid: 1 },
        ),
      (e: unknown) => e instanceof LwM2mStatusError && e.coapCode === 0x80,
    );
    assert.equal(reg.get('/1/0/1'), 60);
    assert.equal(reg.get('/1/0/3'), undefined);
  });

  it('resource-instance callbacks take precedence over resource callbacks', () => {
    const reg = registry();
    reg.create('/16/0', { 0: ['a', 'b'] });
    const seen: string[] = [];
    reg.onPostWrite('/16/0/0', (v, ctx: WriteContext) => {
      seen.push(`res ${v as string} ${ctx.path.toString()}`);
    });
    reg.onPostWrite('/16/0/0/1', (v) => {
      seen.push(`inst ${v as string}`);
    });
    reg.set('/16/0/0', ['x', 'y']);
    assert.deepEqual(seen, ['res x /16/0/0/0', 'inst y']);
  });

  it('app set runs validate and post-write (not pre-write)', () => {
    const reg = registry();
    const seen: string[] = [];
    reg.onPreWrite('/3/0/9', () => {
      seen.push('pre');
    });
    reg.onValidate('/3/0/9', (_v, ctx) => {
      seen.push(`validate ${ctx.source}`);
    });
    reg.onPostWrite('/3/0/9', () => {
      seen.push('post');
    });
    reg.set('/3/0/9', 5);
    assert.deepEqual(seen, ['validate app', 'post']);
  });

  it('create and delete callbacks may refuse', () => {
    const reg = registry();
    reg.onCreate(16, (iid) => {
      if (iid === 7) throw new LwM2mStatusError(0x80, 'no 7');
    });
    reg.onDelete(16, () => {
      throw new LwM2mStatusError(0x85, 'keep');
    });
    assert.throws(() => reg.create('/16/7'), LwM2mStatusError);
    assert.ok(!reg.hasInstance(16, 7));
    reg.create('/16/1');
    assert.throws(() => reg.delete('/16/1'), LwM2mStatusError);
    assert.ok(reg.hasInstance(16, 1));
  });

  it('unregisters callbacks', () => {
    const reg = registry();
    let n = 0;
    const off = reg.onPostWrite('/3/0/9', () => {
      n++;
    });
    reg.set('/3/0/9', 1);
    off();
    reg.set('/3/0/9', 2);
    assert.equal(n, 1);
  });

  it('reports async post-write failures of set() as an error event', async () => {
    const reg = registry();
    const errors: Error[] = [];
    reg.on('error', (e) => errors.push(e));
    reg.onPostWrite('/3/0/9', () => Promise.reject(new Error('boom')));
    reg.set('/3/0/9', 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors[0]?.message, 'boom');
  });

  it('remembers application-owned read-only data', () => {
    const reg = registry();
    reg.set('/3/0/13', new Date(0), { readOnly: true });
    assert.ok(reg.isReadOnlyData('/3/0/13'));
    reg.set('/3/0/13', new Date(1000), { readOnly: false });
    assert.ok(!reg.isReadOnlyData('/3/0/13'));
    reg.set('/3/0/7', [1], { readOnly: true });
    assert.ok(reg.isReadOnlyData('/3/0/7/0'));
  });
});

describe('Registry change events and lock', () => {
  it('reports a change only when the value changed', () => {
    const reg = registry();
    reg.create('/3/0');
    const seen = changes(reg);
    reg.set('/3/0/9', 10);
    reg.set('/3/0/9', 10);
    reg.set('/3/0/9', 11);
    assert.deepEqual(seen, [['/3/0/9'], ['/3/0/9']]);
  });

  it('reports resource-instance changes, or the resource when instances come or go', () => {
    const reg = registry();
    reg.create('/3/0', { 7: [1, 2] });
    const seen = changes(reg);
    reg.set('/3/0/7', [1, 3]);
    reg.set('/3/0/7', [1, 3, 4]);
    reg.set('/3/0/7/1', 9);
    assert.deepEqual(seen, [['/3/0/7/1'], ['/3/0/7'], ['/3/0/7/1']]);
  });

  it('holds changes while locked and reports them once, deduplicated, at the outermost unlock', () => {
    const reg = registry();
    reg.create('/3/0');
    const seen = changes(reg);
    reg.lock();
    reg.set('/3/0/9', 1);
    reg.lock();
    reg.set('/3/0/9', 2);
    reg.set('/3/0/10', 3);
    reg.unlock();
    assert.deepEqual(seen, []);
    assert.ok(reg.locked);
    reg.unlock();
    assert.deepEqual(seen, [['/3/0/9', '/3/0/10']]);
    assert.throws(() => reg.unlock());
  });

  it('changed() reports data served by a read callback', () => {
    const reg = registry();
    reg.create('/3/0');
    const seen = changes(reg);
    reg.changed('/3/0/9');
    assert.deepEqual(seen, [['/3/0/9']]);
  });
});

describe('Registry data cache', () => {
  it('pushes every set value with a wall-clock time, strictly increasing', () => {
    const clock = new FakeClock({ wallStart: Date.UTC(2026, 0, 1) });
    const reg = registry(clock);
    reg.create('/3303/0');
    reg.enableCache('/3303/0/5700', 4);
    reg.set('/3303/0/5700', 20.5);
    reg.set('/3303/0/5700', 20.5);
    clock.advance(1500);
    reg.set('/3303/0/5700', 21);
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    const entries = reg.cache.peek('/3303/0/5700');
    assert.deepEqual(
      entries.map((e) => [e.value, e.time]),
      [
        [20.5, t0],
        [20.5, t0 + 0.001],
        [21, t0 + 1.5],
      ],
    );
    assert.ok(reg.cachedEntries(LwM2mPath.parse('/3303/0/5700')));
  });

  it('applies the filter and drops new values when full', () => {
    const reg = registry();
    reg.create('/3303/0');
    reg.enableCache('/3303/0/5700', 2, { filter: (v) => (v as number) >= 0 });
    for (const v of [1, -5, 2, 3]) reg.set('/3303/0/5700', v);
    assert.deepEqual(reg.cache.peek('/3303/0/5700').map((e) => e.value), [1, 2]);
    assert.equal(reg.cache.ring('/3303/0/5700')?.dropped, 1);
  });

  it('refuses paths and types the cache cannot hold', () => {
    const reg = registry();
    assert.throws(() => reg.enableCache('/3/0', 2), CacheError);
    assert.throws(() => reg.enableCache('/3/0/0', 2), CacheError); // string
    assert.throws(() => reg.enableCache('/3/0/7', 2), CacheError); // multiple: needs an instance path
    reg.enableCache('/3/0/7/0', 2);
    reg.set('/3/0/7', [5]);
    assert.equal(reg.cache.size('/3/0/7/0'), 1);
    assert.ok(reg.disableCache('/3/0/7/0'));
  });
});
