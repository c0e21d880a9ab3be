import type { RuleName } from './catalog.js';
import { certEvidence, clientAuthSeen, exchangeEvidence, fullHandshakeVisible } from './evidence.js';
import { kubeletCertFromNodeFiles } from './node-files.js';
import type { RuleFn } from './types.js';

const DAY_MS = 86_400_000;
const EXPIRING_DAYS = 30;

export const KUBELET_RULES = {
  'kubelet-cleartext': (ctx) => {
    if (!ctx.cleartext || ctx.path.path !== 'apiserver-kubelet') return null;
    const first = ctx.cleartextExchanges[0];
    return { port: ctx.c.server.port, ...(first ? { request: exchangeEvidence(first) } : {}) };
  },
  'kubelet-readonly-port': (ctx) => {
    if (ctx.path.path !== 'kubelet-readonly' || ctx.tls !== null) return null;
    if (ctx.c.proto !== 'http' && ctx.cleartextExchanges.length === 0) return null;
    const first = ctx.cleartextExchanges[0];
    return { port: ctx.c.server.port, ...(first ? { request: exchangeEvidence(first), answered: first.status !== null && first.status < 400 } : {}) };
  },
  'kubelet-cert-unverifiable': (ctx) => {
    const check = ctx.check;
    const leaf = ctx.tls?.serverChain?.[0];
    // A chain hidden on the wire (TLS 1.3 without keys) is judged from the node's own serving certificate.
    if (check === null) return kubeletCertFromNodeFiles(ctx);
    if (ctx.path.path !== 'apiserver-kubelet' || !leaf || check.anchored) return null;
    const selfSigned = check.selfSigned;
    if (!selfSigned && ctx.trust.size === 0) return null;
    return { subject: leaf.subject, issuer: leaf.issuer, self_signed: selfSigned, validation: check.validation, reason: check.reason };
  },
  'kubelet-client-auth-disabled': (ctx) => {
    if (ctx.path.path !== 'apiserver-kubelet' || !ctx.tls || !fullHandshakeVisible(ctx.tls)) return null;
    const auth = clientAuthSeen(ctx.tls, false);
    if (auth === null || auth.value !== 'not-requested') return null;
    return { certificate_request: false, client_auth: auth.value, source: auth.source };
  },
  'apiserver-kubelet-no-client-cert': (ctx) => {
    if (ctx.path.path !== 'apiserver-kubelet' || !ctx.tls) return null;
    const auth = clientAuthSeen(ctx.tls, true);
    // Not requested counts too (the apiserver sent no certificate either way), but only when seen:
    // an inferred "not requested" is kubelet-client-auth-disabled's territory, which does not guess.
    const notRequested = auth !== null && auth.value === 'not-requested' && auth.source !== 'inferred';
    if (auth === null || (auth.value !== 'requested-not-presented' && !notRequested)) return null;
    return { client_auth: auth.value, certificate_request: auth.value === 'requested-not-presented', source: auth.source, ...(ctx.tls.clientAuthReason ? { reason: ctx.tls.clientAuthReason } : {}) };
  },
  'kubelet-cert-expiring': (ctx) => {
    const leaf = ctx.tls?.serverChain?.[0];
    if (ctx.path.path !== 'apiserver-kubelet' || !leaf) return null;
    const left = leaf.notAfterMs - ctx.atMs;
    if (left < 0 || left > EXPIRING_DAYS * DAY_MS || ctx.atMs < leaf.notBeforeMs) return null;
    return { ...certEvidence(leaf), days_left: Math.floor(left / DAY_MS), self_signed: ctx.check?.selfSigned ?? leaf.selfSigned };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
