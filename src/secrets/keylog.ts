import { statSync } from 'node:fs';
import type { SecretStore } from '../core/dissector.js';

/** NSS key log labels we keep (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/). */
export const KEYLOG_LABELS: ReadonlySet<string> = new Set([
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EARLY_EXPORTER_SECRET',
  'EXPORTER_SECRET',
]);

/** Default bound: a busy capture's key log of ~100 k connections with five secrets each. */
export const KEYLOG_MAX_ENTRIES = 500_000;

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Secrets from NSS key log text, looked up by label and client random. Lines that cannot be a
 * key log line are counted, never fatal; labels we do not use (`RSA`, ...) are counted apart.
 * Secrets stay inside: nothing here logs or formats them.
 */
export class KeyLogStore implements SecretStore {
  private readonly map = new Map<string, Buffer>();
  /** Well-formed lines with a label we do not use. */
  ignored = 0;
  /** Entries refused because the store was full. */
  dropped = 0;

  constructor(private readonly maxEntries = KEYLOG_MAX_ENTRIES) {}

  get size(): number { return this.map.size; }

  addText(text: string): { added: number; malformed: number } {
    let added = 0;
    let malformed = 0;
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      const parts = t.split(/\s+/);
      if (parts.length !== 3) { malformed++; continue; }
      const [label, random, secret] = parts as [string, string, string];
      if (!/^[A-Z][A-Z0-9_]*$/.test(label) || !HEX.test(random) || !HEX.test(secret) || secret.length % 2 !== 0) { malformed++; continue; }
      if (!KEYLOG_LABELS.has(label)) { this.ignored++; continue; }
      if (random.length !== 64 || secret.length < 32 || secret.length > 128) { malformed++; continue; }
      const key = `${label} ${random.toLowerCase()}`;
      if (!this.map.has(key) && this.map.size >= this.maxEntries) { this.dropped++; continue; }
      this.map.set(key, Buffer.from(secret, 'hex'));
      added++;
    }
    return { added, malformed };
  }

  get(label: string, clientRandom: string): Buffer | undefined {
    return this.map.get(`${label} ${clientRandom.toLowerCase()}`);
  }
}

/** A warning when a key log file is readable by group or others (it decrypts every session in it). */
export function keylogPermissionWarning(path: string): string | null {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return null;
  }
  if ((mode & 0o044) === 0) return null;
  const who = [(mode & 0o040) !== 0 ? 'group' : '', (mode & 0o004) !== 0 ? 'others' : ''].filter((s) => s !== '').join(' and ');
  return `key log ${path} is readable by ${who} (mode ${(mode & 0o777).toString(8)}); it decrypts every session it covers: chmod 600 it`;
}
