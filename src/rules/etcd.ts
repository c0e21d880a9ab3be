import type { RuleName } from './catalog.js';
import { clientAuthSeen, exchangeEvidence, fullHandshakeVisible } from './evidence.js';
import type { RuleFn } from './types.js';

export const ETCD_RULES = {
  'etcd-cleartext': (ctx) => {
    if (ctx.path.path !== 'etcd' || ctx.tls !== null) return null;
    const c = ctx.c;
    // Unrecognised bytes count only when the connection's first bytes were seen (a SYN): then they were not TLS.
    const plainUnknown = c.proto === 'unknown' && c.synSeen && c.bytes[0] > 0 && c.missingBytes[0] === 0;
    if (!ctx.cleartext && !plainUnknown) return null;
    const first = ctx.cleartextExchanges[0];
    return { proto: c.proto, port: c.server.port, bytes_c2s: c.bytes[0], ...(first ? { request: exchangeEvidence(first) } : {}) };
  },
  'etcd-no-client-auth': (ctx) => {
    if (ctx.path.path !== 'etcd' || !ctx.tls || !fullHandshakeVisible(ctx.tls)) return null;
    const auth = clientAuthSeen(ctx.tls, false);
    if (auth === null || auth.value !== 'not-requested') return null;
    return { certificate_request: false, port: ctx.c.server.port, source: auth.source };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
