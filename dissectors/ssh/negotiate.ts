import type { SshFacts, SshKexInit } from '../../src/core/facts.js';

/** RFC 4253 section 7.1: the first algorithm on the client's list that is also on the server's. */
export function firstMatch(client: readonly string[], server: readonly string[]): string | null {
  for (const name of client) if (server.includes(name)) return name;
  return null;
}

export type Negotiated = Pick<SshFacts, 'kex' | 'hostKey' | 'cipherC2s' | 'cipherS2c' | 'macC2s' | 'macS2c' | 'compressionC2s' | 'compressionS2c'>;

/**
 * Per-category first match. Simplification, stated: RFC 4253 also requires the kex method to be
 * compatible with the host key algorithm (encryption- vs signature-capable) and retries with the
 * next one otherwise; every algorithm in use today is signature-capable, so plain first match is
 * what real peers agree on.
 */
export function negotiate(c: SshKexInit, s: SshKexInit): Negotiated {
  return {
    kex: firstMatch(c.kex, s.kex),
    hostKey: firstMatch(c.hostKey, s.hostKey),
    cipherC2s: firstMatch(c.cipherC2s, s.cipherC2s),
    cipherS2c: firstMatch(c.cipherS2c, s.cipherS2c),
    macC2s: firstMatch(c.macC2s, s.macC2s),
    macS2c: firstMatch(c.macS2c, s.macS2c),
    compressionC2s: firstMatch(c.compressionC2s, s.compressionC2s),
    compressionS2c: firstMatch(c.compressionS2c, s.compressionS2c),
  };
}

/** AEAD ciphers carry their own tag; the negotiated MAC is then not used (RFC 5647, PROTOCOL.chacha20poly1305). */
export function isAead(cipher: string | null): boolean {
  return cipher !== null && (cipher.startsWith('chacha20-poly1305') || cipher.includes('-gcm') || cipher.startsWith('AEAD_'));
}
