/**
 * Numbers of the DTLS 1.2 wire protocol (RFC 6347, RFC 5246 and the extension RFCs named below).
 */

/** DTLS 1.2 protocol version on the wire (RFC 6347 4.1: ~{1,2}). */
export const DTLS_1_2 = 0xfefd;
/** DTLS 1.0, still used by some peers as the record version of a first ClientHello (RFC 6347 4.1). */
export const DTLS_1_0 = 0xfeff;

/** Record content types (RFC 5246 6.2.1, RFC 9146 4 for tls12_cid). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  tls12Cid: 25,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** Handshake message types (RFC 5246 7.4, RFC 6347 4.3.2). */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** Alert levels (RFC 5246 7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** Alert descriptions (RFC 5246 7.2, RFC 6066 3 for unrecognized_name, RFC 4279 2 for unknown_psk_identity). */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateRevoked: 44,
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  unknownCa: 48,
  accessDenied: 49,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  userCanceled: 90,
  noRenegotiation: 100,
  unsupportedExtension: 110,
  unrecognizedName: 112,
  unknownPskIdentity: 115,
} as const;
export type AlertDescription = (typeof AlertDescription)[keyof typeof AlertDescription];

const ALERT_NAMES = new Map<number, string>(
  Object.entries(AlertDescription).map(([name, value]) => [value, name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]),
);

/** The RFC name of an alert description, e.g. 20 -> "bad_record_mac". */
export function alertName(description: number): string {
  return ALERT_NAMES.get(description) ?? `alert_${description}`;
}

/** Hello extension types (RFC 6066, 8422, 5246, 7250, 7366, 7627, 9146, 5746). */
export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  clientCertificateType: 19,
  serverCertificateType: 20,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  sessionTicket: 35,
  connectionId: 54,
  renegotiationInfo: 0xff01,
} as const;

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3). */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** The only named group we implement: secp256r1 (RFC 8422 5.1.1). */
export const NAMED_GROUP_SECP256R1 = 23;
/** ECPointFormat uncompressed (RFC 8422 5.1.2). */
export const POINT_FORMAT_UNCOMPRESSED = 0;
/** SignatureScheme ecdsa_secp256r1_sha256: hash sha256 (4), signature ecdsa (3) (RFC 5246 7.4.1.4.1). */
export const SIGNATURE_ECDSA_SHA256 = 0x0403;
/** ClientCertificateType ecdsa_sign (RFC 8422 5.5). */
export const CERTIFICATE_TYPE_ECDSA_SIGN = 64;
/** ECCurveType named_curve (RFC 8422 5.4). */
export const EC_CURVE_TYPE_NAMED = 3;

/** Certificate types of RFC 7250 3. */
export const CertificateType = { x509: 0, rawPublicKey: 2 } as const;
export type CertificateType = (typeof CertificateType)[keyof typeof CertificateType];

/** Record header length without a connection ID (RFC 6347 4.1). */
export const RECORD_HEADER_LENGTH = 13;
/** Handshake message header length (RFC 6347 4.2.2). */
export const HANDSHAKE_HEADER_LENGTH = 12;
/** Largest sequence number of an epoch (48 bits). */
export const MAX_SEQUENCE = 2 ** 48 - 1;
