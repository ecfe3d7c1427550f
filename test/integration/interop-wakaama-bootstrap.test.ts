/**
 * Interop regression: Eclipse Wakaama's example client built for LwM2M 1.0 (commit fc4c431,
 * `lwm2mclient -b`) bootstrapping from our bootstrap server. Its datagrams are replayed byte for
 * byte (only the message ID and token of each reply follow our request, as a peer's would). Its
 * Bootstrap-Discover payload starts with the bare `lwm2m=1.0` attribute (the pre-1.1.1 form, LwM2M
 * Core 5.2.7.3) instead of `</>;lwm2m=1.0`; the sequence used to fail there with "invalid link-format".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { CoapCode, type CoapMessage } from '../../src/coap/message.ts';
import { ContentFormat, linkAttributes } from '../../src/codec/index.ts';
import { RawClient, hex } from '../server/_raw-client.ts';

/** Wakaama's Bootstrap-Request: CON POST MID 0xcc5f token 5fcce03f, Uri-Path "bs", Uri-Query "ep=wkb". */
const BOOTSTRAP_REQUEST = '4402cc5f5fcce03fb262734665703d776b62';
/** Wakaama's Bootstrap-Discover answer after the header and token: Content-Format 40, then the payload. */
const DISCOVER_ANSWER =
  'c128ff' +
  Buffer.from('lwm2m=1.0,</0/0>,</1/0>;ssid=123,</2/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</31024>;ver=1.0,</31024/10>,</31024/11>,</31024/12>').toString('hex');

const CONFIG = {
  endpoints: {
    wkb: {
      discover: true,
      delete: ['/0', '/1'],
      // Bootstrap-Read is 1.1: skipped for this 1.0 client (Wakaama 1.0 answers it 4.00).
      read: ['/1'],
      security: { '1': { uri: 'coap://127.0.0.1:19163', securityMode: 'nosec', shortServerId: 7 } },
      servers: { '1': { shortServerId: 7, lifetime: 120, binding: 'U' } },
    },
  },
};

/** Wakaama's piggybacked ACK: TKL of the request, the code, its MID and token, then `rest` (hex). */
function ack(to: CoapMessage, code: number, rest = ''): Uint8Array {
  const head = Buffer.from([0x60 | to.token.length, code, to.messageId >> 8, to.messageId & 0xff]);
  return Buffer.concat([head, Buffer.from(to.token), Buffer.from(rest, 'hex')]);
}

function uri(msg: CoapMessage): string {
  return '/' + msg.options.filter((o) => o.number === 11).map((o) => new TextDecoder().decode(o.value)).join('/');
}

test('Wakaama 1.0 client: Bootstrap-Discover answered with a bare lwm2m=1.0 head, then Delete, TLV Writes and Finish complete', async (t) => {
  const server = await BootstrapServer.start({ address: '127.0.0.1', config: parseBootstrapConfig(CONFIG) });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  const finished = server.next('finished');
  const failed: unknown[] = [];
  server.on('failed', (e) => failed.push(e));

  raw.sendRaw(Buffer.from(BOOTSTRAP_REQUEST, 'hex'));
  assert.equal(hex((await raw.recv()).data), '6444cc5f5fcce03f'); // ACK 2.04, MID and token echoed

  const disc = await raw.recv();
  assert.equal(disc.msg.code, CoapCode.GET);
  assert.equal(uri(disc.msg), '/');
  assert.deepEqual(
    disc.msg.options.filter((o) => o.number === 17).map((o) => hex(o.value)),
    ['28'],
    'Accept: application/link-format',
  );
  raw.sendRaw(ack(disc.msg, CoapCode.CONTENT, DISCOVER_ANSWER));

  for (const path of ['/0', '/1']) {
    const del = await raw.recv();
    assert.equal(del.msg.code, CoapCode.DELETE);
    assert.equal(uri(del.msg), path);
    raw.sendRaw(ack(del.msg, CoapCode.DELETED));
  }
  const sec = await raw.recv();
  assert.equal(uri(sec.msg), '/0/1');
  assert.equal(hex(sec.msg.payload), 'c80016' + Buffer.from('coap://127.0.0.1:19163').toString('hex') + 'c10100c10203c10a07');
  raw.sendRaw(ack(sec.msg, CoapCode.CHANGED));
  const srv = await raw.recv();
  assert.equal(uri(srv.msg), '/1/1');
  assert.equal(hex(srv.msg.payload), 'c10007c10178c10601c10755');
  raw.sendRaw(ack(srv.msg, CoapCode.CHANGED));
  const fin = await raw.recv();
  assert.equal(fin.msg.code, CoapCode.POST);
  assert.equal(uri(fin.msg), '/bs');
  raw.sendRaw(ack(fin.msg, CoapCode.CHANGED));

  const { result } = await finished;
  assert.deepEqual(failed, []);
  assert.deepEqual(result.steps, ['DISCOVER /', 'DELETE /0', 'DELETE /1', 'WRITE /0/1', 'WRITE /1/1', 'SKIP READ /1 (LwM2M 1.0 client)', 'FINISH']);
  assert.equal(result.format, ContentFormat.TLV);
  const links = result.discovered ?? [];
  assert.equal(links.length, 13);
  const [root, , server1] = links;
  assert.ok(root !== undefined && server1 !== undefined);
  assert.equal(root.target, '/');
  assert.equal(root.attributes.get('lwm2m'), '1.0');
  assert.equal(server1.target, '/1/0');
  assert.equal(linkAttributes(server1).ssid, 123);
  assert.equal(links.at(-1)?.target, '/31024/12');
});

test('a Bootstrap-Discover payload that is not link-format in either form still fails the sequence before any write', async (t) => {
  const server = await BootstrapServer.start({ address: '127.0.0.1', config: parseBootstrapConfig(CONFIG) });
  const raw = await RawClient.open(server.local);
  t.after(async () => {
    await raw.close();
    await server.close();
  });
  const failed = server.next('failed');
  raw.sendRaw(Buffer.from(BOOTSTRAP_REQUEST, 'hex'));
  await raw.recv();
  const disc = await raw.recv();
  raw.sendRaw(ack(disc.msg, CoapCode.CONTENT, 'c128ff' + Buffer.from('lwm2m=1.0 </0/0>').toString('hex')));
  const e = await failed;
  assert.equal(e.step, 'DISCOVER /');
  assert.match(e.error.message, /Bootstrap-Discover on 'wkb': invalid link-format/);
  assert.equal(await raw.quiet(100), undefined, 'no Delete, Write or Finish follows');
});
