import type { CertFacts } from '../core/facts.js';
import { parseIp, sameIp } from './cidr.js';

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * RFC 6125 section 6.4 DNS-ID matching: case-insensitive, a wildcard only as the whole left-most
 * label, matching exactly one non-empty label, never on a pattern whose remainder is a single label
 * (`*.com`, `*.local`), never against an IP address.
 */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = normalize(pattern);
  const h = normalize(host);
  if (p === '' || h === '') return false;
  if (!p.includes('*')) return p === h;
  if (!p.startsWith('*.') || p.indexOf('*', 1) >= 0) return false;
  const rest = p.slice(2);
  if (!rest.includes('.') || rest.startsWith('.') || rest.includes('..')) return false;
  if (parseIp(h) !== null) return false;
  const dot = h.indexOf('.');
  if (dot <= 0) return false;
  return h.slice(dot + 1) === rest;
}

/** Whether the certificate's SANs cover `name` (a DNS name, or an IP compared with IP SANs only). */
export function certCoversName(cert: CertFacts, name: string): boolean {
  if (parseIp(name) !== null) return cert.sanIp.some((ip) => sameIp(ip, name));
  return cert.sanDns.some((d) => dnsNameMatches(d, name));
}
