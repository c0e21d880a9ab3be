import { alertName, cipherName, versionName } from '../../dissectors/tls/names.js';
import type { RuleName } from './catalog.js';
import type { RuleFn } from './types.js';

const LEGACY_VERSIONS: ReadonlySet<number> = new Set([0x0002, 0x0300, 0x0301, 0x0302]);
const WEAK_CIPHER_TOKENS: ReadonlySet<string> = new Set(['NULL', 'anon', 'RC4', 'DES', '3DES', 'DES40', 'MD5']);

/** NULL, EXPORT, anon, RC4, DES / 3DES or MD5 in an IANA suite name. */
export function isWeakCipherName(name: string): boolean {
  return name.split('_').some((t) => WEAK_CIPHER_TOKENS.has(t) || t.startsWith('EXPORT'));
}

export const TLS_RULES = {
  'tls-legacy-version': (ctx) => {
    const v = ctx.tls?.version;
    if (v === null || v === undefined || !LEGACY_VERSIONS.has(v)) return null;
    return { version: versionName(v) };
  },
  'tls-weak-cipher': (ctx) => {
    const code = ctx.tls?.cipher;
    if (code === null || code === undefined) return null;
    const name = cipherName(code);
    return isWeakCipherName(name) ? { cipher: name } : null;
  },
  'tls-handshake-failure': (ctx) => {
    const a = ctx.tls?.alerts.find((x) => x.level === 2 && x.duringHandshake && x.source !== 'inferred');
    if (!a) return null;
    return { alert: alertName(a.description), level: 'fatal', sent_by: a.dir === 0 ? 'client' : 'server' };
  },
  'handshake-not-observed': (ctx) => {
    const tls = ctx.tls;
    const h2 = ctx.c.http2 ?? ctx.c.tunnel?.http2 ?? null;
    if (tls && (tls.midStream || (tls.clientHello === null && tls.serverHello === null))) {
      return { proto: 'tls', syn_seen: ctx.c.synSeen, bytes: ctx.c.bytes };
    }
    if (!tls && h2?.midStream) return { proto: 'http2', syn_seen: ctx.c.synSeen, bytes: ctx.c.bytes };
    return null;
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
