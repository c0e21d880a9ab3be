import type { SshKexInit } from '../../src/core/facts.js';

/** Where the name-lists start: after the message byte and the 16-byte random cookie. */
export const KEXINIT_LISTS_AT = 17;

/** Names kept per name-list; real lists hold a few dozen. */
export const MAX_NAMES = 128;

export interface KexInitResult {
  kexinit: SshKexInit | null;
  /** Why parsing failed or what was cut (no secrets can occur in a KEXINIT). */
  problem: string | null;
}

/**
 * SSH_MSG_KEXINIT (RFC 4253 section 7.1): byte 20, 16-byte cookie, ten name-lists
 * (uint32 length + comma-separated US-ASCII names), boolean first_kex_packet_follows, uint32 0.
 */
export function parseKexInit(p: Buffer): KexInitResult {
  let off = KEXINIT_LISTS_AT;
  const lists: string[][] = [];
  let problem: string | null = null;
  for (let i = 0; i < 10; i++) {
    if (off + 4 > p.length) return { kexinit: null, problem: `name-list ${i} length beyond the packet` };
    const len = p.readUInt32BE(off);
    off += 4;
    if (len > p.length - off) return { kexinit: null, problem: `name-list ${i} length ${len} exceeds the ${p.length - off} bytes left` };
    const names = len === 0 ? [] : p.toString('latin1', off, off + len).split(',');
    if (names.length > MAX_NAMES) {
      problem = `name-list ${i} has ${names.length} names, kept ${MAX_NAMES}`;
      names.length = MAX_NAMES;
    }
    lists.push(names);
    off += len;
  }
  if (off + 5 > p.length) problem ??= 'KEXINIT ends before first_kex_packet_follows';
  const follows = off < p.length && p[off] !== 0;
  const l = (i: number): string[] => lists[i] ?? [];
  return {
    kexinit: {
      kex: l(0), hostKey: l(1), cipherC2s: l(2), cipherS2c: l(3), macC2s: l(4), macS2c: l(5),
      compressionC2s: l(6), compressionS2c: l(7), firstKexFollows: follows,
    },
    problem,
  };
}
