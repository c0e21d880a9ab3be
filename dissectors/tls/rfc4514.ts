import { children, oidString, readTlv, type Tlv } from './certs-der.js';

/** Attribute short names as OpenSSL prints them (`-nameopt RFC2253`); other types appear as dotted OIDs. */
const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'], ['2.5.4.4', 'SN'], ['2.5.4.5', 'serialNumber'], ['2.5.4.6', 'C'], ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'], ['2.5.4.9', 'street'], ['2.5.4.10', 'O'], ['2.5.4.11', 'OU'], ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'], ['2.5.4.15', 'businessCategory'], ['2.5.4.17', 'postalCode'], ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN'], ['2.5.4.43', 'initials'], ['2.5.4.44', 'generationQualifier'], ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'], ['2.5.4.97', 'organizationIdentifier'],
  ['0.9.2342.19200300.100.1.1', 'UID'], ['0.9.2342.19200300.100.1.25', 'DC'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'], ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
]);

function decodeString(b: Buffer, t: Tlv): string | null {
  const raw = b.subarray(t.body, t.end);
  switch (t.tag) {
    case 0x0c: return raw.toString('utf8');
    case 0x12: case 0x13: case 0x16: case 0x1a: return raw.toString('latin1');
    case 0x14: return raw.toString('latin1');
    case 0x1e: {
      let s = '';
      for (let i = 0; i + 1 < raw.length; i += 2) s += String.fromCharCode(raw.readUInt16BE(i));
      return s;
    }
    case 0x1c: {
      let s = '';
      for (let i = 0; i + 3 < raw.length; i += 4) s += String.fromCodePoint(Math.min(raw.readUInt32BE(i), 0x10ffff));
      return s;
    }
    default: return null;
  }
}

/** RFC 4514 section 2.4 escaping; control characters are hex-escaped too so no raw control byte leaves. */
export function escapeValue(v: string): string {
  let s = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    const code = ch.charCodeAt(0);
    if ('"+,;<>\\'.includes(ch) || (i === 0 && (ch === '#' || ch === ' ')) || (i === v.length - 1 && ch === ' ')) {
      s += '\\' + ch;
    } else if (code < 0x20 || code === 0x7f) {
      s += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    } else {
      s += ch;
    }
  }
  return s;
}

/** A DER Name as RFC 4514 (`openssl -nameopt RFC2253` order): last RDN first, `+` inside multi-valued RDNs, no spaces. */
export function nameToRfc4514(b: Buffer, name: Tlv): string {
  const rdns: string[] = [];
  for (const rdn of children(b, name, 256)) {
    const parts: string[] = [];
    for (const atv of children(b, rdn, 32)) {
      const [typ, val] = children(b, atv, 2);
      if (typ === undefined || val === undefined) continue;
      const oid = oidString(b, typ);
      const str = decodeString(b, val);
      const value = str === null ? '#' + b.subarray(val.start, val.end).toString('hex') : escapeValue(str);
      parts.push(`${SHORT_NAMES.get(oid) ?? oid}=${value}`);
    }
    // OpenSSL's RFC2253 output reverses every attribute, also inside a multi-valued RDN; follow it.
    rdns.push(parts.reverse().join('+'));
  }
  return rdns.reverse().join(',');
}

/** A bare DER DistinguishedName (CertificateRequest certificate_authorities). */
export function derNameToRfc4514(der: Buffer): string {
  const t = readTlv(der, 0, der.length);
  return nameToRfc4514(der, t);
}
