/**
 * `lwm2m client --bootstrap --state FILE`: the first run bootstraps from our bootstrap server and
 * registers with the server it was given; the accounts are kept in FILE, so a second run registers
 * without bootstrapping again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { parseBootstrapConfig } from '../../src/server/bootstrap-config.ts';
import { LwM2mServer } from '../../src/server/server.ts';
import { Child } from './_child.ts';

test('lwm2m client --bootstrap --state: bootstraps once, then registers from the saved accounts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-state-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const server = await LwM2mServer.start({ address: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const bootstrap = await BootstrapServer.start({
    address: '127.0.0.1',
    port: 0,
    config: parseBootstrapConfig({
      endpoints: {
        'bs-dev': {
          delete: ['/0', '/1'],
          security: { 1: { uri: `coap://127.0.0.1:${server.local.port}`, bootstrapServer: false, securityMode: 'nosec', shortServerId: 7 } },
          servers: { 0: { shortServerId: 7, lifetime: 90, binding: 'U' } },
        },
      },
    }),
  });
  t.after(() => bootstrap.close());
  let requests = 0;
  bootstrap.on('request', () => {
    requests++;
  });
  const state = join(dir, 'state.json');
  const args = ['client', '--server', `coap://127.0.0.1:${bootstrap.local.port}`, '--endpoint', 'bs-dev', '--bootstrap', '--state', state];

  for (const run of [1, 2]) {
    const registered = server.next('registered');
    const child = new Child(args);
    t.after(() => child.kill());
    const { registration } = await child.until(registered, `registration (run ${run})`);
    assert.equal(registration.lifetime, 90);
    await child.wait('err', /^event REGISTRATION_COMPLETE ssid=7$/m);
    assert.equal(requests, 1, `run ${run}: bootstrap requests`);
    if (run === 1) assert.match(child.err, /^event BOOTSTRAP_TRANSFER_COMPLETE$/m);
    else assert.doesNotMatch(child.err, /BOOTSTRAP/);
    assert.ok(existsSync(state));
    const gone = server.next('deregistered');
    child.proc.kill('SIGINT');
    await child.until(gone, 'de-registration');
    assert.equal(await child.exited, 0);
  }
});
