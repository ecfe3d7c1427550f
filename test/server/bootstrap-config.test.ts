/** Bootstrap configuration parsing and validation: typed instances to records, clear errors naming the key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootstrapConfig, parseBootstrapConfig, planFor } from '../../src/server/bootstrap-config.ts';
import { BootstrapConfigError } from '../../src/server/errors.ts';
import { ContentFormat } from '../../src/codec/index.ts';

function flat(records: readonly { path: { toString(): string }; value: unknown }[]): Record<string, unknown> {
  return Object.fromEntries(records.map((r) => [r.path.toString(), r.value instanceof Uint8Array ? Buffer.from(r.value).toString('hex') : r.value instanceof Date ? r.value.toISOString() : r.value]));
}

test('a full endpoint plan: typed Security/Server/ACL instances, other objects, defaults, order', () => {
  const config = parseBootstrapConfig({
    endpoints: {
      ep: {
        version: '1.1',
        format: 'senml-cbor',
        discover: '/0',
        delete: ['/0/1', '/1'],
        security: {
          '1': { uri: 'coaps://s:5684', securityMode: 'x509', publicKeyOrIdentity: { base64: 'AQID' }, serverPublicKey: { hex: '0a0b' }, secretKey: { text: 'k' }, shortServerId: 7, cipherSuites: [0xc0a8, 0xc0ae], certificateUsage: 3 },
        },
        servers: { '2': { shortServerId: 7, lifetime: '600', binding: 'UQ', disableTimeout: 86400, apnLink: '11:0', trigger: true } },
        acl: { '3': { objectId: 1, instanceId: 2, acl: [15, 1], owner: 7 } },
        objects: { '/3/0': { '13': '2024-01-01T00:00:00Z', '14': '+02:00' } },
        read: ['/1', '/2/3'],
      },
    },
  });
  const plan = planFor(config, 'ep')!;
  assert.equal(plan.format, ContentFormat.SENML_CBOR);
  assert.equal(plan.discover?.toString(), '/0');
  assert.deepEqual(plan.deletes.map(String), ['/0/1', '/1']);
  assert.deepEqual(plan.reads.map(String), ['/1', '/2/3']);
  assert.deepEqual(plan.writes.map((w) => w.path.toString()), ['/0/1', '/1/2', '/2/3', '/3/0']);
  assert.deepEqual(flat(plan.writes[0]!.records), {
    '/0/1/0': 'coaps://s:5684',
    '/0/1/2': 2,
    '/0/1/3': '010203',
    '/0/1/4': '0a0b',
    '/0/1/5': '6b',
    '/0/1/10': 7,
    '/0/1/16/0': 0xc0a8,
    '/0/1/16/1': 0xc0ae,
    '/0/1/15': 3,
    '/0/1/1': false,
  });
  assert.deepEqual(flat(plan.writes[1]!.records), {
    '/1/2/0': 7,
    '/1/2/1': 600,
    '/1/2/7': 'UQ',
    '/1/2/5': 86400,
    '/1/2/10': { oid: 11, iid: 0 },
    '/1/2/21': true,
    '/1/2/6': true,
  });
  assert.deepEqual(flat(plan.writes[2]!.records), { '/2/3/0': 1, '/2/3/1': 2, '/2/3/2/0': 15, '/2/3/2/1': 1, '/2/3/3': 7 });
  assert.deepEqual(flat(plan.writes[3]!.records), { '/3/0/13': '2024-01-01T00:00:00.000Z', '/3/0/14': '+02:00' });
  assert.equal(planFor(config, 'other'), undefined);
});

test('defaults: delete "/", TLV chosen later, fallback plan for unknown endpoints; inputs are not modified', () => {
  const input = { default: { servers: { '0': { shortServerId: 1 } } } };
  const config = parseBootstrapConfig(input);
  const plan = planFor(config, 'anyone')!;
  assert.deepEqual(plan.deletes.map(String), ['/']);
  assert.equal(plan.format, undefined);
  assert.equal(plan.version, '1.1');
  assert.deepEqual(input, { default: { servers: { '0': { shortServerId: 1 } } } });
  assert.deepEqual(flat(plan.writes[0]!.records), { '/1/0/0': 1, '/1/0/6': true, '/1/0/7': 'U', '/1/0/1': 86400 });
});

test('errors name the offending key', () => {
  const cases: [unknown, RegExp][] = [
    [[], /must be a JSON object/],
    [{ endpoint: {} }, /^endpoint: unknown key/],
    [{ endpoints: { ep: { secuirty: {} } } }, /^endpoints\.ep\.secuirty: unknown key/],
    [{ endpoints: { ep: { version: '2.0' } } }, /endpoints\.ep\.version/],
    [{ endpoints: { ep: { format: 'text' } } }, /endpoints\.ep\.format: must be a format that carries object instances/],
    [{ endpoints: { ep: { format: 'nope' } } }, /endpoints\.ep\.format: unknown content format/],
    [{ endpoints: { ep: { security: { x: { uri: 'a' } } } } }, /endpoints\.ep\.security\.x: 'x' is not an instance id/],
    [{ endpoints: { ep: { security: { '0': {} } } } }, /endpoints\.ep\.security\.0: 'uri' is required/],
    [{ endpoints: { ep: { security: { '0': { uri: 5 } } } } }, /endpoints\.ep\.security\.0\.uri/],
    [{ endpoints: { ep: { security: { '0': { uri: 'u', securityMode: 'magic' } } } } }, /securityMode: 'magic' is not psk/],
    [{ endpoints: { ep: { security: { '0': { uri: 'u', secretKey: { hex: 'abc' } } } } } }, /secretKey\.hex: is not an even number of hex digits/],
    [{ endpoints: { ep: { security: { '0': { uri: 'u', secretKey: { file: '/nonexistent/key' } } } } } }, /secretKey\.file: cannot read/],
    [{ endpoints: { ep: { security: { '0': { uri: 'u', secretKey: { rot13: 'x' } } } } } }, /unknown byte encoding 'rot13'/],
    [{ endpoints: { ep: { security: { '0': { uri: 'u', colour: 'red' } } } } }, /security\.0\.colour: unknown field/],
    [{ endpoints: { ep: { servers: { '0': { lifetime: 5 } } } } }, /'shortServerId' is required/],
    [{ endpoints: { ep: { servers: { '0': { shortServerId: 0 } } } } }, /shortServerId/],
    [{ endpoints: { ep: { servers: { '0': { shortServerId: 1, lifetime: 'long' } } } } }, /lifetime/],
    [{ endpoints: { ep: { servers: { '0': { shortServerId: 1, apnLink: '1-2' } } } } }, /apnLink: '1-2' is not an object link/],
    [{ endpoints: { ep: { acl: { '0': { objectId: 1 } } } } }, /'instanceId' is required/],
    [{ endpoints: { ep: { objects: { '/3': {} } } } }, /objects\.\/3: \/3 must be a path of depth 2/],
    [{ endpoints: { ep: { objects: { '/999/0': { '1': 2 } } } } }, /object 999 has no definition/],
    [{ endpoints: { ep: { objects: { '/3/0': { '4': 1 } } } } }, /resource 4 \(Reboot\) is executable/],
    [{ endpoints: { ep: { objects: { '/3/0': { '13': 'yesterday' } } } } }, /'yesterday' is not a date/],
    [{ endpoints: { ep: { delete: '/0' } } }, /delete: must be an array of paths/],
    [{ endpoints: { ep: { delete: ['/0/0/0'] } } }, /delete\[0\]: \/0\/0\/0 must be a path of depth/],
    [{ endpoints: { ep: { read: ['/3'] } } }, /read\[0\]: Bootstrap-Read is allowed on the Server \(1\) and Access Control \(2\) objects only/],
    [{ endpoints: { ep: { version: '1.0', security: { '0': { uri: 'u', sni: 'x' } } } } }, /object 0 has no resource 14 in this LwM2M version/],
  ];
  for (const [json, re] of cases) {
    assert.throws(() => parseBootstrapConfig(json), (e: unknown) => e instanceof BootstrapConfigError && re.test(e.message), JSON.stringify(json));
  }
});

test('loading a file: unreadable, not JSON, PEM converted to DER', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-bscfg-'));
  assert.throws(() => loadBootstrapConfig(join(dir, 'missing.json')), /cannot read/);
  writeFileSync(join(dir, 'bad.json'), '{ nope');
  assert.throws(() => loadBootstrapConfig(join(dir, 'bad.json')), /is not JSON/);
  writeFileSync(join(dir, 'c.pem'), '-----BEGIN CERTIFICATE-----\nAQIDBA==\n-----END CERTIFICATE-----\n');
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ endpoints: { e: { security: { '0': { uri: 'coaps://h', serverPublicKey: { file: 'c.pem' } } } } } }));
  const plan = planFor(loadBootstrapConfig(join(dir, 'ok.json')), 'e')!;
  assert.equal(flat(plan.writes[0]!.records)['/0/0/4'], '01020304');
});
