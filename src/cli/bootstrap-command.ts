/**
 * `lwm2m bootstrap`: the companion bootstrap server alone (LwM2M Core 1.1.1 6.1, client-initiated
 * bootstrap; Transport 1.1.1 6.3), running the sequences of a JSON configuration file (see
 * server/bootstrap-config.ts) and logging each Bootstrap-Request and finished or failed sequence on
 * stdout until SIGINT/SIGTERM. Bad options: usage on stderr, exit 2.
 */
import { parseArgs } from 'node:util';
import { BootstrapServer } from '../server/bootstrap-server.ts';
import { loadBootstrapConfig } from '../server/bootstrap-config.ts';
import { UsageError } from './errors.ts';
import { dtlsListenerBase, formatPeer, parsePort, securityFromOptions, wantsDtls, wireBootstrapLogs } from './server-options.ts';
import type { ServerCommandIo } from './server-command.ts';
import { stopSignal } from './signals.ts';

export const BOOTSTRAP_USAGE = `usage: lwm2m bootstrap --config FILE [--port 5685] [--address ADDR] [--dtls-port 5686]
                       [--psk EP:IDENTITY:HEXKEY]... [--cert FILE --key FILE] [--cert-for NAMES=CERT:KEY]... [--ca FILE]
  --config FILE          bootstrap sequences per endpoint (JSON: "endpoints": {EP: {...}}, "default": {...})
  --port P               UDP port of the bootstrap server (default 5685; 0: any free port)
  --address ADDR         local address to listen on (default 0.0.0.0)
  --dtls-port P          DTLS port (default 5686); DTLS listens when --dtls-port, --psk, --cert or --cert-for is given
  --psk EP:IDENTITY:HEXKEY   endpoint EP bootstraps over DTLS with this pre-shared key (repeatable)
  --cert FILE --key FILE     our certificate and key (PEM) for DTLS with certificates (the default one)
  --cert-for NAMES=CERT:KEY  certificate and key (PEM) for clients asking for one of the comma-separated
                             host NAMES by SNI, e.g. lwm2m.example.com,*.example.net=site.pem:site.key (repeatable)
  --ca FILE                  CA that client certificates must chain to (their CN names the endpoint)
`;

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  address: { type: 'string' },
  'dtls-port': { type: 'string' },
  psk: { type: 'string', multiple: true },
  cert: { type: 'string' },
  key: { type: 'string' },
  'cert-for': { type: 'string', multiple: true },
  ca: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; resolves with the exit code once stopped. */
export async function runBootstrapCommand(argv: readonly string[], io: Omit<ServerCommandIo, 'stdin'> = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const fail = (message: string, usage: boolean): number => {
    io.stderr.write(`lwm2m bootstrap: ${message}\n${usage ? BOOTSTRAP_USAGE : ''}`);
    return 2;
  };
  let v;
  try {
    v = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return fail((error as Error).message, true);
  }
  if (v.help === true) {
    io.stdout.write(BOOTSTRAP_USAGE);
    return 0;
  }
  const print = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  let bs: BootstrapServer;
  try {
    if (v.config === undefined) throw new UsageError('--config FILE is required');
    const port = parsePort(v.port, 5685, 'port');
    const withDtls = wantsDtls(v);
    const dtlsPort = parsePort(v['dtls-port'], 5686, 'dtls-port');
    const security = securityFromOptions(v);
    const dtlsBase = dtlsListenerBase(v);
    // A bad configuration is one line naming the bad key (BootstrapConfigError), without the usage.
    const config = loadBootstrapConfig(v.config);
    bs = await BootstrapServer.start({
      address: v.address ?? '0.0.0.0',
      port,
      security,
      config,
      ...(withDtls ? { dtls: { ...dtlsBase, port: dtlsPort } } : {}),
    });
    const listed = config.endpoints.size;
    print(`bootstrap server listening on coap://${formatPeer(bs.local)} (${listed} endpoint${listed === 1 ? '' : 's'}${config.fallback !== undefined ? ' and a default' : ''} in ${v.config})`);
    if (bs.secureLocal !== undefined) print(`bootstrap server listening on coaps://${formatPeer(bs.secureLocal)}`);
  } catch (error) {
    return fail((error as Error).message, error instanceof UsageError);
  }
  wireBootstrapLogs(bs, print);
  const signal = stopSignal(io.stop);
  const why = await signal.stopped;
  signal.dispose();
  print(`stopping (${why})`);
  await bs.close();
  print('stopped');
  return 0;
}
