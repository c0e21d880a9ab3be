import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { macLen } from './suites.js';

export interface CbcKeys {
  cipher: 'aes-128-cbc' | 'aes-256-cbc';
  key: Buffer;
  mac: 'sha1' | 'sha256' | 'sha384';
  macKey: Buffer;
}

const BLOCK = 16;

function macHeader(seq: bigint, type: number, version: number, len: number): Buffer {
  const h = Buffer.alloc(13);
  h.writeBigUInt64BE(seq, 0);
  h[8] = type;
  h.writeUInt16BE(version, 9);
  h.writeUInt16BE(len, 11);
  return h;
}

function rawDecrypt(k: CbcKeys, iv: Buffer, ct: Buffer): Buffer | null {
  try {
    const d = createDecipheriv(k.cipher, k.key, iv);
    d.setAutoPadding(false);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}

/**
 * TLS 1.1/1.2 AES-CBC record (RFC 5246 6.2.3.2): body = explicit IV || E(content || MAC || padding).
 * With encrypt-then-MAC (RFC 7366) the MAC follows the ciphertext and covers IV and ciphertext.
 * `iv` is the implicit IV for TLS 1.0 (then the body has no explicit IV). Returns the content and
 * the last ciphertext block (the next TLS 1.0 IV), or null when padding or MAC do not check out.
 */
export function cbcOpen(k: CbcKeys, seq: bigint, type: number, version: number, body: Buffer, iv: Buffer | null, etm: boolean): { plaintext: Buffer; lastBlock: Buffer } | null {
  const ml = macLen(k.mac);
  let enc = body;
  if (etm) {
    if (body.length < ml + BLOCK) return null;
    enc = body.subarray(0, body.length - ml);
    const want = createHmac(k.mac, k.macKey).update(macHeader(seq, type, version, enc.length)).update(enc).digest();
    if (!timingSafeEqual(want, body.subarray(body.length - ml))) return null;
  }
  const ivLen = iv === null ? BLOCK : 0;
  if (enc.length < ivLen + BLOCK || (enc.length - ivLen) % BLOCK !== 0) return null;
  const ct = enc.subarray(ivLen);
  const p = rawDecrypt(k, iv ?? enc.subarray(0, BLOCK), ct);
  if (p === null) return null;
  const pad = p[p.length - 1]!;
  const contentEnd = p.length - pad - 1 - (etm ? 0 : ml);
  if (contentEnd < 0) return null;
  for (let i = p.length - pad - 1; i < p.length; i++) if (p[i] !== pad) return null;
  const plaintext = p.subarray(0, contentEnd);
  if (!etm) {
    const want = createHmac(k.mac, k.macKey).update(macHeader(seq, type, version, contentEnd)).update(plaintext).digest();
    if (!timingSafeEqual(want, p.subarray(contentEnd, contentEnd + ml))) return null;
  }
  return { plaintext, lastBlock: Buffer.from(ct.subarray(ct.length - BLOCK)) };
}
