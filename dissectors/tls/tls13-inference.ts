import type { ClientAuth } from '../../src/core/facts.js';

/**
 * TLS 1.3 client authentication from encrypted record sizes (no keys needed).
 * An encrypted record's length is inner plaintext + 1 (content type) + 16 (AEAD tag), so for the
 * client's second flight (RFC 8446 4.4):
 *   Finished alone:                      4 + Hash.length + 17          (53 SHA-256 / 69 SHA-384)
 *   empty Certificate (4 + 1 + 3 = 8):   8 + 17 = 25, then Finished     (two records)
 *   empty Certificate + Finished:        8 + 4 + Hash.length + 17      (61 / 77, one record)
 *   Certificate with a certificate:      larger, then CertificateVerify and Finished.
 * A server sends CertificateRequest only when it wants a certificate, and the client must then answer
 * with a Certificate message (possibly empty), so the client's flight alone decides all three cases.
 */

const TAG_AND_TYPE = 17;
const EMPTY_CERTIFICATE = 8;
/**
 * Chrome (BoringSSL) answers a negotiated ALPS (application_settings) with a client EncryptedExtensions
 * before Finished: 4-byte header + extensions (10 bytes empty, plus the SETTINGS payload). Seen: 63 = 10 + 53.
 * A certificate never fits in this margin.
 */
const MAX_CLIENT_EE = 64;
/** EndOfEarlyData (4 bytes) when 0-RTT data was sent. */
const END_OF_EARLY_DATA = 4 + TAG_AND_TYPE;

export function hashLength(cipher: number): number | null {
  switch (cipher) {
    case 0x1301: case 0x1303: case 0x1304: case 0x1305: return 32;
    case 0x1302: return 48;
    default: return null;
  }
}

export function finishedRecordLength(cipher: number): number | null {
  const h = hashLength(cipher);
  return h === null ? null : 4 + h + TAG_AND_TYPE;
}

export interface Inference {
  clientAuth: ClientAuth;
  reason: string;
}

/**
 * `server`: encrypted server records before the client's first one; `client`: the client's encrypted
 * records after the ServerHello. Returns null while more client records are needed.
 */
export function inferClientAuth(
  server: number[],
  client: number[],
  cipher: number,
  earlyData: boolean,
  alpsOffered: boolean,
): Inference | null {
  const fin = finishedRecordLength(cipher);
  const seen = `client records [${client.join(',')}], server handshake records [${server.join(',')}]`;
  if (fin === null) return { clientAuth: 'unknown', reason: `cipher 0x${cipher.toString(16)} has no known hash; ${seen}` };
  let i = 0;
  if (earlyData && client[0] === END_OF_EARLY_DATA) i = 1;
  const first = client[i];
  if (first === undefined) return null;
  const why = (what: string): string => `${what} (Finished record = ${fin} bytes); ${seen}`;
  if (first === fin) return { clientAuth: 'not-requested', reason: why('client sent Finished alone') };
  if (first === EMPTY_CERTIFICATE + TAG_AND_TYPE) {
    const next = client[i + 1];
    if (next === undefined) return null;
    if (next === fin) return { clientAuth: 'requested-not-presented', reason: why('empty Certificate record then Finished') };
    return { clientAuth: 'unknown', reason: why('25-byte record not followed by Finished') };
  }
  if (first === EMPTY_CERTIFICATE + fin) {
    return { clientAuth: 'requested-not-presented', reason: why('empty Certificate and Finished in one record') };
  }
  if (alpsOffered && first > fin && first <= fin + MAX_CLIENT_EE) {
    return { clientAuth: 'not-requested', reason: why('client EncryptedExtensions (ALPS) and Finished in one record') };
  }
  if (first > EMPTY_CERTIFICATE + fin) return { clientAuth: 'presented', reason: why('Certificate record carries a certificate') };
  return { clientAuth: 'unknown', reason: why('first client record matches no flight shape') };
}
