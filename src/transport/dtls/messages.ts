/**
 * Handshake message bodies of DTLS 1.2 (RFC 6347 4.3.2, RFC 5246 7.4, RFC 4279 2, RFC 8422 5,
 * RFC 7250 3): pure encoders and decoders. Decoders throw DtlsError with a decode_error alert.
 */
import { AlertDescription } from './constants.ts';
import { ByteReader, ByteWriter, alertError } from './bytes.ts';
import { decodeExtensions, encodeExtensions, type Extension } from './extensions.ts';

export interface ClientHello {
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cookie: Buffer;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: readonly number[];
  readonly extensions: readonly Extension[];
}

export function encodeClientHello(m: ClientHello): Buffer {
  const w = new ByteWriter().u16(m.version).bytes(m.random).vec8(m.sessionId).vec8(m.cookie);
  const suites = new ByteWriter();
  for (const s of m.cipherSuites) suites.u16(s);
  w.vec16(suites.finish()).vec8(Buffer.from(m.compressionMethods));
  encodeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeClientHello(body: Buffer): ClientHello {
  const r = new ByteReader(body);
  const version = r.u16('client_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec8('session_id');
  if (sessionId.length > 32) throw alertError(AlertDescription.decodeError, 'session_id longer than 32 bytes');
  const cookie = r.vec8('cookie');
  const suitesRaw = r.vec16('cipher_suites');
  if (suitesRaw.length < 2 || suitesRaw.length % 2 !== 0) throw alertError(AlertDescription.decodeError, 'bad cipher_suites length');
  const cipherSuites: number[] = [];
  for (let i = 0; i < suitesRaw.length; i += 2) cipherSuites.push(suitesRaw.readUInt16BE(i));
  const compression = r.vec8('compression_methods');
  if (compression.length < 1) throw alertError(AlertDescription.decodeError, 'no compression methods');
  const extensions = decodeExtensions(r);
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods: [...compression], extensions };
}

export interface ServerHello {
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: readonly Extension[];
}

export function encodeServerHello(m: ServerHello): Buffer {
  const w = new ByteWriter().u16(m.version).bytes(m.random).vec8(m.sessionId).u16(m.cipherSuite).u8(m.compressionMethod);
  encodeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeServerHello(body: Buffer): ServerHello {
  const r = new ByteReader(body);
  const version = r.u16('server_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec8('session_id');
  if (sessionId.length > 32) throw alertError(AlertDescription.decodeError, 'session_id longer than 32 bytes');
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('compression_method');
  const extensions = decodeExtensions(r);
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}

/** HelloVerifyRequest (RFC 6347 4.2.1). */
export function encodeHelloVerifyRequest(version: number, cookie: Buffer): Buffer {
  return new ByteWriter().u16(version).vec8(cookie).finish();
}

export function decodeHelloVerifyRequest(body: Buffer): { version: number; cookie: Buffer } {
  const r = new ByteReader(body);
  const version = r.u16('server_version');
  const cookie = r.vec8('cookie');
  r.end('HelloVerifyRequest');
  return { version, cookie };
}

/** An X.509 Certificate message: certificate_list of DER certificates (RFC 5246 7.4.2). */
export function encodeCertificateList(ders: readonly Uint8Array[]): Buffer {
  const list = new ByteWriter();
  for (const d of ders) list.vec24(d);
  return new ByteWriter().vec24(list.finish()).finish();
}

export function decodeCertificateList(body: Buffer): Buffer[] {
  const r = new ByteReader(body);
  const list = new ByteReader(r.vec24('certificate_list'));
  r.end('Certificate');
  const out: Buffer[] = [];
  while (list.remaining > 0) {
    const cert = list.vec24('certificate');
    if (cert.length === 0) throw alertError(AlertDescription.decodeError, 'empty certificate');
    out.push(cert);
  }
  return out;
}

/** A raw public key Certificate message: one SubjectPublicKeyInfo (RFC 7250 3). */
export function encodeRawPublicKey(spki: Uint8Array): Buffer {
  return new ByteWriter().vec24(spki).finish();
}

export function decodeRawPublicKey(body: Buffer): Buffer {
  const r = new ByteReader(body);
  const spki = r.vec24('ASN.1_subjectPublicKeyInfo');
  r.end('Certificate');
  return spki;
}

/** ServerECDHParams plus the signature over them (RFC 8422 5.4). */
export interface EcdheServerKeyExchange {
  readonly curveType: number;
  readonly namedCurve: number;
  readonly publicKey: Buffer;
  /** The bytes the signature covers after the randoms: curve type, curve and point. */
  readonly params: Buffer;
  readonly signatureScheme: number;
  readonly signature: Buffer;
}

export function encodeEcdheParams(curveType: number, namedCurve: number, publicKey: Buffer): Buffer {
  return new ByteWriter().u8(curveType).u16(namedCurve).vec8(publicKey).finish();
}

export function encodeEcdheServerKeyExchange(params: Buffer, signatureScheme: number, signature: Buffer): Buffer {
  return new ByteWriter().bytes(params).u16(signatureScheme).vec16(signature).finish();
}

export function decodeEcdheServerKeyExchange(body: Buffer): EcdheServerKeyExchange {
  const r = new ByteReader(body);
  const curveType = r.u8('curve_type');
  const namedCurve = r.u16('named_curve');
  const publicKey = r.vec8('public');
  const params = body.subarray(0, r.offset);
  const signatureScheme = r.u16('signature algorithm');
  const signature = r.vec16('signature');
  r.end('ServerKeyExchange');
  return { curveType, namedCurve, publicKey, params, signatureScheme, signature };
}

/** PSK ServerKeyExchange: psk_identity_hint (RFC 4279 2). */
export function encodeOpaque16(value: Uint8Array): Buffer {
  return new ByteWriter().vec16(value).finish();
}

export function decodeOpaque16(body: Buffer, what: string): Buffer {
  const r = new ByteReader(body);
  const v = r.vec16(what);
  r.end(what);
  return v;
}

/** ECDHE ClientKeyExchange: ecdh_Yc (RFC 8422 5.7). */
export function encodeOpaque8(value: Uint8Array): Buffer {
  return new ByteWriter().vec8(value).finish();
}

export function decodeOpaque8(body: Buffer, what: string): Buffer {
  const r = new ByteReader(body);
  const v = r.vec8(what);
  r.end(what);
  return v;
}

export interface CertificateRequest {
  readonly certificateTypes: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly authorities: readonly Buffer[];
}

/** CertificateRequest (RFC 5246 7.4.4). */
export function encodeCertificateRequest(m: CertificateRequest): Buffer {
  const algs = new ByteWriter();
  for (const s of m.signatureSchemes) algs.u16(s);
  const cas = new ByteWriter();
  for (const a of m.authorities) cas.vec16(a);
  return new ByteWriter().vec8(Buffer.from(m.certificateTypes)).vec16(algs.finish()).vec16(cas.finish()).finish();
}

export function decodeCertificateRequest(body: Buffer): CertificateRequest {
  const r = new ByteReader(body);
  const certificateTypes = [...r.vec8('certificate_types')];
  const algsRaw = r.vec16('supported_signature_algorithms');
  if (algsRaw.length % 2 !== 0) throw alertError(AlertDescription.decodeError, 'odd signature algorithm list');
  const signatureSchemes: number[] = [];
  for (let i = 0; i < algsRaw.length; i += 2) signatureSchemes.push(algsRaw.readUInt16BE(i));
  const casReader = new ByteReader(r.vec16('certificate_authorities'));
  const authorities: Buffer[] = [];
  while (casReader.remaining > 0) authorities.push(casReader.vec16('distinguished name'));
  r.end('CertificateRequest');
  return { certificateTypes, signatureSchemes, authorities };
}

/** digitally-signed struct: SignatureAndHashAlgorithm + signature (CertificateVerify, RFC 5246 7.4.8). */
export function encodeSigned(signatureScheme: number, signature: Buffer): Buffer {
  return new ByteWriter().u16(signatureScheme).vec16(signature).finish();
}

export function decodeSigned(body: Buffer): { signatureScheme: number; signature: Buffer } {
  const r = new ByteReader(body);
  const signatureScheme = r.u16('signature algorithm');
  const signature = r.vec16('signature');
  r.end('CertificateVerify');
  return { signatureScheme, signature };
}
