/**
 * Server Name Indication (RFC 6066 3) on the server side: which certificate answers the host name a
 * client asked for. Names compare without case and without a trailing dot; a pattern's leading
 * `*.` label stands for exactly one label (the RFC 6125 6.4.3 wildcard, left-most label only).
 */
import type { Peer } from '../transport.ts';
import type { OwnCertificate } from './config.ts';

export interface NamedCertificate {
  /** Normalized names (lower case, no trailing dot), exact ones and `*.` patterns. */
  readonly names: readonly string[];
  readonly certificate: OwnCertificate;
}

/** Lower case, without the trailing dot of a fully qualified name. */
export function normalizeHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when the normalized `name` matches the normalized `pattern` exactly or by its wildcard. */
export function hostNameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
}

/** The entry for a requested name: an exact name anywhere in the list wins over a wildcard. */
export function findNamedCertificate(entries: readonly NamedCertificate[], serverName: string | undefined): OwnCertificate | undefined {
  if (serverName === undefined || entries.length === 0) return undefined;
  const name = normalizeHostName(serverName);
  return (
    entries.find((e) => e.names.includes(name))?.certificate ??
    entries.find((e) => e.names.some((p) => p.startsWith('*.') && hostNameMatches(p, name)))?.certificate
  );
}

/** How a server picks its certificate for one handshake. */
export interface CertificateChoice {
  readonly certificate: OwnCertificate | undefined;
  /** True when the server_name decided it (the server then acknowledges the extension, RFC 6066 3). */
  readonly byName: boolean;
}

/** The selector's answer, else a named entry, else the default certificate. */
export function chooseCertificate(
  select: ((serverName: string | undefined, peer: Peer) => OwnCertificate | undefined) | undefined,
  named: readonly NamedCertificate[],
  fallback: OwnCertificate | undefined,
  serverName: string | undefined,
  peer: Peer,
): CertificateChoice {
  const selected = select?.(serverName, peer);
  if (selected !== undefined) return { certificate: selected, byName: serverName !== undefined };
  const entry = findNamedCertificate(named, serverName);
  if (entry !== undefined) return { certificate: entry, byName: true };
  return { certificate: fallback, byName: false };
}
