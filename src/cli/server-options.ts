/**
 * Pieces shared by `lwm2m server` and `lwm2m bootstrap`: port and `--psk` option parsing, the DTLS
 * listener settings (Transport 1.1.1 5.2: PSK per endpoint, our certificate, certificates chosen by
 * the client's server_name (SNI, RFC 6066 3), trusted CAs), and the
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

/** What `--cert-for NAMES=CERT:KEY` names: host names (`*.` wildcards allowed) and two PEM files. */
export interface CertForOption {
  readonly names: readonly string[];
  readonly certFile: string;
  readonly keyFile: string;
}

const HOST_NAME = /^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parses `--cert-for NAMES=CERT:KEY`: comma-separated host names the certificate is for, then the
 * certificate (chain) file and the key file, split at the last ':'. Throws UsageError.
 */
export function parseCertForOption(text: string): CertForOption {
  const eq = text.indexOf('=');
  const colon = text.lastIndexOf(':');
  if (eq <= 0 || colon <= eq + 1 || colon === text.length - 1) throw new UsageError(`--cert-for ${text}: expected NAME[,NAME...]=CERT.pem:KEY.pem`);
  const names = text.slice(0, eq).split(',');
  for (const name of names) {
    if (!HOST_NAME.test(name) || /^[0-9.]+$/.test(name)) throw new UsageError(`--cert-for ${text}: '${name}' is not a host name (SNI names hosts, not addresses)`);
  }
  return { names, certFile: text.slice(eq + 1, colon), keyFile: text.slice(colon + 1) };
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
  /** `--cert-for NAMES=CERT:KEY` (repeatable): certificates chosen by the client's server_name. */
  readonly 'cert-for'?: readonly string[] | undefined;
}

/** Whether the options ask for a DTLS listener (a port, PSKs or certificates given). */
export function wantsDtls(o: DtlsCommandOptions & { readonly 'dtls-port'?: string | undefined }): boolean {
  return o.psk !== undefined || o.cert !== undefined || o['cert-for'] !== undefined || o['dtls-port'] !== undefined;
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

/**
 * Our certificates and the trusted CAs of the DTLS listeners (`--cert --key`, `--cert-for`...,
 * `--ca`): `--cert` is the default, `--cert-for` entries answer the host names they list. Throws UsageError.
 */
export function dtlsListenerBase(o: DtlsCommandOptions): Omit<DtlsListenerOptions, 'port'> {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new UsageError('--cert and --key go together');
  const named = (o['cert-for'] ?? []).map((text) => {
    const c = parseCertForOption(text);
    return { names: c.names, chain: readText(c.certFile, 'certificate'), privateKey: readText(c.keyFile, 'key') };
  });
  return {
    ...(o.cert !== undefined && o.key !== undefined ? { certificate: { chain: readText(o.cert, 'certificate'), privateKey: readText(o.key, 'key') } } : {}),
    ...(named.length > 0 ? { certificates: named } : {}),
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
