import type { HashName } from './hkdf.js';

export type AeadAlg = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** TLS 1.3 cipher suites (RFC 8446 B.4) we can decrypt. */
export const TLS13_SUITES: ReadonlyMap<number, { aead: AeadAlg; keyLen: number; hash: HashName }> = new Map([
  [0x1301, { aead: 'aes-128-gcm', keyLen: 16, hash: 'sha256' }],
  [0x1302, { aead: 'aes-256-gcm', keyLen: 32, hash: 'sha384' }],
  [0x1303, { aead: 'chacha20-poly1305', keyLen: 32, hash: 'sha256' }],
] as const);

export type Tls12Suite =
  | { kind: 'gcm'; aead: 'aes-128-gcm' | 'aes-256-gcm'; keyLen: number; prf: HashName }
  | { kind: 'chacha'; aead: 'chacha20-poly1305'; keyLen: 32; prf: HashName }
  | { kind: 'cbc'; cipher: 'aes-128-cbc' | 'aes-256-cbc'; keyLen: number; mac: 'sha1' | 'sha256' | 'sha384'; prf: HashName };

const gcm128: Tls12Suite = { kind: 'gcm', aead: 'aes-128-gcm', keyLen: 16, prf: 'sha256' };
const gcm256: Tls12Suite = { kind: 'gcm', aead: 'aes-256-gcm', keyLen: 32, prf: 'sha384' };
const chacha: Tls12Suite = { kind: 'chacha', aead: 'chacha20-poly1305', keyLen: 32, prf: 'sha256' };
const cbc = (keyLen: 16 | 32, mac: 'sha1' | 'sha256' | 'sha384'): Tls12Suite =>
  ({ kind: 'cbc', cipher: keyLen === 16 ? 'aes-128-cbc' : 'aes-256-cbc', keyLen, mac, prf: mac === 'sha384' ? 'sha384' : 'sha256' });

/** TLS 1.2 suites (IANA TLS Cipher Suites registry) with AES-GCM, ChaCha20-Poly1305 or AES-CBC + HMAC. */
export const TLS12_SUITES: ReadonlyMap<number, Tls12Suite> = new Map([
  [0x009c, gcm128], [0x009d, gcm256], [0x009e, gcm128], [0x009f, gcm256],
  [0xc02b, gcm128], [0xc02c, gcm256], [0xc02f, gcm128], [0xc030, gcm256],
  [0xcca8, chacha], [0xcca9, chacha], [0xccaa, chacha],
  [0x002f, cbc(16, 'sha1')], [0x0035, cbc(32, 'sha1')], [0x0033, cbc(16, 'sha1')], [0x0039, cbc(32, 'sha1')],
  [0xc009, cbc(16, 'sha1')], [0xc00a, cbc(32, 'sha1')], [0xc013, cbc(16, 'sha1')], [0xc014, cbc(32, 'sha1')],
  [0x003c, cbc(16, 'sha256')], [0x003d, cbc(32, 'sha256')], [0x0067, cbc(16, 'sha256')], [0x006b, cbc(32, 'sha256')],
  [0xc023, cbc(16, 'sha256')], [0xc027, cbc(16, 'sha256')], [0xc024, cbc(32, 'sha384')], [0xc028, cbc(32, 'sha384')],
]);

export function macLen(mac: 'sha1' | 'sha256' | 'sha384'): number {
  return mac === 'sha1' ? 20 : mac === 'sha256' ? 32 : 48;
}
