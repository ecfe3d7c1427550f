/**
 * Options of `lwm2m client` and `lwm2m shell`: the server (or bootstrap server) URI, the endpoint
 * name, registration settings, and the DTLS credentials that fill the Security object (LwM2M Core
 * 1.1.1 E.1: /0/x/2 mode 0 PSK, 1 RPK, 2 certificate, 3 NoSec; /0/x/3, /0/x/4, /0/x/5 the keys).
 */
import { parseArgs } from 'node:util';
import type { LwM2mVersion } from '../client/rd/messages.ts';
import { parseServerUri } from '../client/rd/server-uri.ts';
import { readCertificateDer, readPrivateKeyDer, readPublicKeyDer } from './credentials.ts';
import { UsageError } from './errors.ts';

/** Security Mode values (/0/x/2). */
export const SecurityModeId = { psk: 0, rpk: 1, certificate: 2, nosec: 3 } as const;
export type SecurityModeId = (typeof SecurityModeId)[keyof typeof SecurityModeId];

/** What goes into the Security instance besides the URI. */
export interface SecuritySettings {
  readonly mode: SecurityModeId;
  /** /0/x/3: PSK identity (UTF-8), client certificate DER, or our public key SPKI DER. */
  readonly publicKeyOrIdentity?: Uint8Array;
  /** /0/x/4: trust anchor certificate DER, or the server's public key SPKI DER. */
  readonly serverPublicKey?: Uint8Array;
  /** /0/x/5: the PSK, or our private key PKCS#8 DER. */
  readonly secretKey?: Uint8Array;
  /** /0/x/15 (certificate mode): 2, the trust anchor assertion given by --ca. */
  readonly certificateUsage?: number;
}

export interface ClientConfig {
  /** LwM2M server URI, or the bootstrap server's with `bootstrap`. */
  readonly serverUri: string | undefined;
  readonly endpoint: string | undefined;
  readonly bootstrap: boolean;
  /** Registration lifetime in seconds (/1/x/1). */
  readonly lifetime: number;
  readonly version: LwM2mVersion;
  readonly queue: boolean;
  readonly stateFile: string | undefined;
  /** `lwm2m client --shell`: read shell commands from stdin. */
  readonly shell: boolean;
  readonly security: SecuritySettings;
}

export const DEFAULT_LIFETIME = 300;

const COMMON_USAGE = `  --server coap://HOST:PORT   LwM2M server URI (coaps:// for DTLS); the bootstrap server's with --bootstrap
  --endpoint NAME             endpoint client name
  --bootstrap                 bootstrap first (client-initiated), then register with the servers it provisions
  --lifetime S                registration lifetime in seconds (default ${DEFAULT_LIFETIME})
  --lwm2m 1.0|1.1             LwM2M version (default 1.1)
  --queue                     queue mode (sleep between exchanges)
  --state FILE                keep bootstrapped Security/Server/ACL instances in FILE across restarts (with
                              --bootstrap: once FILE holds them, the client registers without bootstrapping)
  --psk-identity ID --psk-key HEX            DTLS with a pre-shared key (Security mode 0)
  --cert FILE --key FILE --ca FILE           DTLS with an X.509 certificate (mode 2; PEM or DER; --ca: the
                                             server's CA or certificate, trusted as anchor)
  --rpk-key FILE --server-rpk FILE           DTLS with raw public keys (mode 1; P-256, PEM or DER)
`;

export const CLIENT_USAGE = `usage: lwm2m client --server URI --endpoint NAME [--bootstrap] [--lifetime S] [--lwm2m 1.0|1.1] [--queue]
                    [--state FILE] [--shell] [DTLS options]
${COMMON_USAGE}  --shell                     read shell commands (type 'help') from stdin
`;

export const SHELL_USAGE = `usage: lwm2m shell [--server URI] [--endpoint NAME] [--bootstrap] [--lifetime S] [--lwm2m 1.0|1.1] [--queue]
                   [--state FILE] [DTLS options]
${COMMON_USAGE}With --server and --endpoint the client starts at once; otherwise use 'start EP_NAME [-b]'.
`;

const OPTIONS = {
  server: { type: 'string' },
  endpoint: { type: 'string' },
  bootstrap: { type: 'boolean' },
  lifetime: { type: 'string' },
  lwm2m: { type: 'string' },
  queue: { type: 'boolean' },
  state: { type: 'string' },
  shell: { type: 'boolean' },
  'psk-identity': { type: 'string' },
  'psk-key': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
  'rpk-key': { type: 'string' },
  'server-rpk': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

/** Checks an endpoint name the way the RD client will use it (a query parameter value). */
export function checkEndpointName(name: string): string {
  if (name === '' || /[&?\s]/.test(name)) throw new UsageError(`endpoint name '${name}' is empty or has characters a query cannot carry`);
  return name;
}

function security(v: Values, secure: boolean | undefined): SecuritySettings {
  const groups = [
    v['psk-identity'] !== undefined || v['psk-key'] !== undefined ? 'psk' : undefined,
    v.cert !== undefined || v.key !== undefined || v.ca !== undefined ? 'certificate' : undefined,
    v['rpk-key'] !== undefined || v['server-rpk'] !== undefined ? 'rpk' : undefined,
  ].filter((g) => g !== undefined);
  if (groups.length > 1) throw new UsageError(`give one kind of DTLS credentials, not ${groups.join(' and ')}`);
  const kind = groups[0];
  if (kind === undefined) {
    if (secure === true) throw new UsageError('a coaps:// server needs DTLS credentials: --psk-identity/--psk-key, --cert/--key/--ca or --rpk-key/--server-rpk');
    return { mode: SecurityModeId.nosec };
  }
  if (secure === false) throw new UsageError('DTLS credentials need a coaps:// server URI');
  switch (kind) {
    case 'psk': {
      const identity = v['psk-identity'];
      const hex = v['psk-key'];
      if (identity === undefined || hex === undefined) throw new UsageError('--psk-identity and --psk-key go together');
      if (identity === '') throw new UsageError('--psk-identity is empty');
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError(`--psk-key must be an even number of hex digits, got '${hex}'`);
      return { mode: SecurityModeId.psk, publicKeyOrIdentity: new TextEncoder().encode(identity), secretKey: new Uint8Array(Buffer.from(hex, 'hex')) };
    }
    case 'certificate': {
      if (v.cert === undefined || v.key === undefined) throw new UsageError('--cert and --key go together');
      if (v.ca === undefined) throw new UsageError("--cert needs --ca FILE: the server's CA (or its own certificate) that /0/x/4 holds");
      const cert = readCertificateDer(v.cert, 'certificate');
      const { privateDer } = readPrivateKeyDer(v.key, 'private key');
      const ca = readCertificateDer(v.ca, 'CA certificate');
      return { mode: SecurityModeId.certificate, publicKeyOrIdentity: cert, secretKey: privateDer, serverPublicKey: ca, certificateUsage: 2 };
    }
    default: {
      if (v['rpk-key'] === undefined || v['server-rpk'] === undefined) throw new UsageError('--rpk-key and --server-rpk go together');
      const { privateDer, publicDer } = readPrivateKeyDer(v['rpk-key'], 'private key');
      const server = readPublicKeyDer(v['server-rpk'], 'server public key');
      return { mode: SecurityModeId.rpk, publicKeyOrIdentity: publicDer, secretKey: privateDer, serverPublicKey: server };
    }
  }
}

/**
 * Parses the options. `command` 'client' requires --server and --endpoint; the shell may start
 * without them. Throws UsageError for bad options, CredentialFileError for unreadable key files.
 * Returns undefined for --help.
 */
export function parseClientArgs(argv: readonly string[], command: 'client' | 'shell'): ClientConfig | undefined {
  let v: Values;
  try {
    v = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (v.help === true) return undefined;
  if (command === 'shell' && v.shell === true) throw new UsageError("--shell is an option of 'lwm2m client'");
  if (command === 'client' && v.server === undefined) throw new UsageError('--server is required');
  if (command === 'client' && v.endpoint === undefined) throw new UsageError('--endpoint is required');
  let secure: boolean | undefined;
  if (v.server !== undefined) {
    try {
      secure = parseServerUri(v.server).secure;
    } catch (error) {
      throw new UsageError(`--server: ${(error as Error).message}`);
    }
  }
  let lifetime = DEFAULT_LIFETIME;
  if (v.lifetime !== undefined) {
    if (!/^[0-9]{1,10}$/.test(v.lifetime) || Number(v.lifetime) < 1 || Number(v.lifetime) > 0xffffffff) {
      throw new UsageError(`--lifetime must be a whole number of seconds, 1..4294967295, got '${v.lifetime}'`);
    }
    lifetime = Number(v.lifetime);
  }
  const version = v.lwm2m ?? '1.1';
  if (version !== '1.0' && version !== '1.1') throw new UsageError(`--lwm2m must be 1.0 or 1.1, got '${version}'`);
  return {
    serverUri: v.server,
    endpoint: v.endpoint === undefined ? undefined : checkEndpointName(v.endpoint),
    bootstrap: v.bootstrap === true,
    lifetime,
    version,
    queue: v.queue === true,
    stateFile: v.state,
    shell: v.shell === true,
    security: security(v, secure),
  };
}
