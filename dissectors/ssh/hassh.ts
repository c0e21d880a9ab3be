import { createHash } from 'node:crypto';
import type { SshKexInit } from '../../src/core/facts.js';

/** HASSH (salesforce/hassh): `kex;enc;mac;cmp` from the client's c2s lists, MD5 hex. */
export function hasshString(k: SshKexInit): string {
  return `${k.kex.join(',')};${k.cipherC2s.join(',')};${k.macC2s.join(',')};${k.compressionC2s.join(',')}`;
}

/** HASSHServer: the same from the server's s2c lists. */
export function hasshServerString(k: SshKexInit): string {
  return `${k.kex.join(',')};${k.cipherS2c.join(',')};${k.macS2c.join(',')};${k.compressionS2c.join(',')}`;
}

export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'latin1').digest('hex');
}
