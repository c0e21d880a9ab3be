import { CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, CT_HEARTBEAT, MAX_RECORD_BODY } from './records.js';

/** How far into a first chunk to look for a record boundary. */
const MAX_SCAN = 4096;

function recordHeaderAt(b: Buffer, i: number): boolean {
  return b[i]! >= CT_CHANGE_CIPHER_SPEC && b[i]! <= CT_HEARTBEAT && b[i + 1] === 3 && b[i + 2]! <= 4;
}

/** The first bytes of a direction start a TLS record (or an SSLv2 CLIENT-HELLO). */
export function startsWithRecord(b: Buffer): boolean {
  if (b.length < 3) return true;
  return recordHeaderAt(b, 0) || ((b[0]! & 0x80) !== 0 && b[2] === 1);
}

/**
 * A connection picked up after its handshake starts somewhere inside an application_data record. Finds an
 * application_data header whose length lands exactly on the chunk end or on another record header.
 */
export function findApplicationDataBoundary(b: Buffer): number {
  const end = Math.min(b.length - 5, MAX_SCAN);
  for (let i = 1; i <= end; i++) {
    if (b[i] !== CT_APPLICATION_DATA || !recordHeaderAt(b, i)) continue;
    const len = b.readUInt16BE(i + 3);
    if (len > MAX_RECORD_BODY) continue;
    const next = i + 5 + len;
    if (next === b.length || (next + 3 <= b.length && recordHeaderAt(b, next))) return i;
  }
  return -1;
}
