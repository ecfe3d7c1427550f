/**
 * The shell in-process: tab completion of commands and of the paths the registry holds, word
 * splitting with quotes, the `lwm2m` prefix, what a session refuses without a server, and the data
 * model carried over when `start` renames the client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClientSession, copyData, formatEvent } from '../../src/cli/client-session.ts';
import { parseClientArgs } from '../../src/cli/client-options.ts';
import { Shell, tokenize } from '../../src/cli/shell/shell.ts';
import { LwM2mClient } from '../../src/client/client.ts';
import { createSocket } from 'node:dgram';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';
import { CoapCode, CoapOption, CoapType } from '../../src/coap/message.ts';

function session(t: { after: (fn: () => Promise<void>) => void }, args: string[] = []): ClientSession {
  const lines: string[] = [];
  const s = new ClientSession(parseClientArgs(args, 'shell')!, { log: (l) => lines.push(l), driftPeriodMs: 60_000 });
  t.after(() => s.close());
  return s;
}

test('tokenize: quotes group words', () => {
  assert.deepEqual(tokenize(`write /3/0/14 "a b \\"c\\"" 'd e'  f`), ['write', '/3/0/14', 'a b "c"', 'd e', 'f']);
  assert.deepEqual(tokenize('   '), []);
});

test('tab completion: command names, then the objects, instances, resources and resource instances present', (t) => {
  const s = session(t, ['--server', 'coap://127.0.0.1:9']);
  const shell = new Shell(s);
  assert.deepEqual(shell.complete('re'), [['read', 'resume'], 're']);
  assert.deepEqual(shell.complete('lwm2m wr'), [['write'], 'wr']);
  assert.deepEqual(shell.complete(''), [[...shell.commands.keys()], '']);
  assert.deepEqual(shell.complete('read '), [['/0/', '/1/', '/3/', '/4/', '/7/', '/19/', '/3303/'], '']);
  assert.deepEqual(shell.complete('read /33'), [['/3303/'], '/33']);
  assert.deepEqual(shell.complete('read 3'), [['3/', '3303/'], '3']);
  assert.deepEqual(shell.complete('read /3303/'), [['/3303/0/'], '/3303/']);
  const device = shell.complete('exec /3/0/')[0];
  for (const p of ['/3/0/0', '/3/0/4', '/3/0/5', '/3/0/6/', '/3/0/11/', '/3/0/12', '/3/0/14']) assert.ok(device.includes(p), `${p} in ${device.join(' ')}`);
  assert.ok(!device.includes('/3/0/7'), 'a resource without data and not executable is not offered');
  assert.deepEqual(shell.complete('read /3/0/1'), [device.filter((p) => p.startsWith('/3/0/1')), '/3/0/1']);
  assert.deepEqual(shell.complete('read /3/0/11/'), [['/3/0/11/0'], '/3/0/11/']);
  assert.deepEqual(shell.complete('send /3/0/9 /1/'), [['/1/0/'], '/1/']);
  assert.deepEqual(shell.complete('read /3/0/9 -'), [[], '-'], 'only the first argument of read is a path');
  assert.deepEqual(shell.complete('read /x/'), [[], '/x/']);
  assert.deepEqual(shell.complete('read /9/0/'), [[], '/9/0/']);
  assert.deepEqual(shell.complete('help wr'), [['write'], 'wr']);
  assert.deepEqual(shell.complete('stop '), [[], '']);
});

test('shell lines: the lwm2m prefix, help, and what needs a server', async (t) => {
  const s = session(t);
  const shell = new Shell(s);
  const help = await shell.execute('lwm2m');
  assert.equal(help.ok, true);
  assert.match(help.text, /^lwm2m - LwM2M commands\nSubcommands:\n {2}send {4}:send PATHS\n/);
  assert.deepEqual(await shell.execute(''), { ok: true, text: '' });
  assert.deepEqual(await shell.execute('lwm2m read /3/0/9 -u8'), { ok: true, text: '100' });
  assert.deepEqual(await shell.execute('start dev'), { ok: false, text: 'error: start: no server configured: run lwm2m shell with --server URI' });
  assert.deepEqual(await shell.execute('update'), { ok: false, text: 'error: update: the client is not started' });
  assert.deepEqual(await shell.execute('resume'), { ok: false, text: 'error: resume: the client is not started' });
  assert.equal(s.client.endpointName, 'lwm2m-shell');
});

test('starting under another endpoint name carries the data model over', async (t) => {
  const s = session(t, ['--server', 'coap://127.0.0.1:9', '--endpoint', 'first']);
  const shell = new Shell(s);
  assert.equal((await shell.execute('write /3/0/14 +07:00')).ok, true);
  assert.equal((await shell.execute('create /3303/5')).ok, true);
  assert.equal((await shell.execute('delete /3303/0')).ok, true);
  const before = s.client;
  assert.deepEqual(await shell.execute('start second'), { ok: true, text: 'started second' });
  assert.notEqual(s.client, before);
  assert.equal(s.client.endpointName, 'second');
  assert.equal(s.client.get('/3/0/14'), '+07:00');
  assert.deepEqual(s.client.registry.instanceIds(3303), [5]);
  assert.equal(s.client.get('/0/0/0'), 'coap://127.0.0.1:9');
  assert.deepEqual((await shell.execute('start third')).text, 'error: start: the client is already started (stop it first)');
  assert.deepEqual(await shell.execute('stop -f'), { ok: true, text: 'stopped (forced, no De-register)' });
});

test('copyData: values and instances follow, multiple resources included', async (t) => {
  const a = new LwM2mClient({ endpoint: 'a' });
  const b = new LwM2mClient({ endpoint: 'b' });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  a.create('/3/0', { 0: 'maker', 11: [1, 2] });
  a.create('/3303/2', { 5700: 1.5 });
  b.create('/3303/0', { 5700: 3 });
  copyData(a.registry, b.registry);
  assert.equal(b.get('/3/0/0'), 'maker');
  assert.deepEqual([...(b.get('/3/0/11') as ReadonlyMap<number, number>)], [
    [0, 1],
    [1, 2],
  ]);
  assert.deepEqual(b.registry.instanceIds(3303), [2]);
  assert.equal(b.get('/3303/2/5700'), 1.5);
});

test('event lines carry the short server id and the reason', () => {
  assert.equal(formatEvent({ type: 'REGISTRATION_COMPLETE', ssid: 1 }), 'event REGISTRATION_COMPLETE ssid=1');
  assert.equal(formatEvent({ type: 'REGISTRATION_FAILURE', ssid: 2, reason: '4.03 Forbidden' }), 'event REGISTRATION_FAILURE ssid=2 reason="4.03 Forbidden"');
  assert.equal(formatEvent({ type: 'BOOTSTRAP_REG_COMPLETE' }), 'event BOOTSTRAP_REG_COMPLETE');
});

test('any line gets an answer, never an exception: errors are one "error:" message (property)', async (t) => {
  const s = session(t);
  const shell = new Shell(s);
  const word = fc.oneof(
    fc.constantFrom(...shell.commands.keys(), 'lwm2m', 'bogus'),
    fc.constantFrom('/3/0/0', '/3/0/9', '/3/0/11', '/3/0/11/0', '/3/0/4', '/3/0/12', '/3303/0/5700', '/3303/0/5605', '/3303/1', '/3/0', '/3', '/', '3/0/14', '/1/0/1', '/0/0/0', '/19/0', '/4/0/4/0', '/65535/0', '/3/0/x', '//', '/3/0/0/0/0'),
    fc.constantFrom('-x', '-s', '-b', '-f', '-t', '-u8', '-s64', '-u12', '-q', '-', '--', '-b1'),
    fc.constantFrom('0', '1', '-1', '300', '1.5', 'nan', 'true', '0x00ff', '3:0', '2024-01-01T00:00:00Z', '', "0='x'", '18446744073709551616'),
    fc.string({ maxLength: 6 }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(word, { minLength: 0, maxLength: 5 }), async (words) => {
      const line = words.map((w) => (/\s|^$/.test(w) ? `"${w.replace(/["\\]/g, '\\$&')}"` : w)).join(' ');
      const result = await shell.execute(line);
      assert.equal(typeof result.text, 'string');
      assert.equal(result.ok, !result.text.startsWith('error: '), line);
      if (!result.ok) assert.doesNotMatch(result.text, /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|\bat .*\.ts:\d+/, line);
    }),
    { numRuns: 400 },
  );
  if (s.registry.locked) shell.execute('unlock');
});

test('stop gives up on a De-register nobody answers, and the client can start again', async (t) => {
  // A server that accepts the Register and then never answers again.
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  let answered = false;
  silent.on('message', (data, rinfo) => {
    if (answered) return;
    answered = true;
    const request = parse(data);
    const location = ['rd', 'quiet'].map((v) => ({ number: CoapOption.LOCATION_PATH, value: new TextEncoder().encode(v) }));
    const reply = serialize({ type: CoapType.ACK, code: CoapCode.CREATED, messageId: request.messageId, token: request.token, options: location, payload: new Uint8Array(0) });
    silent.send(reply, rinfo.port, rinfo.address);
  });
  const lines: string[] = [];
  const s = new ClientSession(parseClientArgs(['--server', `coap://127.0.0.1:${silent.address().port}`, '--endpoint', 'silent'], 'shell')!, {
    log: (l) => lines.push(l),
    driftPeriodMs: 60_000,
    stopTimeoutMs: 300,
  });
  t.after(() => s.close());
  const registered = s.client.next('event', (e) => e.type === 'REGISTRATION_COMPLETE');
  await s.start();
  await registered;
  const before = s.client;
  await s.stop();
  assert.ok(lines.includes('error: the De-register got no answer in time; closing without it'), lines.join('\n'));
  assert.notEqual(s.client, before, 'a fresh client took over');
  assert.equal(s.client.endpointName, 'silent');
  assert.equal(s.started, false);
  assert.equal(s.client.get('/3/0/0'), 'lwm2m-ts');
  await s.start();
  assert.equal(s.started, true);
  await s.stop({ force: true });
});
