import type { CertFacts } from '../core/facts.js';
import type { RuleName } from './catalog.js';
import type { RuleFn } from './types.js';
import { isoFromMs } from '../core/time.js';

const WEAK_SIG = /md2|md4|md5|sha1(?!\d)|sha-1/i;

function sides(chainS: CertFacts[] | null | undefined, chainC: CertFacts[] | null | undefined): { side: 'server' | 'client'; cert: CertFacts }[] {
  return [...(chainS ?? []).map((cert) => ({ side: 'server' as const, cert })), ...(chainC ?? []).map((cert) => ({ side: 'client' as const, cert }))];
}

export const CERT_RULES = {
  'cert-expired': (ctx) => {
    const t = ctx.atMs;
    const bad = sides(ctx.tls?.serverChain, ctx.tls?.clientChain).find(({ cert }) => t < cert.notBeforeMs || t > cert.notAfterMs);
    if (!bad) return null;
    return {
      side: bad.side, subject: bad.cert.subject, not_before: bad.cert.notBefore, not_after: bad.cert.notAfter,
      at: isoFromMs(t), not_yet_valid: t < bad.cert.notBeforeMs,
    };
  },
  'cert-untrusted': (ctx) => {
    const check = ctx.check;
    const leaf = ctx.tls?.serverChain?.[0];
    if (ctx.trust.size === 0 || check === null || !leaf || ctx.path.path === 'apiserver-kubelet') return null;
    if (check.validation !== 'untrusted' && check.validation !== 'self-signed') return null;
    return { subject: leaf.subject, issuer: leaf.issuer, validation: check.validation, reason: check.reason };
  },
  'cert-name-mismatch': (ctx) => {
    const check = ctx.check;
    const leaf = ctx.tls?.serverChain?.[0];
    if (check === null || check.nameMatch !== false || !leaf) return null;
    // A self-signed kubelet cert is already unverifiable; its missing IP SAN adds nothing.
    if (ctx.path.path === 'apiserver-kubelet' && check.selfSigned) return null;
    return { name: check.name, sni: ctx.tls?.sni ?? null, subject: leaf.subject, san: leaf.san };
  },
  'cert-weak-key': (ctx) => {
    for (const { side, cert } of sides(ctx.tls?.serverChain, ctx.tls?.clientChain)) {
      const rsaLike = /rsa|dsa/i.test(cert.keyType);
      if (rsaLike && cert.keyBits !== null && cert.keyBits < 2048) return { side, subject: cert.subject, key: cert.key };
      if (!cert.selfSigned && WEAK_SIG.test(cert.sigAlg)) return { side, subject: cert.subject, sig_alg: cert.sigAlg };
    }
    return null;
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
