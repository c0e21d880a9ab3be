import type { RuleName } from './catalog.js';
import { clientAuthSeen, exchangeEvidence } from './evidence.js';
import type { RuleFn } from './types.js';

export const APISERVER_RULES = {
  'node-apiserver-no-client-cert': (ctx) => {
    if (ctx.path.path !== 'node-apiserver' || !ctx.tls) return null;
    const auth = clientAuthSeen(ctx.tls, true);
    if (auth === null || auth.value === 'presented') return null;
    return { client_auth: auth.value, source: auth.source, ...(ctx.tls.clientAuthReason ? { reason: ctx.tls.clientAuthReason } : {}) };
  },
  'proxy-cleartext': (ctx) => {
    if (!ctx.cleartext || ctx.path.path !== 'apiserver-proxy') return null;
    const first = ctx.cleartextExchanges[0];
    return { proto: ctx.c.proto, ...(first ? { request: exchangeEvidence(first) } : {}) };
  },
  'proxy-unverified-tls': (ctx) => {
    if (ctx.path.path !== 'apiserver-proxy' || !ctx.tls) return null;
    const auth = clientAuthSeen(ctx.tls, true);
    if (auth === null || auth.value === 'presented') return null;
    return { client_auth: auth.value, source: auth.source, sni: ctx.tls.sni };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
