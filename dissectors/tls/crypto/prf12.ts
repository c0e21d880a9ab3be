import { createHmac } from 'node:crypto';
import type { HashName } from './hkdf.js';

/** RFC 5246 5: P_hash(secret, seed) truncated to `length`. */
export function pHash(hash: HashName, secret: Buffer, seed: Buffer, length: number): Buffer {
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

/** RFC 5246 6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random). */
export function keyBlock(hash: HashName, master: Buffer, clientRandom: Buffer, serverRandom: Buffer, length: number): Buffer {
  return prf12(hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}
