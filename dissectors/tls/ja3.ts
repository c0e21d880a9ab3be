import { createHash } from 'node:crypto';
import type { ClientHelloFacts, ServerHelloFacts } from '../../src/core/facts.js';
import { isGrease } from './names.js';

/** JA3 / JA3S (salesforce/ja3): decimal fields, GREASE values dropped, MD5 of the string. */

function join(codes: number[]): string {
  let s = '';
  for (const c of codes) {
    if (isGrease(c)) continue;
    s += (s === '' ? '' : '-') + c;
  }
  return s;
}

export function ja3String(ch: ClientHelloFacts): string {
  return [ch.legacyVersion, join(ch.ciphers), join(ch.extensions), join(ch.groups), join(ch.ecPointFormats)].join(',');
}

export function ja3sString(sh: ServerHelloFacts): string {
  return `${sh.legacyVersion},${sh.cipher},${join(sh.extensions)}`;
}

export function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}
