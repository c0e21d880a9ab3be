import { createHash } from 'node:crypto';
import type { ClientHelloFacts } from '../../src/core/facts.js';
import { isGrease } from './names.js';

/** JA4 TLS-client fingerprint (FoxIO, BSD-3-Clause part of the spec); the JA4+ variants are left out on purpose (FoxIO License). */

const EMPTY_HASH = '000000000000';

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'], [0x0303, '12'], [0x0302, '11'], [0x0301, '10'], [0x0300, 's3'], [0x0002, 's2'],
  [0xfeff, 'd1'], [0xfefd, 'd2'], [0xfefc, 'd3'],
]);

function hex4(c: number): string {
  return c.toString(16).padStart(4, '0');
}

function hash12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

function count2(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

/**
 * First and last character of the first ALPN value; a character outside ASCII becomes '9'
 * (FoxIO's Rust implementation at the corpus commit: 0xBA 0xAD gives `99`).
 */
export function alpnChars(first: Buffer | undefined): string {
  if (first === undefined || first.length === 0) return '00';
  const chars = [...first.toString('utf8')];
  const pick = (c: string): string => (c.charCodeAt(0) < 0x80 ? c : '9');
  return pick(chars[0]!) + pick(chars[chars.length - 1]!);
}

function versionCode(ch: ClientHelloFacts): string {
  let v = -1;
  for (const sv of ch.supportedVersions) if (!isGrease(sv) && sv > v) v = sv;
  if (v < 0) v = ch.legacyVersion;
  return VERSION_CODES.get(v) ?? '00';
}

export function ja4(ch: ClientHelloFacts, alpnRaw: Buffer[]): string {
  const ciphers = ch.ciphers.filter((c) => !isGrease(c));
  const exts = ch.extensions.filter((e) => !isGrease(e));
  const a = 't' + versionCode(ch) + (ch.extensions.includes(0x0000) ? 'd' : 'i') + count2(ciphers.length) + count2(exts.length)
    + alpnChars(alpnRaw[0]);
  const b = ciphers.length === 0 ? EMPTY_HASH : hash12(ciphers.map(hex4).sort().join(','));
  const hashed = exts.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex4).sort().join(',');
  const sigs = ch.signatureAlgorithms.filter((s) => !isGrease(s)).map(hex4).join(',');
  const c = hashed === '' ? EMPTY_HASH : hash12(sigs === '' ? hashed : `${hashed}_${sigs}`);
  return `${a}_${b}_${c}`;
}
