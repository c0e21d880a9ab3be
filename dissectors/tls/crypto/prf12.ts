import { createHmac } from 'node:crypto';
import type { HashName } from './hkdf.js';

/** RFC 5246 5: P_hash(secret, seed) truncated to `length`. */
export function pHash(hash: HashName | 'md5' | 'sha1', secret: Buffer, seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  let a = seed;
  let filled = 0;
  while (filled < length) {
    a = createHmac(hash, secret).update(a).digest();
    filled += createHmac(hash, secret).update(a).update(seed).digest().copy(out, filled);
  }
  return out;
}

/** RFC 5246 5: PRF(secret, label, seed) = P_hash(secret, label + seed). */
export function prf12(hash: HashName, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  return pHash(hash, secret, Buffer.concat([Buffer.from(label, 'latin1'), seed]), length);
}

/** RFC 2246 5 / RFC 4346 5 (TLS 1.0, 1.1): P_MD5 over the secret's first half XOR P_SHA1 over its second. */
export function prf10(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const half = Math.ceil(secret.length / 2);
  const s = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const md5 = pHash('md5', secret.subarray(0, half), s, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), s, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

/**
 * RFC 5246 6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random),
 * with the suite's PRF hash from TLS 1.2 on (`version` >= 0x0303), the MD5/SHA-1 PRF before.
 */
export function keyBlock(hash: HashName, version: number, master: Buffer, clientRandom: Buffer, serverRandom: Buffer, length: number): Buffer {
  const seed = Buffer.concat([serverRandom, clientRandom]);
  return version >= 0x0303 ? prf12(hash, master, 'key expansion', seed, length) : prf10(master, 'key expansion', seed, length);
}
