import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { CertFacts } from '../../src/core/facts.js';
import { Cursor, TlsParseError } from './cursor.js';
import { derTime, parseCertHeadStructure, parseCertStructure, sanEntries, type CertStructure } from './certs-der.js';
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

function keyFacts(publicKey: () => KeyObject, spkiOid: string): { key: string; keyType: string; keyBits: number | null } {
  try {
    const k = publicKey();
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

/** The facts read straight from the DER structure. */
function namedFacts(der: Buffer, s: CertStructure) {
  const notBeforeMs = derTime(der, s.notBefore);
  const notAfterMs = derTime(der, s.notAfter);
  const san = s.san === null ? [] : sanEntries(der, s.san);
  return {
    subject: nameToRfc4514(der, s.subject),
    issuer: nameToRfc4514(der, s.issuer),
    notBefore: isoFromMs(notBeforeMs),
    notAfter: isoFromMs(notAfterMs),
    notBeforeMs,
    notAfterMs,
    sanDns: san.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    sanIp: san.filter((e) => e.startsWith('IP:')).map((e) => e.slice(3)),
    san,
    sigAlg: sigAlgOidName(s.sigAlgOid),
    ca: s.ca,
    eku: s.eku,
  };
}

/**
 * A certificate of which only `head` arrived (its message was over the size cap): names, validity
 * and key from the TBSCertificate's start. Its signature cannot be checked, so it is never
 * self-signed by proof, and `sha256` stays empty until the caller hashes the whole DER as it streams by.
 */
export function parseCutCertificate(head: Buffer): CertFacts {
  const own = Buffer.from(head);
  let parsed: ReturnType<typeof parseCertHeadStructure>;
  try {
    parsed = parseCertHeadStructure(own);
  } catch (e) {
    throw new TlsParseError('tls.cert_parse_error', `cut certificate: ${(e as Error).message}`);
  }
  const { s, spki, serial } = parsed;
  return {
    ...namedFacts(own, s),
    serial: own.toString('hex', serial.body, serial.end).replace(/^(00)+(?=.)/, ''),
    sha256: '',
    ...keyFacts(() => createPublicKey({ key: own.subarray(spki.start, spki.end), format: 'der', type: 'spki' }), s.spkiAlgOid),
    selfSigned: false,
    der: own,
    partial: true,
  };
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
  const named = namedFacts(own, s);
  const facts: CertFacts = {
    ...named,
    serial: x.serialNumber.toLowerCase(),
    sha256,
    ...keyFacts(() => x.publicKey, s.spkiAlgOid),
    selfSigned: named.subject === named.issuer && verifiesWithOwnKey(x),
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
  /** The leaf was cut by the size cap: where its DER starts in the message body and how long it is. */
  cutLeaf?: { start: number; length: number };
}

function cutLeaf(body: Buffer, at: number, out: ParsedChain): void {
  const start = at + 3;
  out.count++;
  try {
    out.chain.push(parseCutCertificate(body.subarray(start)));
    out.cutLeaf = { start, length: body.readUIntBE(at, 3) };
  } catch (e) {
    out.errors.push(`certificate 0: ${(e as Error).message}`);
  }
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
    // A cut message (over the size cap) keeps the certificates that fit whole, and a cut leaf's head.
    if (truncated && !nextEntryFits(list)) {
      if (out.count === 0 && list.remaining > 3) cutLeaf(body, list.off, out);
      break;
    }
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
