import type { RuleName } from './catalog.js';
import type { RuleFn } from './types.js';

export const SSH_RULES = {
  'ssh-weak-algorithm': (ctx) => {
    const s = ctx.c.ssh ?? ctx.c.tunnel?.ssh ?? null;
    if (!s || s.weak.length === 0) return null;
    return { weak: s.weak, kex: s.kex, host_key: s.hostKey, cipher_c2s: s.cipherC2s, mac_c2s: s.macC2s, strict_kex: s.strictKex };
  },
  'ssh-tunnel': (ctx) => {
    const s = ctx.c.ssh;
    if (ctx.path.path !== 'ssh-tunnel' || !s) return null;
    return { client_banner: s.clientBanner, server_banner: s.serverBanner, evidence: ctx.path.evidence };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
