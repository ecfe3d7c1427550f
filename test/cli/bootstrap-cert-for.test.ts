/**
 * `lwm2m bootstrap --cert-for NAMES=CERT:KEY`: the DTLS listener presents the certificate named for
 * the host a client asks for by SNI (RFC 6066 3), `--cert` otherwise; bad values exit 2 with the usage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBootstrapCommand } from '../../src/cli/bootstrap-command.ts';
import { CoapEndpoint } from '../../src/coap/endpoint.ts';
import { CoapCode } from '../../src/coap/message.ts';
import { buildOptions } from '../../src/coap/options.ts';
import { DtlsError } from '../../src/errors.ts';
import { DtlsTransport, type DtlsClientOptions } from '../../src/transport/dtls/index.ts';
import type { Peer } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { testPki } from '../transport/dtls/_support.ts';

function capture(stop?: Promise<void>) {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, ...(stop !== undefined ? { stop } : {}) },
    out: () => out,
    err: () => err,
  };
}

test('bad --cert-for values exit 2 with the usage, which lists the option', async () => {
  for (const [value, message] of [
    ['localhost=c.pem', /^lwm2m bootstrap: --cert-for localhost=c\.pem: expected NAME\[,NAME\.\.\.\]=CERT\.pem:KEY\.pem$/m],
    ['10.0.0.1=c.pem:k.pem', /'10\.0\.0\.1' is not a host name/],
    ['localhost=/nonexistent/c.pem:/nonexistent/k.pem', /^lwm2m bootstrap: cannot read certificate \/nonexistent\/c\.pem: /m],
  ] as const) {
    const c = capture();
    assert.equal(await runBootstrapCommand(['--config', '/nonexistent/never-read.json', '--cert-for', value], c.io), 2, value);
    assert.match(c.err(), message, value);
  }
  const help = capture();
  assert.equal(await runBootstrapCommand(['--help'], help.io), 0);
  assert.match(help.out(), /\[--cert-for NAMES=CERT:KEY\]\.\.\./);
  assert.match(help.out(), /^ {2}--cert-for NAMES=CERT:KEY +certificate and key \(PEM\) for clients asking/m);
});

test('lwm2m bootstrap --cert-for: the certificate follows the server_name the client sends', async (t) => {
  const pki = testPki();
  const address = (await lookup('localhost')).address;
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-cli-bs-sni-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'bs.json');
  writeFileSync(config, JSON.stringify({ endpoints: { other: { servers: { 0: { shortServerId: 1 } } } } }));
  let stop: () => void = () => undefined;
  const c = capture(new Promise<void>((resolve) => (stop = resolve)));
  const run = runBootstrapCommand(
    [
      ['--config', config, '--port', '0', '--dtls-port', '0', '--address', address, '--ca', pki.files['ca.pem']!],
      ['--cert', pki.files['other-server.pem']!, '--key', pki.files['other-server.key']!],
      ['--cert-for', `bs.example=${pki.files['self.pem']!}:${pki.files['self.key']!}`],
      ['--cert-for', `localhost=${pki.files['server-chain.pem']!}:${pki.files['server.key']!}`],
    ].flat(),
    c.io,
  );
  t.after(async () => {
    stop();
    await run;
  });
  while (!c.out().includes('coaps://') && c.err() === '') await new Promise((r) => setTimeout(r, 10));
  assert.equal(c.err(), '');
  const port = /bootstrap server listening on coaps:\/\/.*:(\d+)\n/.exec(c.out())?.[1];
  assert.ok(port !== undefined, c.out());
  const target: Peer = { address, port: Number(port) };

  const bootstrapRequest = async (serverName: string, trust: DtlsClientOptions = { trustedCAs: [pki.caCert] }): Promise<string> => {
    const transport = DtlsTransport.client(await UdpTransport.bind({ address }), {
      certificate: { chain: pki.clientCert, privateKey: pki.clientKey },
      ...trust,
      serverName,
      handshakeTimeoutMs: 3000,
      retransmitInitialMs: 200,
    });
    const coap = new CoapEndpoint(transport, { params: { ackTimeout: 500, ackRandomFactor: 1, maxRetransmit: 1 } });
    try {
      await transport.connect(target);
      const res = await coap.request(target, { code: CoapCode.POST, options: buildOptions({ uriPath: '/bs', uriQuery: ['ep=device-1'] }) });
      return `${res.code >> 5}.${String(res.code & 31).padStart(2, '0')} ${Buffer.from(res.payload).toString()}`;
    } finally {
      await coap.close();
    }
  };
  // The CA-signed chain for localhost: the handshake completes and the client certificate (CN device-1) is accepted.
  assert.equal(await bootstrapRequest('localhost'), "4.00 unknown endpoint 'device-1'");
  await assert.rejects(bootstrapRequest('unnamed.test'), (e: unknown) => e instanceof DtlsError, 'the --cert default is from another CA');
  // bs.example has the self-signed certificate: a client pinning exactly that one gets through.
  const pinned: DtlsClientOptions = { pinnedServerCertificate: pki.selfSignedCert, checkServerName: false };
  assert.equal(await bootstrapRequest('bs.example', pinned), "4.00 unknown endpoint 'device-1'");
  await assert.rejects(bootstrapRequest('localhost', pinned), (e: unknown) => e instanceof DtlsError, 'localhost does not get the bs.example certificate');
});
