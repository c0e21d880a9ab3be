import { hashLen, hkdfExpandLabel, type HashName } from './hkdf.js';

export interface TrafficKeys { key: Buffer; iv: Buffer }

/** RFC 8446 7.3: write key and IV from a traffic secret. */
export function trafficKeys(hash: HashName, secret: Buffer, keyLen: number): TrafficKeys {
  const empty = Buffer.alloc(0);
  return { key: hkdfExpandLabel(hash, secret, 'key', empty, keyLen), iv: hkdfExpandLabel(hash, secret, 'iv', empty, 12) };
}

/** RFC 8446 7.2: application_traffic_secret_N+1 after a KeyUpdate. */
export function nextTrafficSecret(hash: HashName, secret: Buffer): Buffer {
  return hkdfExpandLabel(hash, secret, 'traffic upd', Buffer.alloc(0), hashLen(hash));
}
