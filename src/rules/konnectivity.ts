import { KONNECTIVITY_PATHS } from '../classify/path-class.js';
import { exchangesOf } from '../classify/classify.js';
import type { RuleName } from './catalog.js';
import { clientAuthSeen, credentialEvidence, exchangeEvidence } from './evidence.js';
import type { RuleFn } from './types.js';

export const KONNECTIVITY_RULES = {
  'konnectivity-cleartext': (ctx) => {
    if (!ctx.cleartext || !KONNECTIVITY_PATHS.has(ctx.path.path)) return null;
    const first = ctx.cleartextExchanges[0];
    return { proto: ctx.c.proto, port: ctx.c.server.port, ...(first ? { request: exchangeEvidence(first) } : {}) };
  },
  'konnectivity-token-auth': (ctx) => {
    if (ctx.path.path !== 'konnectivity-agent') return null;
    const withToken = exchangesOf(ctx.c).find((x) => x.path === '/AgentService/Connect' && x.auth?.kind === 'bearer');
    if (withToken?.auth) return { credential: credentialEvidence(withToken.auth), source: ctx.cleartext ? 'observed' : 'decrypted' };
    if (!ctx.tls) return null;
    const auth = clientAuthSeen(ctx.tls, true);
    if (auth === null || auth.value === 'presented') return null;
    return { certificate_request: auth.value !== 'not-requested', client_auth: auth.value, source: auth.source };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
