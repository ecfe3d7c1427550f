/** DTLS 1.2 (RFC 6347) on node:crypto: the transport and the types its users configure it with. */
export { DtlsTransport, type DtlsSessionInfo, type DtlsHandshakeHandler, type DtlsPeerMovedHandler } from './dtls-transport.ts';
export type {
  CertificateCredentials,
  CertificateSelector,
  ClientPsk,
  DtlsClientOptions,
  DtlsCommonOptions,
  DtlsServerOptions,
  NamedCertificateCredentials,
  PeerCredentials,
  PskCredentials,
  RawPublicKeyCredentials,
  ServerPsk,
} from './options.ts';
export { CipherSuite, type CipherSuiteName, type CipherSuiteId } from './cipher-suites.ts';
export { AlertDescription, alertName } from './constants.ts';
export { loadCertificates, loadPrivateKey, loadPublicKey, spkiOf, type CertificateInput, type KeyInput } from './credentials.ts';
export { dtlsOptionsFromSecurity, uriHost, SecurityMode, CertificateUsage, type SecurityInstanceValues } from './lwm2m-security.ts';
