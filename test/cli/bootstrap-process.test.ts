/**
 * `lwm2m bootstrap` as a child process with a configuration file: an LwM2mClient bootstraps from it
 * over plain UDP and another over DTLS with a `--psk`, each then registers with the LwM2mServer the
 * configuration names; the command logs the Bootstrap-Requests and the finished sequences, and
 * SIGTERM stops it with exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LwM2mClient } from '../../src/client/client.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { Child } from './_child.ts';

const PSK_HEX = '00112233445566778899aabbccddeeff';

test('lwm2m bootstrap --config: clients bootstrap (UDP and PSK over DTLS), then register with the server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-bs-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const plan = (ssid: number, lifetime: number): object => ({
    delete: ['/0', '/1'],
    security: { 1: { uri: `coap://127.0.0.1:${server.local.port}`, bootstrapServer: false, securityMode: 'nosec', shortServerId: ssid } },
    servers: { 0: { shortServerId: ssid, lifetime, binding: 'U' } },
  });
  const file = join(dir, 'bootstrap.json');
  writeFileSync(file, JSON.stringify({ endpoints: { 'bs-udp': plan(3, 66), 'bs-psk': plan(4, 77) } }));

  const child = new Child(['bootstrap', '--port', '0', '--address', '127.0.0.1', '--config', file, '--dtls-port', '0', '--psk', `bs-psk:bs-psk-id:${PSK_HEX}`]);
  t.after(() => child.kill());
  const plain = await child.wait('out', /^bootstrap server listening on coap:\/\/127\.0\.0\.1:(\d+) \(2 endpoints in .*bootstrap\.json\)$/m);
  const secure = await child.wait('out', /^bootstrap server listening on coaps:\/\/127\.0\.0\.1:(\d+)$/m);

  const clients: { endpoint: string; security: Record<number, string | boolean | number | Uint8Array>; lifetime: number; ssid: number }[] = [
    { endpoint: 'bs-udp', security: { 0: `coap://127.0.0.1:${plain[1]!}`, 1: true, 2: 3 }, lifetime: 66, ssid: 3 },
    {
      endpoint: 'bs-psk',
      security: { 0: `coaps://127.0.0.1:${secure[1]!}`, 1: true, 2: 0, 3: new TextEncoder().encode('bs-psk-id'), 5: new Uint8Array(Buffer.from(PSK_HEX, 'hex')) },
      lifetime: 77,
      ssid: 4,
    },
  ];
  for (const c of clients) {
    const client = new LwM2mClient({ endpoint: c.endpoint, localAddress: '127.0.0.1' });
    t.after(() => client.close());
    client.create('/0/0', c.security);
    client.create('/3/0', { 0: 'lwm2m-ts', 16: 'U' });
    const registered = server.next('registered', (e) => e.registration.endpoint === c.endpoint);
    await child.until(client.start({ bootstrap: true }), `${c.endpoint} bootstrapped and registered`);
    const { registration } = await registered;
    assert.equal(registration.lifetime, c.lifetime);
    assert.deepEqual(client.servers().map((s) => s.ssid), [c.ssid]);
    await child.wait('out', new RegExp(`^bootstrap-request ${c.endpoint} from 127\\.0\\.0\\.1:\\d+ pct=\\d+$`, 'm'));
    await child.wait('out', new RegExp(`^bootstrap finished ${c.endpoint}: DELETE /0, DELETE /1, WRITE /0/1, WRITE /1/0, FINISH$`, 'm'));
    await client.stop();
  }
  assert.doesNotMatch(child.out, /bootstrap failed|error/);
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0);
  assert.match(child.out, /^stopping \(SIGTERM\)\nstopped\n$/m);
  assert.equal(child.err, '');
});
