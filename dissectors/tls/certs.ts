import { X509Certificate, createHash } from 'node:crypto';
import type { CertFacts } from '../../src/core/facts.js';
import { Cursor, TlsParseError } from './cursor.js';
import { derTime, parseCertStructure, sanEntries } from './certs-der.js';
import { nameToRfc4514 } from './rfc4514.js';
import { keyAlgName, sigAlgOidName } from './oid-names.js';
import { isoFromMs } from '../../src/core/time.js';

/** A chain longer than this is not kept beyond it (real chains have 2-4 certificates). */
export const MAX_CHAIN = 10;
/** Parsed certificates by SHA-256: the X509Certificate constructor costs ~200 us and clusters reuse few certs. */
const CACHE_SIZE = 1024;
const cache = new Map<string, CertFacts>();

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, secp256k1: 256, prime192v1: 192,
  brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512,
};

function keyFacts(x: X509Certificate, spkiOid: string): { key: string; keyType: string; keyBits: number | null } {
  try {
    const k = x.publicKey;
    const type = k.asymmetricKeyType ?? keyAlgName(spkiOid);
    const d = k.asymmetricKeyDetails ?? {};
    if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') {
      const bits = d.modulusLength ?? null;
      return { key: `${type}-${bits ?? '?'}`, keyType: type, keyBits: bits };
    }
    if (type === 'ec') {
      const curve = d.namedCurve ?? 'unknown';
      return { key: `ec-${curve}`, keyType: 'ec', keyBits: CURVE_BITS[curve] ?? null };
    }
    const bits = type === 'ed25519' || type === 'x25519' ? 256 : type === 'ed448' ? 456 : type === 'x448' ? 448 : null;
    return { key: type, keyType: type, keyBits: bits };
  } catch {
    // Node cannot load every key type (ML-DSA on OpenSSL 3.0): the SPKI OID still names it.
    const type = keyAlgName(spkiOid);
    return { key: type, keyType: type, keyBits: null };
  }
}

function verifiesWithOwnKey(x: X509Certificate): boolean {
  try {
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** DER to CertFacts; throws TlsParseError('tls.cert_parse_error') for anything unparsable. */
export function parseCertificate(der: Buffer): CertFacts {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(sha256);
  if (hit !== undefined) {
    cache.delete(sha256);
    cache.set(sha256, hit);
    return hit;
  }
  const own = Buffer.from(der);
  let x: X509Certificate;
  try {
    x = new X509Certificate(own);
  } catch (e) {
    throw new TlsParseError('tls.cert_parse_error', `X509Certificate: ${(e as Error).message}`);
  }
  const s = parseCertStructure(own);
  const subject = nameToRfc4514(own, s.subject);
  const issuer = nameToRfc4514(own, s.issuer);
  const notBeforeMs = derTime(own, s.notBefore);
  const notAfterMs = derTime(own, s.notAfter);
  const san = s.san === null ? [] : sanEntries(own, s.san);
  const facts: CertFacts = {
    subject,
    issuer,
    serial: x.serialNumber.toLowerCase(),
    notBefore: isoFromMs(notBeforeMs),
    notAfter: isoFromMs(notAfterMs),
    notBeforeMs,
    notAfterMs,
    sanDns: san.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    sanIp: san.filter((e) => e.startsWith('IP:')).map((e) => e.slice(3)),
    san,
    sha256,
    ...keyFacts(x, s.spkiAlgOid),
    sigAlg: sigAlgOidName(s.sigAlgOid),
    ca: s.ca,
    selfSigned: subject === issuer && verifiesWithOwnKey(x),
    eku: s.eku,
    der: own,
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(sha256, facts);
  return facts;
}

function nextEntryFits(list: Cursor): boolean {
  return list.remaining >= 3 && 3 + list.buf.readUIntBE(list.off, 3) <= list.remaining;
}

export interface ParsedChain {
  chain: CertFacts[];
  /** Certificates in the message, including any not kept. */
  count: number;
  errors: string[];
}

/**
 * A Certificate message. TLS 1.3 (RFC 8446 4.4.2) adds a request context and per-entry extensions.
 * A certificate that does not parse ends the kept chain there (positions matter: index 0 is the leaf).
 */
export function parseCertificateMessage(body: Buffer, tls13: boolean, truncated = false): ParsedChain {
  const c = new Cursor(body, 0, body.length, 'tls.bad_certificate_message');
  if (tls13) c.vector(1, 'certificate_request_context');
  const declared = c.u24('certificate_list');
  if (!truncated && declared !== c.remaining) {
    throw new TlsParseError('tls.bad_certificate_message', `certificate_list of ${declared} bytes, ${c.remaining} present`);
  }
  const list = new Cursor(body, c.off, c.off + Math.min(declared, c.remaining), 'tls.bad_certificate_message');
  const out: ParsedChain = { chain: [], count: 0, errors: [] };
  let broken = false;
  while (list.remaining > 0) {
    // A cut message (over the size cap) keeps the certificates that fit whole.
    if (truncated && !nextEntryFits(list)) break;
    const der = list.vector(3, 'cert_data');
    if (tls13) list.vector(2, 'certificate extensions');
    out.count++;
    if (broken || out.chain.length >= MAX_CHAIN) continue;
    try {
      out.chain.push(parseCertificate(der.buf.subarray(der.off, der.end)));
    } catch (e) {
      broken = true;
      out.errors.push(`certificate ${out.count - 1}: ${(e as Error).message}`);
    }
  }
  return out;
}
