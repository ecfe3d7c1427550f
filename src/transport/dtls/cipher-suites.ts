/**
 * The cipher suites we implement: the LwM2M mandatory ones (LwM2M Core 1.1 Transport 5.2.8:
 * TLS_PSK_WITH_AES_128_CCM_8 for PSK, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 for certificates and raw
 * public keys) and the GCM / CBC alternatives. All use the SHA-256 PRF.
 */

/** IANA cipher suite numbers (RFC 6655, RFC 5487, RFC 7251, RFC 5289). */
export const CipherSuite = {
  TLS_PSK_WITH_AES_128_CCM_8: 0xc0a8,
  TLS_PSK_WITH_AES_128_GCM_SHA256: 0x00a8,
  TLS_PSK_WITH_AES_128_CBC_SHA256: 0x00ae,
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 0xc0ae,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
} as const;
export type CipherSuiteName = keyof typeof CipherSuite;
export type CipherSuiteId = (typeof CipherSuite)[CipherSuiteName];

export type KeyExchange = 'psk' | 'ecdhe_ecdsa';
export type BulkCipher = 'aes-128-ccm8' | 'aes-128-gcm' | 'aes-128-cbc-hmac-sha256';

export interface CipherSuiteInfo {
  readonly id: CipherSuiteId;
  readonly name: CipherSuiteName;
  readonly keyExchange: KeyExchange;
  readonly cipher: BulkCipher;
  /** Key block layout (RFC 5246 6.3). */
  readonly macKeyLength: number;
  readonly encKeyLength: number;
  readonly fixedIvLength: number;
}

const AEAD = { macKeyLength: 0, encKeyLength: 16, fixedIvLength: 4 } as const;

export const CIPHER_SUITES: readonly CipherSuiteInfo[] = Object.freeze([
  { id: CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, name: 'TLS_PSK_WITH_AES_128_CCM_8', keyExchange: 'psk', cipher: 'aes-128-ccm8', ...AEAD },
  { id: CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, name: 'TLS_PSK_WITH_AES_128_GCM_SHA256', keyExchange: 'psk', cipher: 'aes-128-gcm', ...AEAD },
  {
    id: CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256,
    name: 'TLS_PSK_WITH_AES_128_CBC_SHA256',
    keyExchange: 'psk',
    cipher: 'aes-128-cbc-hmac-sha256',
    macKeyLength: 32,
    encKeyLength: 16,
    fixedIvLength: 0,
  },
  {
    id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
    keyExchange: 'ecdhe_ecdsa',
    cipher: 'aes-128-ccm8',
    ...AEAD,
  },
  {
    id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    keyExchange: 'ecdhe_ecdsa',
    cipher: 'aes-128-gcm',
    ...AEAD,
  },
]);

const BY_ID = new Map<number, CipherSuiteInfo>(CIPHER_SUITES.map((s) => [s.id, s]));
const BY_NAME = new Map<string, CipherSuiteInfo>(CIPHER_SUITES.map((s) => [s.name, s]));

/** True for block-cipher (CBC + HMAC) suites, the only ones encrypt-then-MAC applies to (RFC 7366 3). */
export function isCbcSuite(suite: CipherSuiteInfo): boolean {
  return suite.cipher === 'aes-128-cbc-hmac-sha256';
}

export function suiteById(id: number): CipherSuiteInfo | undefined {
  return BY_ID.get(id);
}

/**
 * Resolves a configured suite list (names or IANA numbers, e.g. from LwM2M Security /0/x/16, where
 * each value is the 16-bit IANA number) to the suites we implement, keeping the given order.
 * Unknown entries are ignored; an empty result means nothing usable was configured.
 */
export function resolveSuites(list: readonly (CipherSuiteName | number)[] | undefined): CipherSuiteInfo[] {
  if (list === undefined) return [...CIPHER_SUITES];
  const out: CipherSuiteInfo[] = [];
  for (const entry of list) {
    const suite = typeof entry === 'number' ? BY_ID.get(entry) : BY_NAME.get(entry);
    if (suite !== undefined && !out.includes(suite)) out.push(suite);
  }
  return out;
}
