/**
 * The bootstrap server over real UDP, in lockstep with a scripted raw-CoAP client (LwM2M Core
 * 1.1.1 6.1, Transport 1.1.1 6.3): Bootstrap-Request, then Discover / Delete / Write / Read /
 * Finish as configured, in TLV (no pct) or SenML CBOR (pct=112); failures; server-initiated bootstrap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { loadBootstrapConfig, parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { CoapCode, CoapType } from '../../src/coap/message.ts';
import { ContentFormat, decode, encode } from '../../src/codec/index.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { RequestRejectedError } from '../../src/errors.ts';
import { RawClient, hex } from '../server/_raw-client.ts';

const CONFIG = {
  endpoints: {
    'dev-1': {
      security: {
        '0': { uri: 'coaps://127.0.0.1:5684', securityMode: 'psk', publicKeyOrIdentity: 'dev-1', secretKey: { hex: '00112233' }, shortServerId: 1 },
      },
      servers: { '0': { shortServerId: 1, lifetime: 300, binding: 'U' } },
      acl: { '0': { objectId: 3, instanceId: 0, acl: { '1': 7 }, owner: 1 } },
      read: ['/1'],
    },
    'dev-disc': { discover: true, delete: ['/0', '/1'], servers: { '1': { shortServerId: 2 } } },
  },
};

const DEFS = ObjectCatalogue.builtin('1.1');

function records(payload: Uint8Array, format: number, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of decode(payload, { format, basePath: path, definitions: DEFS })) out[r.path.toString()] = r.value instanceof Uint8Array ? hex(r.value) : r.value;
  return out;
}

function uri(msg: { options: readonly { number: number; value: Uint8Array }[] }): string {
  return '/' + msg.options.filter((o) => o.number === 11).map((o) => new TextDecoder().decode(o.value)).join('/');
}

async function setup(t: { after: (fn: () => Promise<unknown>) => void }) {
  const server = await BootstrapServer.start({ address: '127.0.0.1', config: parseBootstrapConfig(CONFIG) });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  return { server, raw };
}

test('client-initiated bootstrap with pct=112: 2.04, Delete /, SenML CBOR writes of Security, Server, ACL, Read /1, Finish', async (t) => {
  const { server, raw } = await setup(t);
  const requested = server.next('request');
  raw.request(CoapCode.POST, { uriPath: '/bs', uriQuery: ['ep=dev-1', 'pct=112'] }, undefined, { messageId: 0x0bb0, token: Uint8Array.of(0xbe, 0xef) });
  assert.equal(hex((await raw.recv()).data), '62440bb0beef'); // ACK TKL2 2.04 MID 0x0bb0 token beef
  assert.equal((await requested).preferredFormat, ContentFormat.SENML_CBOR);
  const finished = server.next('finished');

  const del = await raw.recv();
  assert.equal(del.msg.type, CoapType.CON);
  assert.equal(del.msg.code, CoapCode.DELETE);
  assert.equal(uri(del.msg), '/');
  raw.reply(del.msg, CoapCode.DELETED);

  const sec = await raw.recv();
  assert.equal(sec.msg.code, CoapCode.PUT);
  assert.equal(uri(sec.msg), '/0/0');
  assert.deepEqual(records(sec.msg.payload, ContentFormat.SENML_CBOR, '/0/0'), {
    '/0/0/0': 'coaps://127.0.0.1:5684',
    '/0/0/1': false,
    '/0/0/2': 0,
    '/0/0/3': hex(new TextEncoder().encode('dev-1')),
    '/0/0/5': '00112233',
    '/0/0/10': 1,
  });
  raw.reply(sec.msg, CoapCode.CHANGED);

  const srv = await raw.recv();
  assert.equal(uri(srv.msg), '/1/0');
  assert.deepEqual(records(srv.msg.payload, ContentFormat.SENML_CBOR, '/1/0'), { '/1/0/0': 1, '/1/0/1': 300, '/1/0/6': true, '/1/0/7': 'U' });
  raw.reply(srv.msg, CoapCode.CHANGED);

  const acl = await raw.recv();
  assert.equal(uri(acl.msg), '/2/0');
  assert.deepEqual(records(acl.msg.payload, ContentFormat.SENML_CBOR, '/2/0'), { '/2/0/0': 3, '/2/0/1': 0, '/2/0/2/1': 7, '/2/0/3': 1 });
  raw.reply(acl.msg, CoapCode.CHANGED);

  const rd = await raw.recv();
  assert.equal(rd.msg.code, CoapCode.GET);
  assert.equal(uri(rd.msg), '/1');
  const body = encode([{ path: LwM2mPath.parse('/1/0/0'), value: 1 }, { path: LwM2mPath.parse('/1/0/1'), value: 300 }], { format: ContentFormat.SENML_CBOR, basePath: '/1', definitions: DEFS });
  raw.reply(rd.msg, CoapCode.CONTENT, { contentFormat: ContentFormat.SENML_CBOR }, body);

  const fin = await raw.recv();
  assert.equal(fin.msg.code, CoapCode.POST);
  assert.equal(uri(fin.msg), '/bs');
  assert.equal(fin.msg.payload.length, 0);
  raw.reply(fin.msg, CoapCode.CHANGED);

  const { result } = await finished;
  assert.equal(result.endpoint, 'dev-1');
  assert.equal(result.format, ContentFormat.SENML_CBOR);
  assert.deepEqual(result.steps, ['DELETE /', 'WRITE /0/0', 'WRITE /1/0', 'WRITE /2/0', 'READ /1', 'FINISH']);
  assert.deepEqual(result.read.get('/1')?.map((r) => r.value), [1, 300]);
  assert.deepEqual(server.activeSessions, []);
});

test('without pct the writes are TLV; Bootstrap-Discover first when configured', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/bs', uriQuery: ['ep=dev-disc'] });
  const finished = server.next('finished');
  const disc = await raw.recv();
  assert.equal(disc.msg.code, CoapCode.GET);
  assert.equal(uri(disc.msg), '/');
  raw.reply(disc.msg, CoapCode.CONTENT, { contentFormat: 40 }, '</>;lwm2m=1.1,</0/0>;ssid=101;uri="coap://bs:5683",</1>,</3/0>');
  for (const path of ['/0', '/1']) {
    const d = await raw.recv();
    assert.equal(d.msg.code, CoapCode.DELETE);
    assert.equal(uri(d.msg), path);
    raw.reply(d.msg, CoapCode.DELETED);
  }
  const w = await raw.recv();
  assert.equal(uri(w.msg), '/1/1');
  assert.equal(w.msg.options.find((o) => o.number === 12)?.value[0], 0x2d); // 11542 = 0x2d16
  // TLV: the resources of the instance (LwM2M Core 7.4.3), exactly as encoded.
  assert.deepEqual(records(w.msg.payload, ContentFormat.TLV, '/1/1'), { '/1/1/0': 2, '/1/1/1': 86400, '/1/1/6': true, '/1/1/7': 'U' });
  assert.equal(hex(w.msg.payload), 'c10002' + 'c40100015180' + 'c10601' + 'c10755');
  raw.reply(w.msg, CoapCode.CHANGED);
  const fin = await raw.recv();
  raw.reply(fin.msg, CoapCode.CHANGED);
  const { result } = await finished;
  assert.deepEqual(result.discovered?.map((l) => l.target), ['/', '/0/0', '/1', '/3/0']);
  assert.equal(result.format, ContentFormat.TLV);
});

test('Bootstrap-Request errors: missing ep, unknown endpoint 4.00, bad pct 4.00, unusable pct 4.15, wrong method/path', async (t) => {
  const { raw } = await setup(t);
  const cases: [string[], number][] = [
    [[], CoapCode.BAD_REQUEST],
    [['ep='], CoapCode.BAD_REQUEST],
    [['ep=unknown'], CoapCode.BAD_REQUEST],
    [['ep=dev-1', 'pct=abc'], CoapCode.BAD_REQUEST],
    [['ep=dev-1', 'pct=0'], CoapCode.UNSUPPORTED_CONTENT_FORMAT],
    [['ep=dev-1', 'ep=dev-2'], CoapCode.BAD_REQUEST],
  ];
  for (const [query, code] of cases) {
    const { reply } = await raw.exchange(CoapCode.POST, { uriPath: '/bs', uriQuery: query });
    assert.equal(reply.msg.code, code, query.join('&'));
  }
  assert.equal((await raw.exchange(CoapCode.GET, { uriPath: '/bs' })).reply.msg.code, CoapCode.METHOD_NOT_ALLOWED);
  assert.equal((await raw.exchange(CoapCode.POST, { uriPath: '/rd', uriQuery: ['ep=dev-1'] })).reply.msg.code, CoapCode.NOT_FOUND);
  assert.equal(await raw.quiet(50), undefined, 'no bootstrap sequence started');
});

test('a failing step stops the sequence (no Finish) with a failed event; Finish 4.06 fails too', async (t) => {
  const { server, raw } = await setup(t);
  await raw.exchange(CoapCode.POST, { uriPath: '/bs', uriQuery: ['ep=dev-1'] });
  const failed = server.next('failed');
  const del = await raw.recv();
  raw.reply(del.msg, CoapCode.DELETED);
  const sec = await raw.recv();
  raw.reply(sec.msg, CoapCode.BAD_REQUEST, {}, 'bad security');
  const ev = await failed;
  assert.equal(ev.step, 'WRITE /0/0');
  assert.ok(ev.error instanceof RequestRejectedError);
  assert.equal(ev.error.coapCode, CoapCode.BAD_REQUEST);
  assert.equal(await raw.quiet(100), undefined);

  // Server-initiated against the listening raw client; the client refuses Finish with 4.06.
  const run = server.bootstrap('dev-disc', { address: '127.0.0.1', port: raw.port }, { format: ContentFormat.SENML_JSON });
  const expectation = assert.rejects(run, (e: unknown) => e instanceof RequestRejectedError && e.coapCode === CoapCode.NOT_ACCEPTABLE);
  const disc = await raw.recv();
  raw.reply(disc.msg, CoapCode.CONTENT, { contentFormat: 40 }, '</0/0>');
  for (let i = 0; i < 3; i++) {
    const m = await raw.recv();
    if (m.msg.code === CoapCode.PUT) assert.equal(m.msg.options.find((o) => o.number === 12)?.value[0], ContentFormat.SENML_JSON);
    raw.reply(m.msg, m.msg.code === CoapCode.DELETE ? CoapCode.DELETED : CoapCode.CHANGED);
  }
  const fin = await raw.recv();
  assert.equal(uri(fin.msg), '/bs');
  raw.reply(fin.msg, CoapCode.NOT_ACCEPTABLE);
  await expectation;
});

test('a new Bootstrap-Request replaces a running sequence; configuration loads from a JSON file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-bs-'));
  writeFileSync(join(dir, 'key.bin'), Buffer.from('abcd', 'hex'));
  writeFileSync(join(dir, 'bs.json'), JSON.stringify({ default: { security: { '1': { uri: 'coap://x', secretKey: { file: 'key.bin' } } }, delete: [] } }));
  const config = loadBootstrapConfig(join(dir, 'bs.json'));
  const server = await BootstrapServer.start({ address: '127.0.0.1', config });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  await raw.exchange(CoapCode.POST, { uriPath: '/bs', uriQuery: ['ep=anyone'] });
  const first = await raw.recv();
  assert.equal(uri(first.msg), '/0/1');
  assert.equal(records(first.msg.payload, ContentFormat.TLV, '/0/1')['/0/1/5'], 'abcd');
  const failed = server.next('failed');
  // The client restarts bootstrapping before answering.
  await raw.exchange(CoapCode.POST, { uriPath: '/bs', uriQuery: ['ep=anyone'] });
  assert.equal((await failed).step, 'WRITE /0/1');
  const again = await raw.recv();
  assert.equal(uri(again.msg), '/0/1');
  raw.reply(again.msg, CoapCode.CHANGED);
  const finished = server.next('finished');
  const fin = await raw.recv();
  raw.reply(fin.msg, CoapCode.CHANGED);
  assert.deepEqual((await finished).result.steps, ['WRITE /0/1', 'FINISH']);
});
