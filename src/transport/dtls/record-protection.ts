/**
 * Record payload protection for one direction of one epoch: AES-CCM with 8-byte tags (RFC 6655),
 * AES-GCM (RFC 5288) and AES-CBC with HMAC-SHA256, either MAC-then-encrypt (RFC 5246 6.2.3.2) or,
 * when negotiated, encrypt-then-MAC (RFC 7366 3). The record layer supplies the additional data,
 * which differs between the plain record format (RFC 6347 4.1.2.1) and the connection ID format
 * (RFC 9146 5).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CipherSuiteInfo } from './cipher-suites.ts';
import { keyBlock } from './prf.ts';

/** Builds the additional authenticated data for a given plaintext length. */
export type AadBuilder = (plaintextLength: number) => Buffer;

export interface RecordProtection {
  /** Largest number of bytes protection adds to a plaintext of `plaintextLength` bytes. */
  overhead(plaintextLength: number): number;
  /**
   * Protects `plaintext`; `nonce` is the 8-byte epoch + sequence number, used as the explicit
   * AEAD nonce (RFC 5288 3 allows any unique value; the record sequence number is the usual choice).
   */
  seal(nonce: Buffer, aad: AadBuilder, plaintext: Buffer): Buffer;
  /** Returns the plaintext, or undefined when the fragment does not authenticate. Never throws. */
  open(aad: AadBuilder, fragment: Buffer): Buffer | undefined;
}

/** Epoch 0: no protection (RFC 5246 6.1, TLS_NULL_WITH_NULL_NULL). */
export const NULL_PROTECTION: RecordProtection = Object.freeze({
  overhead: () => 0,
  seal: (_nonce: Buffer, _aad: AadBuilder, plaintext: Buffer) => plaintext,
  open: (_aad: AadBuilder, fragment: Buffer) => fragment,
});

const EXPLICIT_NONCE = 8;

/** AES-128-CCM_8 or AES-128-GCM record protection (RFC 5246 6.2.3.3). */
export class AeadProtection implements RecordProtection {
  readonly #algorithm: 'aes-128-ccm' | 'aes-128-gcm';
  readonly #tagLength: number;
  readonly #key: Buffer;
  readonly #salt: Buffer;

  constructor(kind: 'ccm8' | 'gcm', key: Buffer, salt: Buffer) {
    this.#algorithm = kind === 'ccm8' ? 'aes-128-ccm' : 'aes-128-gcm';
    this.#tagLength = kind === 'ccm8' ? 8 : 16;
    this.#key = key;
    this.#salt = salt;
  }

  overhead(): number {
    return EXPLICIT_NONCE + this.#tagLength;
  }

  seal(nonce: Buffer, aad: AadBuilder, plaintext: Buffer): Buffer {
    const iv = Buffer.concat([this.#salt, nonce]);
    const out = Buffer.allocUnsafe(EXPLICIT_NONCE + plaintext.length + this.#tagLength);
    nonce.copy(out, 0, 0, EXPLICIT_NONCE);
    if (this.#algorithm === 'aes-128-ccm') {
      const c = createCipheriv('aes-128-ccm', this.#key, iv, { authTagLength: 8 });
      c.setAAD(aad(plaintext.length), { plaintextLength: plaintext.length });
      c.update(plaintext).copy(out, EXPLICIT_NONCE);
      c.final();
      c.getAuthTag().copy(out, EXPLICIT_NONCE + plaintext.length);
    } else {
      const c = createCipheriv('aes-128-gcm', this.#key, iv, { authTagLength: 16 });
      c.setAAD(aad(plaintext.length));
      c.update(plaintext).copy(out, EXPLICIT_NONCE);
      c.final();
      c.getAuthTag().copy(out, EXPLICIT_NONCE + plaintext.length);
    }
    return out;
  }

  open(aad: AadBuilder, fragment: Buffer): Buffer | undefined {
    const length = fragment.length - EXPLICIT_NONCE - this.#tagLength;
    if (length < 0) return undefined;
    const iv = Buffer.concat([this.#salt, fragment.subarray(0, EXPLICIT_NONCE)]);
    const body = fragment.subarray(EXPLICIT_NONCE, EXPLICIT_NONCE + length);
    const tag = fragment.subarray(EXPLICIT_NONCE + length);
    try {
      if (this.#algorithm === 'aes-128-ccm') {
        const d = createDecipheriv('aes-128-ccm', this.#key, iv, { authTagLength: 8 });
        d.setAuthTag(tag);
        d.setAAD(aad(length), { plaintextLength: length });
        const plain = d.update(body);
        d.final();
        return plain;
      }
      const d = createDecipheriv('aes-128-gcm', this.#key, iv, { authTagLength: 16 });
      d.setAuthTag(tag);
      d.setAAD(aad(length));
      const plain = d.update(body);
      d.final();
      return plain;
    } catch {
      return undefined;
    }
  }
}

const BLOCK = 16;
const MAC_LENGTH = 32;

/** AES-128-CBC with HMAC-SHA256, MAC-then-encrypt with an explicit IV (RFC 5246 6.2.3.2). */
export class CbcHmacProtection implements RecordProtection {
  readonly #key: Buffer;
  readonly #macKey: Buffer;

  constructor(key: Buffer, macKey: Buffer) {
    this.#key = key;
    this.#macKey = macKey;
  }

  overhead(plaintextLength: number): number {
    const padded = Math.ceil((plaintextLength + MAC_LENGTH + 1) / BLOCK) * BLOCK;
    return BLOCK + padded - plaintextLength;
  }

  seal(_nonce: Buffer, aad: AadBuilder, plaintext: Buffer): Buffer {
    const mac = createHmac('sha256', this.#macKey).update(aad(plaintext.length)).update(plaintext).digest();
    const unpadded = plaintext.length + MAC_LENGTH + 1;
    const padLength = (BLOCK - (unpadded % BLOCK)) % BLOCK;
    const padding = Buffer.alloc(padLength + 1, padLength);
    const iv = randomBytes(BLOCK);
    const c = createCipheriv('aes-128-cbc', this.#key, iv).setAutoPadding(false);
    return Buffer.concat([iv, c.update(plaintext), c.update(mac), c.update(padding), c.final()]);
  }

  open(aad: AadBuilder, fragment: Buffer): Buffer | undefined {
    if (fragment.length < BLOCK + 3 * BLOCK || fragment.length % BLOCK !== 0) return undefined;
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-128-cbc', this.#key, fragment.subarray(0, BLOCK)).setAutoPadding(false);
      plain = Buffer.concat([d.update(fragment.subarray(BLOCK)), d.final()]);
    } catch {
      return undefined;
    }
    // Check padding and MAC without branching on which one failed, so that an attacker cannot tell
    // them apart by timing (a partial Lucky13 mitigation; DTLS also drops bad records silently).
    const padLength = plain[plain.length - 1]!;
    let good = padLength + 1 + MAC_LENGTH <= plain.length ? 1 : 0;
    const checked = Math.min(padLength + 1, plain.length);
    for (let i = 1; i <= checked; i++) good &= plain[plain.length - i] === padLength ? 1 : 0;
    const dataLength = good === 1 ? plain.length - padLength - 1 - MAC_LENGTH : plain.length - 1 - MAC_LENGTH;
    const data = plain.subarray(0, dataLength);
    const expected = createHmac('sha256', this.#macKey).update(aad(dataLength)).update(data).digest();
    const macOk = timingSafeEqual(expected, plain.subarray(dataLength, dataLength + MAC_LENGTH));
    return good === 1 && macOk ? data : undefined;
  }
}

/** A source of fresh CBC IVs; tests pass a fixed one to check known answers. */
export type IvSource = () => Buffer;

const randomIv: IvSource = () => randomBytes(BLOCK);

/** content + padding + padding_length, padded to the block size (RFC 5246 6.2.3.2), no MAC inside. */
function etmPadding(contentLength: number): Buffer {
  const padLength = (BLOCK - ((contentLength + 1) % BLOCK)) % BLOCK;
  return Buffer.alloc(padLength + 1, padLength);
}

/**
 * AES-128-CBC with HMAC-SHA256, encrypt-then-MAC (RFC 7366 3): the fragment is
 * IV || ENC(content || padding || padding_length) || MAC, where MAC = HMAC(mac_key, additional
 * data || IV || ciphertext) and the length in the additional data is that of IV || ciphertext.
 * The MAC is checked before anything is decrypted, so there is no padding oracle.
 */
export class CbcEtmProtection implements RecordProtection {
  readonly #key: Buffer;
  readonly #macKey: Buffer;
  readonly #iv: IvSource;

  constructor(key: Buffer, macKey: Buffer, iv: IvSource = randomIv) {
    this.#key = key;
    this.#macKey = macKey;
    this.#iv = iv;
  }

  overhead(plaintextLength: number): number {
    const padded = Math.ceil((plaintextLength + 1) / BLOCK) * BLOCK;
    return BLOCK + padded - plaintextLength + MAC_LENGTH;
  }

  seal(_nonce: Buffer, aad: AadBuilder, plaintext: Buffer): Buffer {
    const iv = this.#iv();
    if (iv.length !== BLOCK) throw new RangeError('CBC IV must be 16 bytes');
    const c = createCipheriv('aes-128-cbc', this.#key, iv).setAutoPadding(false);
    const body = Buffer.concat([iv, c.update(plaintext), c.update(etmPadding(plaintext.length)), c.final()]);
    const mac = createHmac('sha256', this.#macKey).update(aad(body.length)).update(body).digest();
    return Buffer.concat([body, mac]);
  }

  open(aad: AadBuilder, fragment: Buffer): Buffer | undefined {
    const bodyLength = fragment.length - MAC_LENGTH;
    // At least the IV and one block, and whole blocks only (RFC 7366 3: checked before the MAC is fine, it is public).
    if (bodyLength < 2 * BLOCK || bodyLength % BLOCK !== 0) return undefined;
    const body = fragment.subarray(0, bodyLength);
    const expected = createHmac('sha256', this.#macKey).update(aad(bodyLength)).update(body).digest();
    if (!timingSafeEqual(expected, fragment.subarray(bodyLength))) return undefined;
    let plain: Buffer;
    try {
      const d = createDecipheriv('aes-128-cbc', this.#key, body.subarray(0, BLOCK)).setAutoPadding(false);
      plain = Buffer.concat([d.update(body.subarray(BLOCK)), d.final()]);
    } catch {
      return undefined;
    }
    // The MAC authenticated the ciphertext, so the padding can be checked plainly; a bad one
    // means the peer is broken, and the record is dropped like any other that fails.
    const padLength = plain[plain.length - 1]!;
    if (padLength + 1 > plain.length) return undefined;
    for (let i = plain.length - padLength - 1; i < plain.length - 1; i++) if (plain[i] !== padLength) return undefined;
    return plain.subarray(0, plain.length - padLength - 1);
  }
}

export interface DirectionalProtections {
  readonly read: RecordProtection;
  readonly write: RecordProtection;
}

/**
 * Expands the key block (RFC 5246 6.3) and builds both directions for the given role.
 * `encryptThenMac` (RFC 7366) applies to the CBC suite only; AEAD suites ignore it.
 */
export function protectionsFor(
  suite: CipherSuiteInfo,
  master: Buffer,
  clientRandom: Buffer,
  serverRandom: Buffer,
  role: 'client' | 'server',
  encryptThenMac = false,
): DirectionalProtections {
  const { macKeyLength: m, encKeyLength: k, fixedIvLength: v } = suite;
  const block = keyBlock(master, clientRandom, serverRandom, 2 * (m + k + v));
  let off = 0;
  const take = (n: number): Buffer => {
    const part = block.subarray(off, off + n);
    off += n;
    return part;
  };
  const clientMac = take(m);
  const serverMac = take(m);
  const clientKey = take(k);
  const serverKey = take(k);
  const clientIv = take(v);
  const serverIv = take(v);
  const make = (key: Buffer, mac: Buffer, iv: Buffer): RecordProtection =>
    suite.cipher === 'aes-128-cbc-hmac-sha256'
      ? encryptThenMac
        ? new CbcEtmProtection(key, mac)
        : new CbcHmacProtection(key, mac)
      : new AeadProtection(suite.cipher === 'aes-128-ccm8' ? 'ccm8' : 'gcm', key, iv);
  const client = make(clientKey, clientMac, clientIv);
  const server = make(serverKey, serverMac, serverIv);
  return role === 'client' ? { read: server, write: client } : { read: client, write: server };
}
