/**
 * Loading keys and certificates (PEM or DER, or the raw P-256 forms LwM2M Security objects carry)
 * and verifying a peer's X.509 chain (RFC 5280 path building, simplified: signature, issuer/subject
 * chaining, CA flag, validity dates) and host name (LwM2M Core 1.1 Transport 5.2.8.5 / RFC 6125:
 * subjectAltName, else the subject CN).
 */
import { X509Certificate, createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AlertDescription } from './constants.ts';
import { alertError } from './bytes.ts';

/** A certificate: PEM text (may hold several), DER bytes, or a parsed X509Certificate. */
export type CertificateInput = string | Uint8Array | X509Certificate;
/**
 * A key: PEM text, DER (PKCS#8 or SEC1 private, SubjectPublicKeyInfo public), a KeyObject, or for
 * P-256 the raw forms: a 32-byte private scalar, a 64-byte X||Y or 65-byte 04||X||Y public point.
 */
export type KeyInput = string | Uint8Array | KeyObject;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

function isPemText(input: string | Uint8Array): boolean {
  const head = typeof input === 'string' ? input.slice(0, 64) : Buffer.from(input.subarray(0, 64)).toString('latin1');
  return head.includes('-----BEGIN');
}

function badInput(message: string, cause?: unknown): Error {
  return new TypeError(message, cause === undefined ? undefined : { cause });
}

/** Parses one or more certificates (a PEM bundle yields all of them, in order). */
export function loadCertificates(input: CertificateInput | readonly CertificateInput[]): X509Certificate[] {
  if (Array.isArray(input)) return (input as readonly CertificateInput[]).flatMap((i) => loadCertificates(i));
  const one = input as CertificateInput;
  if (one instanceof X509Certificate) return [one];
  try {
    if (isPemText(one)) {
      const text = typeof one === 'string' ? one : Buffer.from(one).toString('latin1');
      const blocks = text.match(PEM_CERT) ?? [];
      if (blocks.length === 0) throw badInput('no CERTIFICATE block in PEM text');
      return blocks.map((b) => new X509Certificate(b));
    }
    if (typeof one === 'string') throw badInput('a certificate string must be PEM');
    return [new X509Certificate(Buffer.from(one))];
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw badInput(`cannot parse certificate: ${(error as Error).message}`, error);
  }
}

/** Loads a private key; throws TypeError when it cannot be parsed. */
export function loadPrivateKey(input: KeyInput): KeyObject {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    if (input.type !== 'private') throw badInput('expected a private key');
    return input;
  }
  try {
    if (isPemText(input)) return createPrivateKey(typeof input === 'string' ? input : Buffer.from(input));
    if (typeof input === 'string') throw badInput('a key string must be PEM');
    const der = Buffer.from(input);
    if (der.length === 32) return rawP256PrivateKey(der);
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
    }
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw badInput(`cannot parse private key: ${(error as Error).message}`, error);
  }
}

function rawP256PrivateKey(d: Buffer): KeyObject {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  return createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

/** Loads a public key (or takes the public half of a private key). */
export function loadPublicKey(input: KeyInput): KeyObject {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return input.type === 'public' ? input : createPublicKey(input);
  try {
    if (isPemText(input)) return createPublicKey(typeof input === 'string' ? input : Buffer.from(input));
    if (typeof input === 'string') throw badInput('a key string must be PEM');
    let der = Buffer.from(input);
    if (der.length === 64) der = Buffer.concat([P256_SPKI_PREFIX, Buffer.from([4]), der]);
    else if (der.length === 65 && der[0] === 4) der = Buffer.concat([P256_SPKI_PREFIX, der]);
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw badInput(`cannot parse public key: ${(error as Error).message}`, error);
  }
}

/** DER SubjectPublicKeyInfo of a key. */
export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  return pub.export({ format: 'der', type: 'spki' });
}

/** True for an EC key on P-256, the only curve our ECDHE_ECDSA suites sign with. */
export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

export interface ChainCheck {
  /** Trust anchors; a presented certificate equal to one of them is trusted as is. */
  readonly trusted: readonly X509Certificate[];
  /** Wall-clock time the validity dates are checked against (ms since the epoch). */
  readonly now: number;
  /** Host name or IP address the end-entity certificate must be issued for. */
  readonly host?: string | undefined;
}

const MAX_DEPTH = 8;

function checkDates(cert: X509Certificate, now: number): void {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (!(now >= from && now <= to)) {
    throw alertError(AlertDescription.certificateExpired, `certificate "${cert.subject.replace(/\n/g, ', ')}" is not valid now (valid ${cert.validFrom} to ${cert.validTo})`);
  }
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies a presented chain (end-entity first) against trust anchors. Throws DtlsError with the
 * alert to send: certificate_expired, unknown_ca or bad_certificate.
 */
export function verifyCertificateChain(chain: readonly X509Certificate[], check: ChainCheck): void {
  const leaf = chain[0];
  if (leaf === undefined) throw alertError(AlertDescription.badCertificate, 'peer sent no certificate');
  for (const c of chain) checkDates(c, check.now);
  let current = leaf;
  let trustedPath = check.trusted.some((t) => t.raw.equals(leaf.raw));
  for (let depth = 0; !trustedPath && depth < MAX_DEPTH; depth++) {
    const anchor = check.trusted.find((t) => issuedBy(current, t));
    if (anchor !== undefined) {
      checkDates(anchor, check.now);
      trustedPath = true;
      break;
    }
    const next = chain.find((c) => c !== current && c.ca && issuedBy(current, c));
    if (next === undefined) break;
    current = next;
  }
  if (!trustedPath) throw alertError(AlertDescription.unknownCa, 'certificate chain does not lead to a trusted CA');
  if (check.host !== undefined && check.host !== '') checkHostName(leaf, check.host);
}

/** Throws bad_certificate unless the certificate names `host` (SAN dNSName/iPAddress, else CN). */
export function checkHostName(cert: X509Certificate, host: string): void {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  let ok: boolean;
  if (isIP(bare) !== 0) {
    // RFC 6125 has no CN fallback for IP addresses, but LwM2M deployments addressed by IP often put
    // the address in the CN of a certificate without any subjectAltName; accept exactly that case.
    ok = cert.checkIP(bare) !== undefined || (cert.subjectAltName === undefined && commonName(cert) === bare);
  } else {
    ok = cert.checkHost(bare) !== undefined;
  }
  if (!ok) throw alertError(AlertDescription.badCertificate, `certificate is not issued for host ${bare}`);
}

function commonName(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  return undefined;
}
