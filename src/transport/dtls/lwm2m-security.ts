/**
 * From the values of an LwM2M Security object instance (LwM2M Core 1.1 E.1, object 0) to DTLS
 * client options: the hook the LwM2M client uses for `coaps://` servers. Security Mode /0/x/2:
 * 0 PSK, 1 raw public key, 2 certificate, 3 NoSec (no DTLS), 4 certificate with EST (not
 * supported). Certificate Usage /0/x/15 follows RFC 6698: 0 CA constraint, 1 service certificate
 * constraint, 2 trust anchor assertion, 3 domain-issued certificate (the default).
 */
import type { DtlsClientOptions } from './options.ts';

export const SecurityMode = { psk: 0, rawPublicKey: 1, certificate: 2, noSec: 3, certificateWithEst: 4 } as const;
export type SecurityMode = (typeof SecurityMode)[keyof typeof SecurityMode];

export const CertificateUsage = { caConstraint: 0, serviceCertificateConstraint: 1, trustAnchorAssertion: 2, domainIssuedCertificate: 3 } as const;
export type CertificateUsage = (typeof CertificateUsage)[keyof typeof CertificateUsage];

/** The Security object resources DTLS needs. */
export interface SecurityInstanceValues {
  /** /0/x/0 LwM2M Server URI, e.g. coaps://lwm2m.example:5684. */
  readonly serverUri: string;
  /** /0/x/2 Security Mode. */
  readonly securityMode: number;
  /** /0/x/3 Public Key or Identity: PSK identity, or the client certificate (DER) in certificate mode. */
  readonly publicKeyOrIdentity?: Uint8Array;
  /** /0/x/4 Server Public Key: server raw public key, server certificate or trust anchor. */
  readonly serverPublicKey?: Uint8Array;
  /** /0/x/5 Secret Key: the PSK, or the private key. */
  readonly secretKey?: Uint8Array;
  /** /0/x/14 SNI. */
  readonly sni?: string;
  /** /0/x/15 Certificate Usage (default 3). */
  readonly certificateUsage?: number;
  /** /0/x/16 DTLS/TLS Ciphersuite: IANA numbers; empty or absent means no restriction. */
  readonly cipherSuites?: readonly number[];
}

function required(v: Uint8Array | undefined, what: string): Uint8Array {
  if (v === undefined || v.length === 0) throw new TypeError(`LwM2M Security: ${what} is empty`);
  return v;
}

/** The host of a coaps:// URI, without IPv6 brackets. */
export function uriHost(uri: string): string {
  const host = new URL(uri).hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * DTLS client options for a Security instance, or undefined for NoSec. `overrides` (the
 * application's own credentials or DTLS settings) win over the object's values. Throws TypeError
 * for a mode we do not support or values that are missing.
 */
export function dtlsOptionsFromSecurity(values: SecurityInstanceValues, overrides: DtlsClientOptions = {}): DtlsClientOptions | undefined {
  const mode = values.securityMode;
  if (mode === SecurityMode.noSec) return undefined;
  const common: DtlsClientOptions = values.cipherSuites !== undefined && values.cipherSuites.length > 0 ? { cipherSuites: values.cipherSuites } : {};
  const host = uriHost(values.serverUri);
  // SNI (RFC 6066 3; LwM2M /0/x/14 overrides the URI host). The client sends it for host names only;
  // without certificates there is nothing to check it against.
  const sniOnly: DtlsClientOptions = { serverName: values.sni ?? host, checkServerName: false };
  switch (mode) {
    case SecurityMode.psk:
      return { ...common, ...sniOnly, psk: { identity: required(values.publicKeyOrIdentity, 'PSK identity (/0/x/3)'), key: required(values.secretKey, 'PSK (/0/x/5)') }, ...overrides };
    case SecurityMode.rawPublicKey:
      return {
        ...common,
        ...sniOnly,
        rawPublicKey: { privateKey: required(values.secretKey, 'private key (/0/x/5)'), trustedPeerKeys: [required(values.serverPublicKey, 'server public key (/0/x/4)')] },
        ...overrides,
      };
    case SecurityMode.certificate: {
      const server = required(values.serverPublicKey, 'server certificate or trust anchor (/0/x/4)');
      const usage = values.certificateUsage ?? CertificateUsage.domainIssuedCertificate;
      // Without a system trust store, PKIX usages 0 and 1 reduce to their DANE forms 2 and 3.
      const anchor = usage === CertificateUsage.caConstraint || usage === CertificateUsage.trustAnchorAssertion;
      return {
        ...common,
        certificate: { chain: required(values.publicKeyOrIdentity, 'client certificate (/0/x/3)'), privateKey: required(values.secretKey, 'private key (/0/x/5)') },
        ...(anchor ? { trustedCAs: [server], serverName: values.sni ?? host } : { pinnedServerCertificate: server, ...sniOnly }),
        ...overrides,
      };
    }
    default:
      throw new TypeError(`LwM2M Security mode ${mode} is not supported over DTLS`);
  }
}
