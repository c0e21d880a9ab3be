import { createHmac } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';

export function hashLen(h: HashName): number {
  return h === 'sha256' ? 32 : 48;
}

/** RFC 5869 HKDF-Expand (node's hkdfSync always extracts first, which TLS 1.3 does not want here). */
export function hkdfExpand(hash: HashName, prk: Buffer, info: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  let prev = Buffer.alloc(0);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Buffer.of(i)).digest();
    filled += prev.copy(out, filled);
  }
  return out;
}

/** RFC 5869 HKDF-Extract. */
export function hkdfExtract(hash: HashName, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(hash, salt.length > 0 ? salt : Buffer.alloc(hashLen(hash))).update(ikm).digest();
}

/** RFC 8446 7.1 HKDF-Expand-Label: info = uint16 length, "tls13 " + label, context. */
export function hkdfExpandLabel(hash: HashName, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = context.length;
  context.copy(info, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}
