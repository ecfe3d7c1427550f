/**
 * Key and certificate files for the `lwm2m client` DTLS options, read as PEM or DER and turned into
 * the DER forms the LwM2M Security object holds (LwM2M Core 1.1.1 E.1: /0/x/3 client certificate or
 * public key, /0/x/4 server certificate or public key, /0/x/5 private key).
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialFileError } from './errors.ts';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (error as Error).message.split('\n')[0] ?? 'unreadable';
}

function readBytes(file: string, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new CredentialFileError(file, `cannot read ${what} ${file}: ${reason(error)}`, { cause: error });
  }
  if (data.length === 0) throw new CredentialFileError(file, `${what} ${file} is empty`);
  return data;
}

/** The PEM blocks of a file (label and full text), or undefined when the file is not PEM. */
function pemBlocks(data: Buffer): { label: string; text: string }[] | undefined {
  const text = data.toString('latin1');
  if (!text.includes('-----BEGIN ')) return undefined;
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, text: m[0] }));
}

function p256(key: KeyObject, file: string, what: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'P-256')) {
    throw new CredentialFileError(file, `${what} ${file} is not a P-256 (secp256r1) EC key, which DTLS here requires`);
  }
}

/** A certificate file (PEM: its first CERTIFICATE block; or DER) as DER bytes. */
export function readCertificateDer(file: string, what: string): Uint8Array {
  const data = readBytes(file, what);
  const blocks = pemBlocks(data);
  try {
    if (blocks !== undefined) {
      const cert = blocks.find((b) => b.label === 'CERTIFICATE');
      if (cert === undefined) throw new Error('no CERTIFICATE block');
      return new Uint8Array(new X509Certificate(cert.text).raw);
    }
    return new Uint8Array(new X509Certificate(data).raw);
  } catch (error) {
    throw new CredentialFileError(file, `${what} ${file} is not a PEM or DER certificate (${reason(error)})`, { cause: error });
  }
}

/** A private key file (PEM, PKCS#8 DER or SEC1 DER) as PKCS#8 DER, with its public key as SPKI DER. */
export function readPrivateKeyDer(file: string, what: string): { privateDer: Uint8Array; publicDer: Uint8Array } {
  const data = readBytes(file, what);
  let key: KeyObject;
  try {
    if (pemBlocks(data) !== undefined) key = createPrivateKey(data);
    else {
      try {
        key = createPrivateKey({ key: data, format: 'der', type: 'pkcs8' });
      } catch {
        key = createPrivateKey({ key: data, format: 'der', type: 'sec1' });
      }
    }
  } catch (error) {
    throw new CredentialFileError(file, `${what} ${file} is not a PEM or DER private key (${reason(error)})`, { cause: error });
  }
  p256(key, file, what);
  return {
    privateDer: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
    publicDer: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })),
  };
}

/**
 * A public key file as SPKI DER: a PEM or DER public key, or a certificate (its key is taken), the
 * forms a server's raw public key is usually handed out in.
 */
export function readPublicKeyDer(file: string, what: string): Uint8Array {
  const data = readBytes(file, what);
  const blocks = pemBlocks(data);
  let key: KeyObject;
  try {
    const cert = blocks?.find((b) => b.label === 'CERTIFICATE');
    if (cert !== undefined) key = new X509Certificate(cert.text).publicKey;
    else if (blocks !== undefined) key = createPublicKey(data);
    else {
      try {
        key = createPublicKey({ key: data, format: 'der', type: 'spki' });
      } catch {
        key = new X509Certificate(data).publicKey;
      }
    }
  } catch (error) {
    throw new CredentialFileError(file, `${what} ${file} is not a PEM or DER public key or certificate (${reason(error)})`, { cause: error });
  }
  p256(key, file, what);
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}
