/**
 * LwM2M Server URIs as the Security object holds them (/0/x/0): `coap://` and `coaps://` over UDP,
 * IPv4 literals, IPv6 literals in brackets, or DNS names resolved at each (re)connect.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TransportError } from '../../errors.ts';
import type { Peer } from '../../transport/transport.ts';

export interface ServerUri {
  readonly secure: boolean;
  /** Host as written, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORTS = { coap: 5683, coaps: 5684 } as const;

/** Parses a server URI; throws TransportError with the reason for anything we cannot reach. */
export function parseServerUri(uri: string): ServerUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TransportError(`bad server URI '${uri}'`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'coap' && scheme !== 'coaps') {
    throw new TransportError(`unsupported server URI scheme '${scheme}' in '${uri}' (coap:// and coaps:// over UDP are supported)`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new TransportError(`server URI '${uri}' has no host`);
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  return { secure: scheme === 'coaps', host, port };
}

/** Resolves the host of a server URI to an address (a literal is returned as is). */
export async function resolveServer(uri: ServerUri): Promise<Peer> {
  if (isIP(uri.host) !== 0) return { address: uri.host, port: uri.port };
  try {
    const { address } = await lookup(uri.host);
    return { address, port: uri.port };
  } catch (error) {
    throw new TransportError(`cannot resolve server host '${uri.host}': ${(error as Error).message}`, { cause: error });
  }
}
