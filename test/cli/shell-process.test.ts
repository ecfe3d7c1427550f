/**
 * `lwm2m shell` as a child process driven through piped stdin, against our LwM2mServer: every
 * command of the seed's shell (send, exec, read, write, create, delete, cache, start, stop, update,
 * pause, resume, lock, unlock, help) with good and bad input, checked on the shell's output, its
 * event lines and on the server's side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../src/server/server.ts';
import { Child } from './_child.ts';

test('lwm2m shell: every command, with bad input, against our server', async (t) => {
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const registered = server.next('registered');
  const child = new Child(['shell', '--server', `coap://127.0.0.1:${server.local.port}`, '--endpoint', 'shell-dev']);
  t.after(() => child.kill());
  const { registration } = await child.until(registered, 'registered');
  assert.equal(registration.endpoint, 'shell-dev');
  assert.deepEqual(
    registration.objects.map((o) => o.id),
    [1, 3, 4, 7, 19, 3303],
  );
  await child.wait('err', /^event REGISTRATION_COMPLETE ssid=1$/m);
  const ep = 'shell-dev';

  // help
  await child.command('help', /^lwm2m - LwM2M commands\nSubcommands:\n[\s\S]*^ {2}unlock {2}:unlock$/m);
  await child.command('help write', /^write PATH \[OPTIONS\] VALUE\n {2}Write into LwM2M resource\n {2}-s /m);
  await child.command('help nope', /^error: help: unknown command 'nope' \(try help\)$/m);
  await child.command('bogus 1 2', /^error: unknown command 'bogus' \(try help\)$/m);

  // read: every option, and every kind of bad input
  await child.command('read /3/0/0', /^00000000: 6c 77 6d 32 6d 2d 74 73 {25}\|lwm2m-ts\|$/m);
  await child.command('read /3/0/0 -x', /^00000000: 6c 77 6d 32 6d 2d 74 73 /m);
  await child.command('lwm2m read 3/0/0 -s', /^lwm2m-ts$/m);
  await child.command('read /3/0/9 -u8', /^100$/m);
  await child.command('read /3/0/9 -s64', /^100$/m);
  await child.command('read /3/0/9', /^00000000: 64 {46}\|d\|$/m);
  const [, seconds] = await child.command('read /3/0/13 -t', /^(\d+)$/m);
  assert.ok(Math.abs(Number(seconds) - Date.now() / 1000) < 60, `current time ${seconds}`);
  await child.command('read /3303/0/5700 -f', /^-?\d+(\.\d+)?$/m);
  await child.command('read /3/0/11 -u8', /^\/3\/0\/11\/0: 0$/m);
  await child.command('read /3/0/11/0 -s32', /^0$/m);
  await child.command('write /3/0/11/1 -u8 4', /^\/3\/0\/11\/1 <- integer 4$/m);
  await child.command('read /3/0/11 -b', /^error: read: \/3\/0\/11\/0 is an integer resource, not for -b: read it with -s64/m);
  await child.command('read /3/0/9 -f', /^error: read: \/3\/0\/9 is an integer resource, not for -f: read it with -s64/m);
  await child.command('read /3/0/0 -t', /^error: read: \/3\/0\/0 is a string resource, not for -t: read it with -s$/m);
  await child.command('read /3/0/9 -q', /^error: read: unknown option '-q' \(read takes -x, -s, -b, [^)]*\)\nusage: read PATH \[OPTIONS\]$/m);
  await child.command('read /3/0/99', /^error: read: object 3 \(Device\) has no resource 99$/m);
  await child.command('read /3/0', /^error: read: \/3\/0 is an object instance; give a resource or a resource instance path, e\.g\. /m);
  await child.command('read /3/7/0', /^error: read: \/3\/7 does not exist$/m);
  await child.command('read /9999/0/0', /^error: read: object 9999 is not defined in this client$/m);
  await child.command('read /3/0/4', /^error: read: \/3\/0\/4 \(Reboot\) is executable and holds no value to read; use exec$/m);
  await child.command('read /3/x/0', /^error: read: invalid path '\/3\/x\/0': 'x' is not an id$/m);
  await child.command('read /3/0/0/0', /^error: read: \/3\/0\/0 \(Manufacturer\) has a single instance; use \/3\/0\/0$/m);
  await child.command('read', /^error: read: missing arguments\nusage: read PATH \[OPTIONS\]$/m);
  await child.command('read /3/0/0 -s extra', /^error: read: too many arguments\nusage: read PATH \[OPTIONS\]$/m);

  // write: the server observes and reads what the shell wrote
  const observation = await server.observe(ep, '/3/0/14');
  const notes = observation[Symbol.asyncIterator]();
  await child.command('write /3/0/14 +02:00', /^\/3\/0\/14 <- string "\+02:00"$/m);
  assert.equal((await child.until(notes.next(), 'a notification')).value?.records[0]?.value, '+02:00');
  await child.command('write /3/0/14 -s "+03:00"', /^\/3\/0\/14 <- string "\+03:00"$/m);
  assert.equal((await child.until(notes.next(), 'a notification')).value?.records[0]?.value, '+03:00');
  await child.command('write /3/0/9 -s8 42', /^\/3\/0\/9 <- integer 42$/m);
  assert.equal((await server.read(ep, '/3/0/9')).records[0]?.value, 42);
  await child.command('write /3303/0/5750 -s kitchen', /^\/3303\/0\/5750 <- string "kitchen"$/m);
  assert.equal((await server.read(ep, '/3303/0/5750')).records[0]?.value, 'kitchen');
  await child.command('write /3303/0/5700 -f 19.25', /^\/3303\/0\/5700 <- float 19\.25$/m);
  await child.command('write /1/0/6 -b 1', /^\/1\/0\/6 <- boolean true$/m);
  await child.command('write /3/0/13 -t 1700000000', /^\/3\/0\/13 <- time 2023-11-14T22:13:20\.000Z \(1700000000\)$/m);
  await child.command('write /3/0/9 -u8 300', /^error: write: 300 is outside the -u8 range 0\.\.255$/m);
  await child.command('write /3/0/9 -s8 -5', /^error: write: \/3\/0\/9: -5 is outside/m);
  await child.command('write /3/0/9 -f 1.5', /^error: write: \/3\/0\/9 is an integer resource, not for -f: write it with -s64 \(or -s8\/-s16\/-s32\) or without an option$/m);
  await child.command('write /3/0/9 abc', /^error: write: invalid number 'abc'$/m);
  await child.command('write /3/0/9 -u16 12x', /^error: write: invalid number '12x'$/m);
  await child.command('write /1/0/6 -b 2', /^error: write: invalid boolean '2' \(1, 0, true or false\)$/m);
  await child.command('write /3/0/11 1', /^error: write: \/3\/0\/11 \(Error Code\) has several instances; write one of them, e\.g\. \/3\/0\/11\/0$/m);
  await child.command('write /3/0/14 -s', /^error: write: missing VALUE after -s\nusage: write PATH \[OPTIONS\] VALUE$/m);
  await child.command('write /3/0/14 -z x', /^error: write: unknown option '-z' \(write takes -s, -b, [^)]*\)\nusage: /m);
  await child.command('write /3/0/4 1', /^error: write: \/3\/0\/4 \(Reboot\) is executable and holds no value to write; use exec$/m);
  await child.command('write /3/0/14', /^error: write: missing arguments\nusage: write PATH \[OPTIONS\] VALUE$/m);

  // lock / unlock: two writes under the lock make one notification
  await child.command('lock', /^registry locked$/m);
  await child.command('write /3/0/14 +04:00', /^\/3\/0\/14 <- string "\+04:00"$/m);
  await child.command('write /3/0/14 +05:00', /^\/3\/0\/14 <- string "\+05:00"$/m);
  await child.command('unlock', /^registry unlocked$/m);
  assert.equal((await child.until(notes.next(), 'a notification')).value?.records[0]?.value, '+05:00');
  await child.command('unlock', /^error: unlock: the registry is not locked$/m);
  await child.command('lock now', /^error: lock: too many arguments\nusage: lock$/m);
  await observation.cancel();

  // create / delete: the server gets the new object list in an Update
  let updated = server.next('updated');
  await child.command('create /3303/1', /^created \/3303\/1$/m);
  assert.ok((await child.until(updated, 'update')).registration.links.some((l) => l.target === '/3303/1'));
  await child.command('create /3303/1', /^error: create: \/3303\/1 already exists$/m);
  await child.command('create /3/1', /^error: create: object 3 \(Device\) has a single instance, which exists$/m);
  await child.command('create /3303', /^error: create: \/3303 is an object; give an object instance or a resource instance path, e\.g\. /m);
  await child.command('create /3/0/11/2', /^created \/3\/0\/11\/2 = integer 0$/m);
  await child.command('create /3/0/11/2', /^error: create: \/3\/0\/11\/2 already exists$/m);
  await child.command('delete /3/0/11/2', /^deleted \/3\/0\/11\/2$/m);
  await child.command('delete /3/0/11/2', /^error: delete: \/3\/0\/11\/2 does not exist$/m);
  updated = server.next('updated');
  await child.command('delete /3303/1', /^deleted \/3303\/1$/m);
  assert.ok(!(await child.until(updated, 'update')).registration.links.some((l) => l.target === '/3303/1'));
  await child.command('delete /3303/1', /^error: delete: \/3303\/1 does not exist$/m);
  await child.command('delete /3303/0/5700', /^error: delete: \/3303\/0\/5700 is a resource; give an object instance or a resource instance path/m);

  // exec
  await child.command('exec /3/0/4', /^executed \/3\/0\/4$/m);
  await child.wait('err', /^device: Reboot executed/m);
  await child.command("exec /3/0/5 0='x'", /^executed \/3\/0\/5$/m);
  await child.wait('err', /^device: Factory Reset executed/m);
  await child.command('exec /3303/0/5605', /^executed \/3303\/0\/5605$/m);
  await child.command('exec /3/0/0', /^error: exec: \/3\/0\/0 \(Manufacturer\) is a string resource, not executable$/m);
  await child.command('exec /3/0', /^error: exec: \/3\/0 is an object instance; give a resource path, e\.g\. \/3\/0\/4$/m);
  await child.command('exec /5/0/2', /^error: exec: object 5 .*|^error: exec: \/5\/0 does not exist$/m);

  // cache
  await child.command('cache /3303/0/5700 3', /^cache enabled for \/3303\/0\/5700 \(3 entries\)$/m);
  await child.command('cache /3303/0/5700 3', /^error: cache: cache already enabled for \/3303\/0\/5700$/m);
  await child.command('cache /3/0/9 0', /^error: cache: size must be 1 or more \(given 0\)$/m);
  await child.command('cache /3303/0/5701 3', /^error: cache: \/3303\/0\/5701: a string resource cannot be cached/m);
  await child.command('cache /3303/0/5700', /^error: cache: missing arguments\nusage: cache PATH NUM$/m);

  // send
  const sent = server.next('send');
  await child.command('send /3/0/9 /3303/0/5701', /^sent \/3\/0\/9 \/3303\/0\/5701$/m);
  assert.deepEqual(
    (await child.until(sent, 'send')).records.map((r) => [r.path.toString(), r.value]),
    [
      ['/3/0/9', 42],
      ['/3303/0/5701', 'Cel'],
    ],
  );
  await child.command('send /3/zz', /^error: send: invalid path '\/3\/zz': 'zz' is not an id$/m);
  await child.command('send /', /^error: send: send needs object, instance or resource paths, not \/$/m);
  await child.command('send', /^error: send: missing arguments\nusage: send PATHS$/m);

  // update, pause, resume
  updated = server.next('updated');
  await child.command('update', /^registration update triggered$/m);
  await child.until(updated, 'update');
  await child.wait('err', /^event REG_UPDATE_COMPLETE ssid=1$/m);
  await child.command('update now', /^error: update: too many arguments/m);
  await child.command('pause', /^engine paused$/m);
  await child.wait('err', /^event ENGINE_SUSPENDED/m);
  await child.command('resume', /^engine resumed$/m);

  // stop, start under another name (the data model carries over), forced stop
  const gone = server.next('deregistered');
  await child.command('stop -x', /^error: stop: can't recognize specifier '-x' \(expected -f\)\nusage: stop \[OPTIONS\]$/m);
  await child.command('stop', /^stopped$/m);
  assert.equal((await child.until(gone, 'de-registration')).registration.endpoint, ep);
  await child.command('stop', /^error: stop: the client is not started$/m);
  await child.command('update', /^error: update: the client is not started$/m);
  await child.command('pause', /^error: pause: the client is not started$/m);
  await child.command('send /3/0/9', /^error: send: the client is not started$/m);
  await child.command('start', /^error: start: missing arguments\nusage: start EP_NAME \[BOOTSTRAP FLAG\]$/m);
  await child.command('start other -x', /^error: start: unknown specifier '-x' \(expected -b\)/m);
  await child.command('start other -b 7', /^error: start: invalid bootstrap flag '7' \(0 or 1\)$/m);
  await child.command('start "a b"', /^error: start: endpoint name 'a b' is empty or has characters a query cannot carry$/m);
  await child.command('start shell-dev2 -b', /^error: start: no usable LwM2M server account and no bootstrap server account/m);
  const again = server.next('registered');
  await child.command('start shell-dev2 -b 0', /^started shell-dev2$/m);
  assert.equal((await child.until(again, 'registration')).registration.endpoint, 'shell-dev2');
  await child.wait('err', /^event REGISTRATION_COMPLETE ssid=1$/m);
  assert.equal((await server.read('shell-dev2', '/3/0/14')).records[0]?.value, '+05:00');
  await child.command('start shell-dev3', /^error: start: the client is already started \(stop it first\)$/m);
  await child.command('stop -f', /^stopped \(forced, no De-register\)$/m);
  assert.ok(server.registration('shell-dev2') !== undefined, 'a forced stop does not de-register');

  child.proc.stdin.write('exit\n');
  assert.equal(await child.exited, 0);
  assert.doesNotMatch(child.err, /DEREGISTER ssid=1\n[\s\S]*DEREGISTER/);
});
