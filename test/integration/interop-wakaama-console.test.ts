/**
 * Interop regression: the `lwm2m server` console against Eclipse Wakaama's example client built for
 * LwM2M 1.0 (commit fc4c431), whose test object 31024 (1: integer, 3: float, 5: string) the server
 * has no definition of. Wakaama's Register datagram is replayed byte for byte. The console used to
 * send such values as TLV strings ("11" as two bytes 0x3131 for an integer, "11.5" as four ASCII bytes
 * that the client stored as a float), silently wrong data: a single-resource write of an undefined
 * resource now goes as plain text (LwM2M Core 7.4.1), and create values are typed from their literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServerConsole } from '../server/_console.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { RawClient, hex, utf8 } from '../server/_raw-client.ts';

/** Wakaama 1.0's Register: POST /rd?lwm2m=1.0&ep=wk1&b=U&lt=300, objects incl. </31024>;ver=1.0 and three instances. */
const REGISTER =
  '4402c57e7ec56f3fb272641128396c776d326d3d312e300665703d776b3103623d55066c743d333030ff3c2f3e3b72743d226f6d612e6c776d326d222c3c2f312f303e2c3c2f322f303e2c3c2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f362f303e2c3c2f372f303e2c3c2f33313032343e3b7665723d312e302c3c2f33313032342f31303e2c3c2f33313032342f31313e2c3c2f33313032342f31323e';

test('console write/create on an undefined vendor object of a 1.0 client: text/plain single values, typed TLV instances', async (t) => {
  const { stdin, waitFor, port } = await startServerConsole(t);
  const raw = await RawClient.open({ address: '127.0.0.1', port });
  t.after(async () => {
    await raw.close();
  });
  raw.sendRaw(Buffer.from(REGISTER, 'hex'));
  assert.equal((await raw.recv()).msg.code, CoapCode.CREATED);
  await waitFor(/registered wk1 /);

  const cases: [string, string, string][] = [
    ['write wk1 /31024/10/1 11', '/31024/10/1', '11'],
    ['write wk1 /31024/10/3 11.5', '/31024/10/3', '11.5'],
    ['write wk1 /31024/10/5 s11', '/31024/10/5', 's11'],
  ];
  for (const [command, path, text] of cases) {
    stdin.write(command + '\n');
    const put = await raw.recv();
    assert.equal(put.msg.code, CoapCode.PUT, command);
    assert.equal('/' + put.msg.options.filter((o) => o.number === 11).map((o) => utf8(o.value)).join('/'), path);
    assert.deepEqual(put.msg.options.filter((o) => o.number === 12).map((o) => hex(o.value)), [''], `${command}: Content-Format 0 (text/plain)`);
    assert.equal(utf8(put.msg.payload), text);
    raw.reply(put.msg, CoapCode.CHANGED);
    await waitFor(new RegExp(`write wk1 ${path}: 2\\.04`));
  }

  // An explicit --format still wins; the value is typed from its literal.
  stdin.write('write wk1 /31024/10/1 12 --format tlv\n');
  const tlv = await raw.recv();
  assert.equal(hex(tlv.msg.payload), 'c1010c');
  raw.reply(tlv.msg, CoapCode.CHANGED);

  // Create in the 1.0 default (TLV): integer 20 in one byte, 1.5 as a float (Core 7.4.3), not ASCII.
  stdin.write('create wk1 /31024 1=20 3=1.5 --id 20\n');
  const post = await raw.recv();
  assert.equal(post.msg.code, CoapCode.POST);
  assert.equal(hex(post.msg.payload), '081409' + 'c10114' + 'c4033fc00000'); // instance 20, resources 1 and 3
  raw.reply(post.msg, CoapCode.CREATED, { locationPath: ['31024', '20'] });
  await waitFor(/create wk1 \/31024: 2\.01/);
});
