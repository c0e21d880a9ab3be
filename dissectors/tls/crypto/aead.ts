import { createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import type { AeadAlg } from './suites.js';

export const TAG_LEN = 16;

/** Per-record nonce of RFC 8446 5.3 (and RFC 7905 for ChaCha20 in TLS 1.2): iv XOR 64-bit seq, left-padded. */
export function xorNonce(iv: Buffer, seq: bigint): Buffer {
  const n = Buffer.from(iv);
  const off = n.length - 8;
  n.writeBigUInt64BE(n.readBigUInt64BE(off) ^ seq, off);
  return n;
}

/** Opens `sealed` (ciphertext || 16-byte tag); null when the tag does not verify. */
export function aeadOpen(alg: AeadAlg, key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_LEN) return null;
  const ctLen = sealed.length - TAG_LEN;
  try {
    const d = alg === 'chacha20-poly1305'
      ? createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_LEN })
      : createDecipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: TAG_LEN });
    d.setAAD(aad, { plaintextLength: ctLen });
    d.setAuthTag(sealed.subarray(ctLen));
    const a = d.update(sealed.subarray(0, ctLen));
    const b = d.final();
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch {
    // Authentication failure: the error says nothing useful and must not reach outputs.
    return null;
  }
}
