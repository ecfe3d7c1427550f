/**
 * Interop regression: the `lwm2m server` console against AVSystem Anjay's demo client (3.14.0,
 * LwM2M 1.2, SenML CBOR preferred). Anjay's Register and Create responses are replayed byte for byte
 * (only the message id and token are those of our request).
 *
 * A Create of an instance without resources (`create anj1 /33605 --id 4`) used to go as an empty
 * SenML CBOR array (0x80): a SenML Pack holds one or more records (RFC 8428 section 2), so the
 * requested instance id was silently dropped and Anjay answered 4.00. Only TLV can carry an
 * instance without resources (an Object Instance TLV of length 0, LwM2M Core 1.1.1 7.4.3), so such
 * a Create now goes as TLV; an explicit non-TLV format is refused before anything is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerConsole } from '../server/_console.ts';
import type { CoapMessage } from '../../src/coap/message.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { RawClient, hex, utf8 } from '../server/_raw-client.ts';

/** Anjay's Register: POST /rd?lwm2m=1.2&ep=anj1&lt=60, objects incl. </33605> (no instances). */
const REGISTER =
  '48026251042df3914dd7fea9b272641128396c776d326d3d312e320765703d616e6a31056c743d3630ff3c2f312f313e2c3c2f323e2c3c2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f362f303e2c3c2f372f303e2c3c2f31303e3b7665723d312e312c3c2f31302f303e2c3c2f31313e2c3c2f31363e2c3c2f31393e2c3c2f32302f303e2c3c2f333330332f303e2c3c2f333331332f303e2c3c2f333334372f303e2c3c2f33333630353e2c3c2f33333630362f303e2c3c2f33333630372f303e2c3c2f33333630383e2c3c2f33333630392f303e';
/** Anjay's answer to Create on /33605 with instance 3: ACK 2.01, Location-Path 33605/3. */
const CREATED_3 = '6841fdf82b06fa54118175438533333630350133';
/** Anjay's answer to Create on /33605 with instance 4: ACK 2.01, Location-Path 33605/4. */
const CREATED_4 = '68417c1643a68dc5bc017d9f8533333630350134';

/** Anjay's datagram with the message id and token of `req` (same token length). */
function replayAck(template: string, req: CoapMessage): Buffer {
  const b = Buffer.from(template, 'hex');
  assert.equal(b[0]! & 0x0f, req.token.length, 'token length of the replayed datagram');
  b.writeUInt16BE(req.messageId, 2);
  Buffer.from(req.token).copy(b, 4);
  return b;
}

const uriPath = (m: CoapMessage): string => '/' + m.options.filter((o) => o.number === 11).map((o) => utf8(o.value)).join('/');
const contentFormat = (m: CoapMessage): string[] => m.options.filter((o) => o.number === 12).map((o) => hex(o.value));

test('console create against Anjay: an instance without resources goes as an empty instance TLV', async (t) => {
  const { stdin, waitFor, port, output } = await startServerConsole(t);
  const raw = await RawClient.open({ address: '127.0.0.1', port });
  t.after(async () => {
    if (process.env.DUMP) console.log(output());
    await raw.close();
  });
  raw.sendRaw(Buffer.from(REGISTER, 'hex'));
  assert.equal((await raw.recv()).msg.code, CoapCode.CREATED);
  await waitFor(/registered anj1 .*lwm2m=1\.2/);

  // With resources: SenML CBOR (the 1.2 default), exactly the bytes Anjay accepted with 2.01.
  stdin.write('create anj1 /33605 12=5 --id 3\n');
  const withValues = (await raw.recv()).msg;
  assert.equal(withValues.code, CoapCode.POST);
  assert.equal(uriPath(withValues), '/33605');
  assert.deepEqual(contentFormat(withValues), ['70'], 'Content-Format 112');
  assert.equal(hex(withValues.payload), '81a321672f33333630352f0064332f31320205');
  raw.sendRaw(replayAck(CREATED_3, withValues));
  await waitFor(/create anj1 \/33605: 2\.01 Created \/33605\/3/);

  // Without resources: TLV 00 04 (Object Instance 4, length 0); before the fix: SenML CBOR 0x80.
  stdin.write('create anj1 /33605 --id 4\n');
  const empty = (await raw.recv()).msg;
  assert.equal(empty.code, CoapCode.POST);
  assert.equal(uriPath(empty), '/33605');
  assert.deepEqual(contentFormat(empty), ['2d16'], 'Content-Format 11542 (TLV)');
  assert.equal(hex(empty.payload), '0004');
  raw.sendRaw(replayAck(CREATED_4, empty));
  await waitFor(/create anj1 \/33605: 2\.01 Created \/33605\/4/);

  // A 16-bit instance id takes the 16-bit id form of the TLV type byte.
  stdin.write('create anj1 /33605 --id 300\n');
  const wide = (await raw.recv()).msg;
  assert.equal(hex(wide.payload), '20012c');
  raw.reply(wide, CoapCode.CREATED, { locationPath: ['33605', '300'] });
  await waitFor(/create anj1 \/33605: 2\.01 Created \/33605\/300/);

  // Without --id: an empty TLV payload, the client assigns the id and names it in Location-Path.
  stdin.write('create anj1 /33605\n');
  const free = (await raw.recv()).msg;
  assert.deepEqual(contentFormat(free), ['2d16']);
  assert.equal(free.payload.length, 0);
  raw.reply(free, CoapCode.CREATED, { locationPath: ['33605', '0'] });
  await waitFor(/create anj1 \/33605: 2\.01 Created \/33605\/0/);

  // An explicit SenML format cannot carry the id: a clear error, and nothing goes on the wire.
  stdin.write('create anj1 /33605 --id 5 --format senml-cbor\n');
  await waitFor(/error: create: .*needs TLV/);
  stdin.write('create anj1 /33605 --id 6 --format tlv\n');
  const next = (await raw.recv()).msg;
  assert.equal(hex(next.payload), '0006', 'the refused create sent nothing: the next datagram is the TLV create');
  raw.reply(next, CoapCode.CREATED, { locationPath: ['33605', '6'] });
  await waitFor(/create anj1 \/33605: 2\.01 Created \/33605\/6/);
});
