/**
 * `lwm2m server` as a child process: it prints its listening addresses, logs a device's
 * registration and notifications, runs console commands from stdin against a scripted device, says
 * what is wrong with bad input, and stops on `quit`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { FakeDevice } from '../server/_fake-device.ts';
import { CoapCode } from '../../src/coap/message.ts';

class Child {
  readonly proc;
  out = '';
  err = '';
  #waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  #cursor = 0;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      this.#check();
    });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.err += d.toString('utf8');
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  #check(): void {
    for (const w of [...this.#waiters]) {
      const re = new RegExp(w.re.source, w.re.flags.includes('g') ? w.re.flags : `${w.re.flags}g`);
      re.lastIndex = w.from;
      const m = re.exec(this.out);
      if (m !== null) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        this.#cursor = Math.max(this.#cursor, m.index + m[0].length);
        w.resolve(m);
      }
    }
  }

  /** Resolves with the first match of `re` in output not consumed by an earlier wait. */
  wait(re: RegExp, ms = 10_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(re)}; output:\n${this.out}\nstderr:\n${this.err}`)), ms);
      this.#waiters.push({
        re,
        from: this.#cursor,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.#check();
    });
  }

  /** Sends a console line and waits for a response matching `re`. */
  async command(line: string, re: RegExp): Promise<RegExpExecArray> {
    const p = this.wait(re);
    this.proc.stdin.write(`${line}\n`);
    return p;
  }
}

test('lwm2m server: console commands against a registered device, logs, clear errors, quit', async (t) => {
  const child = new Child(['--port', '0', '--bootstrap-port', '0', '--address', '127.0.0.1']);
  t.after(() => {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  });
  const m = await child.wait(/LwM2M server listening on coap:\/\/127\.0\.0\.1:(\d+)/, 30_000);
  await child.wait(/bootstrap server listening on coap:\/\/127\.0\.0\.1:\d+/);
  const device = await FakeDevice.start({ server: { address: '127.0.0.1', port: Number(m[1]) }, endpoint: 'cli-dev' });
  t.after(() => device.close());
  assert.equal(await device.register(), CoapCode.CREATED);
  await child.wait(/registered cli-dev id=\w+ lwm2m=1\.1 lt=300 b=U coap:\/\/127\.0\.0\.1:\d+ objects=\/1\/0,\/3\/0,\/16\/0,\/3303\/0,\/3303\/1/);

  await child.command('list', /cli-dev id=\w+ lwm2m=1\.1/);
  await child.command('read cli-dev /3/0/0', /read cli-dev \/3\/0\/0: 2\.05 Content \(senml-cbor\)\n {2}\/3\/0\/0 = string "ACME"/);
  await child.command('read cli-dev /3/0/9 --format tlv', /read cli-dev \/3\/0\/9: 2\.05 Content \(tlv\)\n {2}\/3\/0\/9 = integer 88/);
  await child.command('write cli-dev /3/0/14 +05:00', /write cli-dev \/3\/0\/14: 2\.04 Changed/);
  assert.equal(device.get('/3/0/14'), '+05:00');
  await child.command("exec cli-dev /3/0/4 0='now'", /exec cli-dev \/3\/0\/4: 2\.04 Changed/);
  assert.deepEqual(device.executed, [{ path: '/3/0/4', args: "0='now'" }]);
  await child.command('discover cli-dev /3303/0', /discover cli-dev \/3303\/0: 2\.05 Content\n {2}<\/3303\/0>,<\/3303\/0\/5700>/);
  await child.command('attr cli-dev /3303/0/5700 pmin=5 pmax=30', /attr cli-dev \/3303\/0\/5700: 2\.04 Changed/);
  assert.deepEqual(device.attributes.get('/3303/0/5700'), ['pmin=5', 'pmax=30']);
  await child.command('create cli-dev /3303 5700=12.5 5701=K --id 5', /create cli-dev \/3303: 2\.01 Created \/3303\/5/);
  assert.equal(device.get('/3303/5/5700'), 12.5);
  await child.command('delete cli-dev /3303/5', /delete cli-dev \/3303\/5: 2\.02 Deleted/);
  await child.command('composite-read cli-dev /3/0/0 /3303/1/5700', /composite-read cli-dev: 2\.05 Content \(senml-cbor\)\n {2}\/3\/0\/0 = string "ACME"\n {2}\/3303\/1\/5700 = float 18\.25/);
  await child.command('observe cli-dev /3303/0/5700', /observe cli-dev \/3303\/0\/5700: established\n {2}\/3303\/0\/5700 = float 21\.5/);
  const note = child.wait(/notification cli-dev \/3303\/0\/5700: 2\.05 Content\n {2}\/3303\/0\/5700 = float 23\.5/);
  await device.set('/3303/0/5700', 23.5);
  await note;
  await child.command('cancel cli-dev /3303/0/5700', /cancel cli-dev \/3303\/0\/5700: 1 cancelled/);
  assert.equal(device.observations[0]!.handle.reason, 'deregistered');

  // Bad input is explained, and the server keeps serving.
  await child.command('read cli-dev', /error: read: usage: read EP PATH/);
  await child.command('read cli-dev /3/zero', /error: read: invalid path '\/3\/zero'/);
  await child.command('read nobody /3/0/0', /error: read: no client 'nobody' is registered/);
  await child.command('read cli-dev /3/0/0 --format nope', /error: read: unknown content format 'nope'/);
  await child.command('write cli-dev /3/0/9 lots', /error: write: .*(integer|number)/);
  await child.command('read cli-dev /9/9', /error: read: Read \/9\/9 on 'cli-dev' failed with 4\.04 Not Found/);
  await child.command('attr cli-dev /3 colour=3', /error: attr: 'colour' is not a writable attribute/);
  await child.command('create cli-dev /3303/0 1=2', /error: create: create needs an object path/);
  await child.command('frobnicate', /error: frobnicate: unknown command/);
  await child.command('read cli-dev /3/0/1', /read cli-dev \/3\/0\/1: 2\.05 Content/);

  assert.equal(await device.deregister(), CoapCode.DELETED);
  await child.wait(/deregistered cli-dev id=\w+/);
  child.proc.stdin.write('quit\n');
  assert.equal(await child.exited, 0);
  assert.match(child.out, /stopped\n$/);
  assert.equal(child.err, '');
});

test('lwm2m server: bad options exit with status 2 and the usage', async () => {
  for (const args of [['--port', 'x'], ['--psk', 'ep:id:nothex'], ['--cert', 'a.pem'], ['--bootstrap-config', '/nonexistent.json']]) {
    const child = new Child(args);
    assert.equal(await child.exited, 2, args.join(' '));
    assert.match(child.err, /^lwm2m server: /, args.join(' '));
  }
});
