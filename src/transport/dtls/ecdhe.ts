/**
 * ECDHE on secp256r1 (RFC 8422 5.4, 5.7) and ECDSA-SHA256 signatures in the DER form TLS carries
 * (RFC 8422 5.10).
 */
import { createECDH, sign, verify, type KeyObject } from 'node:crypto';
import { AlertDescription } from './constants.ts';
import { alertError } from './bytes.ts';

export interface EphemeralKey {
  /** Our public point, uncompressed (0x04 || X || Y). */
  readonly publicKey: Buffer;
  /** The shared secret (X coordinate) with the peer's point; throws illegal_parameter for a bad point. */
  secret(peerPoint: Buffer): Buffer;
}

export function newEphemeralKey(): EphemeralKey {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  return {
    publicKey,
    secret(peerPoint: Buffer): Buffer {
      if (peerPoint.length !== 65 || peerPoint[0] !== 4) throw alertError(AlertDescription.illegalParameter, 'ECDH point is not an uncompressed P-256 point');
      try {
        return ecdh.computeSecret(peerPoint);
      } catch (error) {
        throw alertError(AlertDescription.illegalParameter, 'invalid ECDH public point', error);
      }
    },
  };
}

export function signSha256(key: KeyObject, data: Buffer): Buffer {
  return sign('sha256', data, { key, dsaEncoding: 'der' });
}

export function verifySha256(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
