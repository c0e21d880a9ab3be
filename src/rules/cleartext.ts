import { APISERVER_PATHS } from '../classify/path-class.js';
import type { RuleName } from './catalog.js';
import { credentialEvidence, exchangeEvidence } from './evidence.js';
import type { RuleFn } from './types.js';

export const CLEARTEXT_RULES = {
  'cleartext-apiserver': (ctx) => {
    if (!ctx.cleartext || !APISERVER_PATHS.has(ctx.path.path)) return null;
    const first = ctx.cleartextExchanges[0];
    return { proto: ctx.c.proto, port: ctx.c.server.port, ...(first ? { request: exchangeEvidence(first) } : {}) };
  },
  'cleartext-credentials': (ctx) => {
    const x = ctx.cleartextExchanges.find((e) => e.auth !== null);
    if (!x || !x.auth) return null;
    return { credential: credentialEvidence(x.auth), request: exchangeEvidence(x), credentials_seen: ctx.cleartextExchanges.filter((e) => e.auth !== null).length };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
