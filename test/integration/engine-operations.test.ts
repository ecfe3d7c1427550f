/**
 * Every Device Management operation over real UDP, in every content format of each enabler version
 * (a matrix), and every error code the operations answer with.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoapCode } from '../../src/coap/message.ts';
import { locationPath } from '../../src/coap/options.ts';
import { canonicalFormat, ContentFormat as CF, encode, formatSupports, type PayloadTarget } from '../../src/codec/index.ts';
import { formatProfile } from '../../src/dm/formats.ts';
import { isInstances } from '../../src/dm/registry.ts';
import { LwM2mStatusError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import type { ResourceValue } from '../../src/model/resource-type.ts';
import { codeOf, startEngine, str, text, type Harness } from './engine-harness.ts';

const ALL_FORMATS = [CF.TEXT, CF.OPAQUE, CF.CBOR, CF.SENML_JSON, CF.SENML_CBOR, CF.TLV, CF.OMA_JSON, CF.TLV_LEGACY, CF.OMA_JSON_LEGACY, CF.LWM2M_CBOR];

/** What the registry holds at a path, flattened to resource(-instance) paths: the expected read result. */
function expected(h: Harness, path: string): Map<string, unknown> {
  const reg = h.engine.registry;
  const out = new Map<string, unknown>();
  const p = LwM2mPath.parse(path);
  const addResource = (oid: number, iid: number, rid: number): void => {
    const rdef = reg.resourceDefinition(oid, rid)!;
    if (rdef.type === 'none' || !rdef.operations.includes('R')) return;
    const d = reg.get(LwM2mPath.of(oid, iid, rid));
    if (d === undefined) return;
    if (isInstances(d)) for (const [ri, v] of d) out.set(`/${oid}/${iid}/${rid}/${ri}`, v);
    else out.set(`/${oid}/${iid}/${rid}`, d);
  };
  const [oid, iid, rid, riid] = p.ids;
  const iids = iid === undefined ? reg.instanceIds(oid!) : [iid];
  for (const i of iids) {
    const rids = rid === undefined ? [...reg.definition(oid!)!.resources.keys()] : [rid];
    for (const r of rids) addResource(oid!, i, r);
  }
  if (riid !== undefined) for (const k of [...out.keys()]) if (k !== path) out.delete(k);
  return out;
}

function target(h: Harness, path: string): PayloadTarget {
  const p = LwM2mPath.parse(path);
  if (p.depth < 3) return { depth: p.depth };
  const rdef = h.engine.registry.resourceDefinition(p.ids[0]!, p.ids[2]!)!;
  return { depth: p.depth, multiple: p.depth === 3 ? rdef.multiple : false, type: rdef.type };
}

function contentFormatOf(res: { options: readonly { number: number; value: Uint8Array }[] }): number | undefined {
  const o = res.options.find((x) => x.number === 12);
  return o === undefined ? undefined : o.value.reduce((a, b) => a * 256 + b, 0);
}

const READ_PATHS = ['/3/0/0', '/3/0/9', '/3/0/13', '/3/0/7', '/3/0/7/1', '/19/0/0/0', '/3/0', '/3', '/1/0'];

for (const version of ['1.0', '1.1'] as const) {
  describe(`Read matrix, LwM2M ${version}`, () => {
    const profile = formatProfile(version);
    for (const accept of [undefined, ...ALL_FORMATS]) {
      test(`Accept ${String(accept)}`, async (t) => {
        const h = await startEngine(t, { version });
        h.engine.registry.create('/19/0', { 0: [Uint8Array.of(0xca, 0xfe)] });
        for (const path of READ_PATHS) {
          const depth = LwM2mPath.parse(path).depth;
          const r = await h.server.get(path, { accept });
          if (version === '1.0' && depth === 4) {
            assert.equal(codeOf(r), '4.00', `${path}: 1.0 has no resource-instance paths`);
            continue;
          }
          const tgt = target(h, path);
          const ok = accept === undefined || (profile.speaks(accept) && formatSupports(accept, tgt));
          if (!ok) {
            assert.equal(codeOf(r), '4.06', `${path} Accept ${String(accept)}`);
            continue;
          }
          assert.equal(codeOf(r), '2.05', `${path} Accept ${String(accept)}: ${str(r.payload)}`);
          const cf = contentFormatOf(r)!;
          if (accept !== undefined) assert.equal(cf, accept, 'the response is in the Accept format');
          else assert.equal(cf, profile.responseFormat(undefined, tgt));
          assert.deepEqual(h.server.values(r, path), expected(h, path), `${path} in ${cf}`);
        }
      });
    }
  });

  describe(`Write matrix, LwM2M ${version}`, () => {
    const profile = formatProfile(version);
    const cases: { path: string; method: 'put' | 'post'; values: [string, ResourceValue][] }[] = [
      { path: '/1/0/1', method: 'put', values: [['/1/0/1', 4242]] },
      { path: '/3/0/13', method: 'put', values: [['/3/0/13', new Date(1_800_000_000_000)]] },
      { path: '/19/0/0/0', method: 'put', values: [['/19/0/0/0', Uint8Array.of(1, 2, 3)]] },
      { path: '/16/0/0', method: 'put', values: [['/16/0/0/0', 'p'], ['/16/0/0/7', 'q']] },
      { path: '/16/0/0/1', method: 'put', values: [['/16/0/0/1', 'r']] },
      { path: '/1/0', method: 'put', values: [['/1/0/1', 99], ['/1/0/6', true], ['/1/0/7', 'UQ']] },
      { path: '/1/0', method: 'post', values: [['/1/0/3', 33]] },
      { path: '/16/0', method: 'post', values: [['/16/0/0/3', 's']] },
    ];
    for (const format of ALL_FORMATS) {
      test(`Content-Format ${format}`, async (t) => {
        const h = await startEngine(t, { version });
        h.engine.registry.create('/19/0', { 0: [Uint8Array.of(0)] });
        h.engine.registry.create('/16/0', { 0: ['a', 'b'] });
        for (const c of cases) {
          const depth = LwM2mPath.parse(c.path).depth;
          const tgt = target(h, c.path);
          const ok = profile.speaks(format) && formatSupports(format, tgt);
          let payload: Uint8Array;
          try {
            payload = encode(c.values.map(([p, v]) => ({ path: LwM2mPath.parse(p), value: v })), { format: canonicalFormat(format), basePath: c.path, definitions: h.engine.catalogue });
          } catch {
            payload = text('x');
          }
          const r = await h.server[c.method](c.path, { format, payload });
          if (version === '1.0' && depth === 4) {
            assert.equal(codeOf(r), '4.00');
            continue;
          }
          if (!ok) {
            assert.equal(codeOf(r), '4.15', `${c.method} ${c.path} in ${format}`);
            continue;
          }
          assert.equal(codeOf(r), '2.04', `${c.method} ${c.path} in ${format}: ${str(r.payload)}`);
          for (const [p, v] of c.values) assert.deepEqual(h.engine.registry.get(p), v, `${p} after ${c.method} in ${format}`);
          if (c.path === '/16/0/0' && c.method === 'put') {
            assert.deepEqual(h.engine.registry.resourceInstanceIds(16, 0, 0), [0, 7], 'replace drops the instances not written');
          }
          if (c.path === '/1/0' && c.method === 'put') {
            assert.equal(h.engine.registry.get('/1/0/5'), undefined, 'replace drops optional writable resources not written');
            assert.equal(h.engine.registry.get('/1/0/0'), 1, 'read-only resources stay');
          }
        }
      });
    }
  });
}

for (const version of ['1.0', '1.1'] as const) {
  describe(`Create and Observe matrix, LwM2M ${version}`, () => {
    const profile = formatProfile(version);
    const multi = [CF.TLV, CF.OMA_JSON, CF.TLV_LEGACY, CF.OMA_JSON_LEGACY, CF.SENML_JSON, CF.SENML_CBOR].filter((f) => profile.speaks(f));
    test('Create in every multi-value format', async (t) => {
      const h = await startEngine(t, { version });
      h.engine.registry.supportObject(16);
      for (const [i, format] of multi.entries()) {
        const iid = 10 + i;
        const payload = encode([{ path: LwM2mPath.of(16, iid, 0, 0), value: `id-${format}` }], { format: canonicalFormat(format), basePath: '/16', definitions: h.engine.catalogue });
        const r = await h.server.post('/16', { format, payload });
        assert.equal(codeOf(r), '2.01', `Create in ${format}`);
        assert.deepEqual(locationPath(r.options), ['16', String(iid)]);
        assert.equal(h.engine.registry.get(`/16/${iid}/0/0`), `id-${format}`);
      }
    });

    test('Observe in every format that carries the path; notifications keep the format', async (t) => {
      const h = await startEngine(t, { version });
      h.engine.registry.set('/1/0/2', 0);
      const formats = [undefined, CF.TEXT, CF.CBOR, ...multi].filter((f) => f === undefined || profile.speaks(f));
      for (const path of ['/3/0/9', '/3/0']) {
        for (const accept of formats) {
          const tgt = target(h, path);
          const obs = await h.server.observe(path, { accept });
          if (accept !== undefined && !formatSupports(accept, tgt)) {
            assert.equal(codeOf(obs.response), '4.06');
            continue;
          }
          assert.equal(codeOf(obs.response), '2.05', `${path} ${String(accept)}`);
          const cf = contentFormatOf(obs.response);
          const it = obs[Symbol.asyncIterator]();
          h.engine.registry.set('/3/0/9', h.engine.registry.get('/3/0/9') === 40 ? 60 : 40);
          const n = (await it.next()).value!;
          assert.equal(contentFormatOf(n), cf, 'same format as the Observe response');
          assert.equal(h.server.values(n, path).get('/3/0/9'), h.engine.registry.get('/3/0/9'));
          await obs.cancel();
        }
      }
      assert.equal(h.engine.observationCount(), 0);
    });
  });
}

describe('Create and Delete', () => {
  test('Create without and with an instance id, in TLV and SenML, answers 2.01 with Location-Path', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.supportObject(16);
    const cat = h.engine.catalogue;
    const a = await h.server.post('/16', { format: CF.TLV, payload: encode([{ path: LwM2mPath.parse('/16/0/0/0'), value: 'x' }], { format: CF.TLV, basePath: '/16/0', definitions: cat }) });
    assert.equal(codeOf(a), '2.01');
    assert.deepEqual(locationPath(a.options), ['16', '0']);
    const b = await h.server.post('/16', { format: CF.SENML_JSON, payload: encode([{ path: LwM2mPath.parse('/16/9/0/0'), value: 'y' }], { format: CF.SENML_JSON, basePath: '/16', definitions: cat }) });
    assert.deepEqual(locationPath(b.options), ['16', '9']);
    const c = await h.server.post('/16');
    assert.deepEqual(locationPath(c.options), ['16', '1'], 'empty payload: lowest free id');
    assert.deepEqual(h.engine.registry.instanceIds(16), [0, 1, 9]);
    assert.equal(codeOf(await h.server.post('/16', { format: CF.SENML_JSON, payload: encode([{ path: LwM2mPath.parse('/16/9/0/0'), value: 'z' }], { format: CF.SENML_JSON, basePath: '/16', definitions: cat }) })), '4.00', 'existing id');
    assert.equal(codeOf(await h.server.post('/3')), '4.00', 'a second instance of a single-instance object');
    assert.equal(codeOf(await h.server.post('/1')), '4.05', 'Server accounts come from the bootstrap server');
    assert.equal(codeOf(await h.server.post('/0')), '4.01');
    assert.equal(codeOf(await h.server.post('/4')), '4.04', 'unsupported object');
    assert.equal(codeOf(await h.server.delete('/16/9')), '2.02');
    assert.deepEqual(h.engine.registry.instanceIds(16), [0, 1]);
  });

  test('Delete answers 4.04 / 4.05 / 4.01 where it must', async (t) => {
    const h = await startEngine(t);
    assert.equal(codeOf(await h.server.delete('/16/0')), '4.04');
    assert.equal(codeOf(await h.server.delete('/3/0')), '4.05');
    assert.equal(codeOf(await h.server.delete('/1/0')), '4.05');
    assert.equal(codeOf(await h.server.delete('/0/0')), '4.01');
    assert.equal(codeOf(await h.server.delete('/3')), '4.05');
    assert.equal(codeOf(await h.server.delete('/3/0/0')), '4.05');
  });

  test('a create callback refusing answers its code; a delete callback refusing keeps the instance', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.supportObject(16);
    h.engine.registry.onCreate(16, () => {
      throw new LwM2mStatusError(0x83, 'no');
    });
    assert.equal(codeOf(await h.server.post('/16')), '4.03');
    assert.deepEqual(h.engine.registry.instanceIds(16), []);
  });
});

describe('error codes', () => {
  test('4.04 Not Found', async (t) => {
    const h = await startEngine(t);
    for (const [method, path, init] of [
      ['get', '/3/1', {}],
      ['get', '/9999', {}],
      ['get', '/3/0/99', {}],
      ['get', '/3/0/10', {}],
      ['get', '/3/0/7/9', {}],
      ['get', '/abc', {}],
      ['put', '/3/1/0', { format: 0, payload: 'x' }],
      ['post', '/3/0/99', {}],
      ['post', '/3/0/5', {}],
      ['delete', '/16/9', {}],
      ['get', '/3/1', { accept: 40 }],
      ['put', '/3/0/10', { query: 'pmin=1' }],
      ['put', '/3/0/7/5', { query: 'pmin=1' }],
    ] as const) {
      assert.equal(codeOf(await h.server[method](path, init)), '4.04', `${method} ${path}`);
    }
  });

  test('4.05 Method Not Allowed', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.create('/5/0', { 1: '', 3: 0, 5: 0 });
    for (const [method, path, init] of [
      ['get', '/5/0/0', {}],
      ['get', '/3/0/4', {}],
      ['post', '/3/0/0', { payload: 'x' }],
      ['put', '/3/0/0', { format: 0, payload: 'x' }],
      ['put', '/3', { format: 0, payload: 'x' }],
      ['post', '/3/0/7/0', { format: 0, payload: '1' }],
      ['get', '/', {}],
      ['put', '/3/0/4', { format: 0, payload: '' }],
    ] as const) {
      assert.equal(codeOf(await h.server[method](path, init)), '4.05', `${method} ${path}`);
    }
    assert.equal(codeOf(await h.server.request(CoapCode.PATCH, '/3/0')), '4.05');
    const h10 = await startEngine(t, { version: '1.0' });
    assert.equal(codeOf(await h10.server.fetch(['/3/0'], CF.SENML_JSON)), '4.05');
  });

  test('4.05 for application-owned read-only data and read-only resources in an instance write, with nothing applied', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.set('/1/0/3', 10, { readOnly: true });
    assert.equal(codeOf(await h.server.put('/1/0/3', { format: 0, payload: '20' })), '4.05');
    const payload = encode(
      [
        { path: LwM2mPath.parse('/1/0/0'), value: 9 },
        { path: LwM2mPath.parse('/1/0/1'), value: 5 },
      ],
      { format: CF.TLV, basePath: '/1/0', definitions: h.engine.catalogue },
    );
    assert.equal(codeOf(await h.server.post('/1/0', { format: CF.TLV, payload })), '4.05');
    assert.equal(h.engine.registry.get('/1/0/1'), 86400, 'nothing applied');
  });

  test('4.00 Bad Request for payloads, arguments and attributes, with nothing applied', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.onExecute('/3/0/5', () => undefined);
    for (const [method, path, init] of [
      ['put', '/1/0/1', { format: 0, payload: 'abc' }],
      ['put', '/1/0/6', { format: 0, payload: '2' }],
      ['put', '/1/0', { format: CF.TLV, payload: Uint8Array.of(0xff, 0xff) }],
      ['put', '/1/0', { format: CF.SENML_JSON, payload: '[{"n":"/3/0/0","vs":"x"}]' }],
      ['post', '/3/0/5', { payload: "0='a" }],
      ['put', '/3/0', { query: 'pmin=10&pmax=5' }],
      ['put', '/3/0/7', { query: 'lt=5&gt=1' }],
      ['put', '/3/0/0', { query: 'gt=1' }],
      ['put', '/3/0', { query: 'foo=1' }],
      ['put', '/3/0', { query: 'pmin=x' }],
      ['get', '/3/0/7/0', { accept: 40 }],
      ['get', '/3', { accept: 40, query: 'depth=7' }],
      ['request-fetch-empty', '/', {}],
    ] as const) {
      const r = method === 'request-fetch-empty' ? await h.server.fetch([], CF.SENML_JSON) : await h.server[method](path, init);
      assert.equal(codeOf(r), '4.00', `${method} ${path} ${JSON.stringify(init)}`);
    }
    assert.equal(h.engine.registry.get('/1/0/1'), 86400);
    assert.equal(h.engine.registry.get('/1/0/6'), false);
    // A validate callback rejecting one value of a multi-resource write: nothing is applied.
    h.engine.registry.onValidate('/1/0/3', () => {
      throw new LwM2mStatusError(0x80, 'pmax refused');
    });
    const payload = encode(
      [
        { path: LwM2mPath.parse('/1/0/2'), value: 7 },
        { path: LwM2mPath.parse('/1/0/3'), value: 8 },
      ],
      { format: CF.SENML_CBOR, basePath: '/1/0', definitions: h.engine.catalogue },
    );
    assert.equal(codeOf(await h.server.post('/1/0', { format: CF.SENML_CBOR, payload })), '4.00');
    assert.equal(h.engine.registry.get('/1/0/2'), 1);
    const h10 = await startEngine(t, { version: '1.0' });
    assert.equal(codeOf(await h10.server.get('/3/0/7/0')), '4.00');
    assert.equal(codeOf(await h10.server.put('/3/0', { query: 'epmin=1' })), '4.00');
  });

  test('4.06 Not Acceptable and 4.15 Unsupported Content-Format', async (t) => {
    const h = await startEngine(t);
    for (const [path, accept] of [['/3/0', 0], ['/3/0/7', 60], ['/3/0', 9999], ['/3/0', 11544], ['/3/0/0', 42]] as const) {
      assert.equal(codeOf(await h.server.get(path, { accept })), '4.06', `${path} ${accept}`);
    }
    assert.equal(codeOf(await h.server.fetch(['/3/0'], CF.SENML_JSON, { accept: CF.TLV })), '4.06');
    for (const [method, path, format] of [['put', '/1/0', 0], ['put', '/1/0/1', 9999], ['post', '/1/0', 42], ['post', '/3/0/4', 112]] as const) {
      assert.equal(codeOf(await h.server[method](path, { format, payload: '1' })), '4.15', `${method} ${path} ${format}`);
    }
    assert.equal(codeOf(await h.server.request(CoapCode.FETCH, '/', { format: CF.TLV, payload: Uint8Array.of(0) })), '4.15');
    assert.equal(codeOf(await h.server.request(CoapCode.IPATCH, '/', { format: CF.TEXT, payload: '1' })), '4.15');
    const h10 = await startEngine(t, { version: '1.0' });
    assert.equal(codeOf(await h10.server.get('/3/0', { accept: CF.SENML_CBOR })), '4.06');
    assert.equal(codeOf(await h10.server.put('/1/0/1', { format: CF.CBOR, payload: Uint8Array.of(1) })), '4.15');
  });

  test('5.00 for a failing callback, 5.01 for an executable nothing implements', async (t) => {
    const h = await startEngine(t);
    const errors: Error[] = [];
    h.engine.on('error', (e) => errors.push(e));
    h.engine.registry.onRead('/3/0/10', () => {
      throw new TypeError('sensor unplugged');
    });
    assert.equal(codeOf(await h.server.get('/3/0/10')), '5.00');
    assert.equal(errors[0]?.message, 'sensor unplugged');
    h.engine.registry.create('/5/0', { 1: '', 3: 0, 5: 0 });
    assert.equal(codeOf(await h.server.post('/5/0/2')), '5.01', 'Update is mandatory but not implemented');
    const r = await h.server.get('/3/0');
    assert.equal(codeOf(r), '2.05', 'an object read skips a failing resource');
    assert.ok(!h.server.values(r, '/3/0').has('/3/0/10'));
  });
});

describe('Discover', () => {
  test('depth limits how far links go (1.1)', async (t) => {
    const h = await startEngine(t);
    const keys = async (path: string, query?: string): Promise<string[]> => [...h.server.links(await h.server.get(path, { accept: CF.LINK, query })).keys()];
    assert.deepEqual(await keys('/3', 'depth=0'), ['/3']);
    assert.deepEqual(await keys('/3', 'depth=1'), ['/3', '/3/0']);
    assert.equal((await keys('/3', 'depth=2')).length, 15, '/3, /3/0 and the 13 present resources');
    assert.deepEqual(await keys('/3/0/6', 'depth=0'), ['/3/0/6']);
    assert.deepEqual(await keys('/3/0/6'), ['/3/0/6', '/3/0/6/0', '/3/0/6/1']);
    const h10 = await startEngine(t, { version: '1.0' });
    assert.deepEqual([...h10.server.links(await h10.server.get('/3/0/6', { accept: CF.LINK })).keys()], ['/3/0/6'], '1.0: no resource-instance links');
  });
});

describe('Block1 writes of an Opaque resource', () => {
  test('a firmware image arrives block by block with the seed block context', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.create('/5/0', { 1: '', 3: 0, 5: 0 });
    const blocks: { offset: number; last: boolean; total: number | undefined; size: number }[] = [];
    const image = new Uint8Array(5000).map((_, i) => i & 0xff);
    const received = new Uint8Array(5000);
    h.engine.registry.onPostWrite('/5/0/0', (v, ctx) => {
      const b = ctx.block!;
      blocks.push({ offset: b.offset, last: b.last, total: b.totalSize, size: (v as Uint8Array).byteLength });
      received.set(v as Uint8Array, b.offset);
    });
    const r = await h.server.endpoint.request(
      h.client.local,
      { code: CoapCode.PUT, options: (await import('../../src/coap/options.ts')).buildOptions({ uriPath: '/5/0/0', contentFormat: CF.OPAQUE, size1: 5000 }), payload: image },
      { blockSize: 1024 },
    );
    assert.equal(codeOf(r), '2.04');
    assert.deepEqual(blocks.map((b) => [b.offset, b.last, b.total, b.size]), [
      [0, false, 5000, 1024],
      [1024, false, 5000, 1024],
      [2048, false, 5000, 1024],
      [3072, false, 5000, 1024],
      [4096, true, 5000, 904],
    ]);
    assert.deepEqual(received, image);
    assert.equal(h.engine.registry.get('/5/0/0'), undefined, 'streamed blocks are not stored');
  });

  test('a one-piece opaque write gets block 0, last, with the total size; a refusing callback stops the transfer', async (t) => {
    const h = await startEngine(t);
    h.engine.registry.create('/5/0', { 1: '', 3: 0, 5: 0 });
    const seen: string[] = [];
    h.engine.registry.onValidate('/5/0/0', (_v, ctx) => {
      seen.push(`${ctx.block!.offset}/${String(ctx.block!.last)}/${String(ctx.block!.totalSize)}`);
      if (ctx.block!.offset >= 1024) throw new LwM2mStatusError(0x8d, 'too big');
    });
    h.engine.registry.onPostWrite('/5/0/0', () => undefined);
    assert.equal(codeOf(await h.server.put('/5/0/0', { format: CF.OPAQUE, payload: Uint8Array.of(1, 2, 3) })), '2.04');
    const r = await h.server.endpoint.request(
      h.client.local,
      { code: CoapCode.PUT, options: (await import('../../src/coap/options.ts')).buildOptions({ uriPath: '/5/0/0', contentFormat: CF.OPAQUE }), payload: new Uint8Array(3000) },
      { blockSize: 1024 },
    );
    assert.equal(codeOf(r), '4.13');
    assert.deepEqual(seen, ['0/true/3', '0/false/3000', '1024/false/3000'], 'Size1 gives the total');
  });
});
