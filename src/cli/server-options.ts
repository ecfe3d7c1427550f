/**
 * Pieces shared by `lwm2m server` and `lwm2m bootstrap`: port and `--psk` option parsing, the DTLS
 * listener settings (Transport 1.1.1 5.2: PSK per endpoint, our certificate, trusted CAs), and the
 * log lines of the bootstrap server's events (LwM2M Core 1.1.1 6.1).
 */
import { readFileSync } from 'node:fs';
import type { BootstrapServer } from '../server/bootstrap-server.ts';
import type { DtlsListenerOptions } from '../server/listeners.ts';
import { SecurityRegistry } from '../server/security.ts';
import type { Peer } from '../transport/transport.ts';
import { UsageError } from './errors.ts';

/** A port option's value, or `fallback` when absent. Throws UsageError. */
export function parsePort(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--${name} ${text} is not a port number`);
  return Number(text);
}

/** Parses `EP:IDENTITY:HEXKEY` (the identity may itself contain ':'). Throws UsageError. */
export function parsePskOption(text: string): { endpoint: string; identity: string; key: Uint8Array } {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) throw new UsageError(`--psk ${text}: expected EP:IDENTITY:HEXKEY`);
  const endpoint = text.slice(0, first);
  const identity = text.slice(first + 1, last);
  const hex = text.slice(last + 1);
  if (identity === '') throw new UsageError(`--psk ${text}: the identity is empty`);
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError(`--psk ${text}: the key must be hex digits`);
  return { endpoint, identity, key: new Uint8Array(Buffer.from(hex, 'hex')) };
}

/** `host:port`, with IPv6 addresses in brackets. */
export function formatPeer(p: Peer): string {
  return p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

/** The DTLS options common to the listeners of a command. */
export interface DtlsCommandOptions {
  readonly psk?: readonly string[] | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly ca?: string | undefined;
}

/**
 * The endpoints' credentials from `--psk EP:IDENTITY:HEXKEY` options; with `--ca`, a verified client
 * certificate names its endpoint by its subject CN. Throws UsageError for a bad `--psk`, TypeError
 * for an identity given to two endpoints.
 */
export function securityFromOptions(o: DtlsCommandOptions): SecurityRegistry {
  const security = new SecurityRegistry([], { certificateCommonNameIsEndpoint: o.ca !== undefined });
  for (const text of o.psk ?? []) {
    const psk = parsePskOption(text);
    security.set(psk.endpoint, { psk: { identity: psk.identity, key: psk.key } });
  }
  return security;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** Our certificate and the trusted CAs of the DTLS listeners (`--cert --key [--ca]`). Throws UsageError. */
export function dtlsListenerBase(o: DtlsCommandOptions): Omit<DtlsListenerOptions, 'port'> {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new UsageError('--cert and --key go together');
  return {
    ...(o.cert !== undefined && o.key !== undefined ? { certificate: { chain: readText(o.cert, 'certificate'), privateKey: readText(o.key, 'key') } } : {}),
    ...(o.ca !== undefined ? { trustedCAs: [readText(o.ca, 'CA certificate')] } : {}),
  };
}

/** Logs bootstrap requests, finished and failed sequences, and errors of `bs` as lines. */
export function wireBootstrapLogs(bs: BootstrapServer, print: (line: string) => void): void {
  bs.on('request', ({ endpoint, address: a, preferredFormat }) => {
    print(`bootstrap-request ${endpoint} from ${formatPeer(a)}${preferredFormat !== undefined ? ` pct=${preferredFormat}` : ''}`);
  });
  bs.on('finished', ({ result }) => {
    print(`bootstrap finished ${result.endpoint}: ${result.steps.join(', ')}`);
  });
  bs.on('failed', ({ endpoint, step, error }) => {
    print(`bootstrap failed ${endpoint} at ${step === '' ? 'start' : step}: ${error.message}`);
  });
  bs.on('error', (e) => {
    print(`bootstrap server error: ${e.message}`);
  });
}
