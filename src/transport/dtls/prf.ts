/**
 * The TLS 1.2 pseudo-random function with SHA-256 (RFC 5246 5) and the secrets derived with it:
 * master secret (RFC 5246 8.1), extended master secret (RFC 7627 4), key block (RFC 5246 6.3) and
 * Finished verify_data (RFC 5246 7.4.9). Every suite we implement uses the SHA-256 PRF.
 */
import { createHash, createHmac } from 'node:crypto';

/** P_SHA256(secret, label + seed) truncated to `length` bytes (RFC 5246 5). */
export function prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out = Buffer.allocUnsafe(length);
  let a: Buffer = labelSeed;
  let written = 0;
  while (written < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const block = createHmac('sha256', secret).update(a).update(labelSeed).digest();
    written += block.copy(out, written, 0, Math.min(block.length, length - written));
  }
  return out;
}

/** master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function masterSecret(preMaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Buffer {
  return prf(preMaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48);
}

/** RFC 7627 4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]. */
export function extendedMasterSecret(preMaster: Uint8Array, sessionHash: Uint8Array): Buffer {
  return prf(preMaster, 'extended master secret', sessionHash, 48);
}

/** key_block = PRF(master_secret, "key expansion", server_random + client_random). */
export function keyBlock(master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Buffer {
  return prf(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/** verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData(master: Uint8Array, sender: 'client' | 'server', handshakeHash: Uint8Array): Buffer {
  return prf(master, `${sender} finished`, handshakeHash, 12);
}

/** The PSK pre-master secret of RFC 4279 2: uint16 N, N zero bytes, uint16 N, psk. */
export function pskPreMasterSecret(psk: Uint8Array): Buffer {
  const n = psk.length;
  const out = Buffer.alloc(4 + 2 * n);
  out.writeUInt16BE(n, 0);
  out.writeUInt16BE(n, 2 + n);
  out.set(psk, 4 + n);
  return out;
}

export function sha256(...parts: readonly Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}
