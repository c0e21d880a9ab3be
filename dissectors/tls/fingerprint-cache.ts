import type { ClientHelloFacts, ServerHelloFacts } from '../../src/core/facts.js';
import { ja3String, ja3sString, md5 } from './ja3.js';
import { alpnChars, ja4 } from './ja4.js';

/**
 * JA3 / JA4 / JA3S by ClientHello and ServerHello shape. The clients of a cluster send the same few
 * hellos over and over, and the fingerprints (sorted lists, joined strings, MD5 and SHA-256) cost
 * more than parsing the hello. An entry is found by a hash of the lists the fingerprints read and
 * used only when every one of those lists is equal, so a hash collision can never lend one
 * client another's fingerprint.
 */
export interface ClientFingerprints {
  ja3String: string;
  ja3: string;
  ja4: string;
  /** The first hello of this shape: its lists equal the asked hello's, element for element. */
  key: ClientHelloFacts;
}

interface ClientEntry extends ClientFingerprints {
  alpn: string;
}

const MAX_ENTRIES = 4096;
const clients = new Map<number, ClientEntry>();
const servers = new Map<string, string>();

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function mixList(h: number, list: readonly number[]): number {
  h = mix(h, list.length + 0x10000);
  for (let i = 0; i < list.length; i++) h = mix(h, list[i]!);
  return h;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameShape(a: ClientHelloFacts, b: ClientHelloFacts): boolean {
  return a.legacyVersion === b.legacyVersion && sameList(a.ciphers, b.ciphers) && sameList(a.extensions, b.extensions)
    && sameList(a.groups, b.groups) && sameList(a.ecPointFormats, b.ecPointFormats)
    && sameList(a.signatureAlgorithms, b.signatureAlgorithms) && sameList(a.supportedVersions, b.supportedVersions);
}

export function clientFingerprints(ch: ClientHelloFacts, alpnRaw: Buffer[]): ClientFingerprints {
  const alpn = alpnChars(alpnRaw[0]);
  let h = mix(0x811c9dc5, ch.legacyVersion);
  h = mixList(h, ch.ciphers);
  h = mixList(h, ch.extensions);
  h = mixList(h, ch.groups);
  h = mixList(h, ch.ecPointFormats);
  h = mixList(h, ch.signatureAlgorithms);
  h = mixList(h, ch.supportedVersions);
  h = mix(mix(h, alpn.charCodeAt(0)), alpn.charCodeAt(1));
  const hit = clients.get(h);
  if (hit !== undefined && hit.alpn === alpn && sameShape(hit.key, ch)) return hit;
  const s = ja3String(ch);
  const entry: ClientEntry = { ja3String: s, ja3: md5(s), ja4: ja4(ch, alpnRaw), key: ch, alpn };
  if (clients.size >= MAX_ENTRIES) clients.clear();
  clients.set(h, entry);
  return entry;
}

/** JA3S string and hash (the string is short: it is its own key). */
export function serverFingerprint(sh: ServerHelloFacts): { ja3sString: string; ja3s: string } {
  const s = ja3sString(sh);
  let hash = servers.get(s);
  if (hash === undefined) {
    hash = md5(s);
    if (servers.size >= MAX_ENTRIES) servers.clear();
    servers.set(s, hash);
  }
  return { ja3sString: s, ja3s: hash };
}
