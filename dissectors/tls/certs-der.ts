import { TlsParseError } from './cursor.js';

/**
 * The few DER walks X509Certificate does not expose faithfully: the outer signature AlgorithmIdentifier,
 * the Name structures (for exact RFC 4514 rendering), validity, basicConstraints (X509Certificate.ca follows
 * X509_check_ca, which also counts keyUsage and v1 roots), EKU, SAN and the SPKI algorithm.
 * Every length is checked against its enclosing element.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Content range. */
  body: number;
  end: number;
}

function fail(detail: string): never {
  throw new TlsParseError('tls.cert_parse_error', detail);
}

export function readTlv(b: Buffer, off: number, limit: number): Tlv {
  if (limit > b.length) limit = b.length;
  if (off + 2 > limit) fail(`DER element truncated at ${off}`);
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) fail(`multi-byte DER tag at ${off}`);
  let len = b[off + 1]!;
  let body = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || body + n > limit) fail(`bad DER length at ${off}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i]!;
    body += n;
  }
  if (body + len > limit) fail(`DER length ${len} past end at ${off}`);
  return { tag, start: off, body, end: body + len };
}

/** Children of a constructed element. */
export function children(b: Buffer, parent: Tlv, max = 4096): Tlv[] {
  const out: Tlv[] = [];
  let off = parent.body;
  while (off < parent.end) {
    const t = readTlv(b, off, parent.end);
    if (out.length >= max) fail('too many DER children');
    out.push(t);
    off = t.end;
  }
  return out;
}

export function oidString(b: Buffer, t: Tlv): string {
  if (t.tag !== 0x06 || t.end === t.body) fail('expected OID');
  const first = b[t.body]!;
  const parts: number[] = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let v = 0;
  for (let i = t.body + 1; i < t.end; i++) {
    const byte = b[i]!;
    v = v * 128 + (byte & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) fail('OID arc too large');
    if ((byte & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export interface CertStructure {
  subject: Tlv;
  issuer: Tlv;
  notBefore: Tlv;
  notAfter: Tlv;
  sigAlgOid: string;
  spkiAlgOid: string;
  ca: boolean;
  eku: string[];
  /** GeneralNames element of subjectAltName, if present. */
  san: Tlv | null;
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EKU = '2.5.29.37';
const OID_SAN = '2.5.29.17';

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) fail(`expected ${what}`);
  return t;
}

function parseExtensions(b: Buffer, ext: Tlv, out: CertStructure): void {
  const list = expect(children(b, ext)[0], 0x30, 'Extensions');
  for (const e of children(b, list, 256)) {
    const parts = children(b, e, 3);
    const oid = oidString(b, expect(parts[0], 0x06, 'extnID'));
    const value = expect(parts[parts.length - 1], 0x04, 'extnValue');
    if (oid === OID_BASIC_CONSTRAINTS) {
      const seq = expect(readTlv(b, value.body, value.end), 0x30, 'BasicConstraints');
      const first = children(b, seq, 2)[0];
      out.ca = first !== undefined && first.tag === 0x01 && first.end > first.body && b[first.body] !== 0;
    } else if (oid === OID_EKU) {
      const seq = expect(readTlv(b, value.body, value.end), 0x30, 'ExtKeyUsage');
      for (const o of children(b, seq, 64)) out.eku.push(oidString(b, o));
    } else if (oid === OID_SAN) {
      out.san = expect(readTlv(b, value.body, value.end), 0x30, 'GeneralNames');
    }
  }
}

/**
 * serialNumber .. subjectPublicKeyInfo of a TBSCertificate, one element at a time from `next`.
 * `sigAlg`: the outer signatureAlgorithm; without it the TBSCertificate's own signature field,
 * which must equal it (RFC 5280 4.1.1.2).
 */
function readTbsHead(b: Buffer, next: () => Tlv | undefined, sigAlg?: Tlv): { s: CertStructure; spki: Tlv; serial: Tlv } {
  let first = next();
  if (first?.tag === 0xa0) first = next();
  const serial = expect(first, 0x02, 'serialNumber');
  const tbsSig = expect(next(), 0x30, 'signature');
  const issuer = expect(next(), 0x30, 'issuer');
  const validity = children(b, expect(next(), 0x30, 'validity'), 2);
  const subject = expect(next(), 0x30, 'subject');
  const spki = expect(next(), 0x30, 'subjectPublicKeyInfo');
  const spkiAlg = expect(children(b, spki, 2)[0], 0x30, 'SPKI algorithm');
  const s: CertStructure = {
    subject,
    issuer,
    notBefore: validity[0] ?? fail('notBefore missing'),
    notAfter: validity[1] ?? fail('notAfter missing'),
    sigAlgOid: oidString(b, expect(children(b, sigAlg === undefined ? tbsSig : expect(sigAlg, 0x30, 'signatureAlgorithm'), 2)[0], 0x06, 'OID')),
    spkiAlgOid: oidString(b, expect(children(b, spkiAlg, 2)[0], 0x06, 'OID')),
    ca: false,
    eku: [],
    san: null,
  };
  return { s, spki, serial };
}

export function parseCertStructure(der: Buffer): CertStructure {
  const cert = expect(readTlv(der, 0, der.length), 0x30, 'Certificate');
  const [tbs, sigAlg] = children(der, cert, 3);
  const tbsParts = children(der, expect(tbs, 0x30, 'TBSCertificate'), 16);
  let i = 0;
  const { s } = readTbsHead(der, () => tbsParts[i++], sigAlg ?? fail('signatureAlgorithm missing'));
  for (; i < tbsParts.length; i++) if (tbsParts[i]!.tag === 0xa3) parseExtensions(der, tbsParts[i]!, s);
  return s;
}

/** UTCTime / GeneralizedTime to epoch ms (UTC, `Z` form as RFC 5280 requires). */
export function derTime(b: Buffer, t: Tlv): number {
  const s = b.toString('latin1', t.body, t.end);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
    : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s) : null;
  if (m === null) fail(`bad time ${JSON.stringify(s)}`);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}

function ipString(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return '#' + b.toString('hex');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}

/** GeneralNames as `DNS:x` / `IP:x` / `URI:x` / `email:x` (other name forms are left out). */
export function sanEntries(b: Buffer, names: Tlv): string[] {
  const out: string[] = [];
  for (const n of children(b, names, 1024)) {
    const raw = b.subarray(n.body, n.end);
    switch (n.tag) {
      case 0x81: out.push('email:' + raw.toString('latin1')); break;
      case 0x82: out.push('DNS:' + raw.toString('latin1')); break;
      case 0x86: out.push('URI:' + raw.toString('latin1')); break;
      case 0x87: out.push('IP:' + ipString(raw)); break;
    }
  }
  return out;
}

/**
 * The head of a certificate cut short (a Certificate message over the size cap): the TBSCertificate
 * fields up to subjectPublicKeyInfo are at its start and usually whole. Element headers of the outer
 * Certificate and TBSCertificate may declare lengths past the cut; everything inside must fit.
 */
export function parseCertHeadStructure(head: Buffer): { s: CertStructure; spki: Tlv; serial: Tlv } {
  const header = (off: number, tag: number, what: string): number => {
    if (off + 2 > head.length || head[off] !== tag) fail(`expected ${what}`);
    const len = head[off + 1]!;
    if (!(len & 0x80)) return off + 2;
    const n = len & 0x7f;
    if (n === 0 || n > 4 || off + 2 + n > head.length) fail(`bad DER length at ${off}`);
    return off + 2 + n;
  };
  let off = header(header(0, 0x30, 'Certificate'), 0x30, 'TBSCertificate');
  const next = (): Tlv => {
    const t = readTlv(head, off, head.length);
    off = t.end;
    return t;
  };
  const out = readTbsHead(head, next);
  const s = out.s;
  // Extensions come last: read them when the cut left them whole (the oversized part is often one of them).
  try {
    while (off < head.length) {
      const t = next();
      if (t.tag === 0xa3) parseExtensions(head, t, s);
    }
  } catch {
    s.ca = false;
    s.eku = [];
    s.san = null;
  }
  return out;
}
