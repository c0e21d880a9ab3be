import { versionName } from '../../dissectors/tls/names.js';
import type { TlsFacts } from '../core/facts.js';
import { isoFromMs } from '../core/time.js';
import type { ProbeResult } from '../probe/types.js';
import type { RuleName } from './catalog.js';
import type { RuleFn } from './types.js';

/**
 * The connection's TLS as the rules see it once a probe of its server answered what the wire hid:
 * the served chain, whether a client certificate is asked for and whether it is enforced. The
 * wire's own facts win wherever it showed them (observed or decrypted); a probe outranks an inference.
 */
export function probedTls(tls: TlsFacts, p: ProbeResult): TlsFacts {
  const h = p.handshake;
  const out: TlsFacts = { ...tls };
  if (!tls.chainVisible && h.chain !== null && h.chain.length > 0) {
    out.serverChain = h.chain;
    out.chainVisible = true;
  }
  if (tls.certificateRequest === null && h.tls?.certificateRequest) out.certificateRequest = { ...h.tls.certificateRequest, source: 'probe' };
  if (tls.clientAuth === 'unknown' || tls.clientAuthSource === 'inferred') {
    if (h.certificateRequest === false) {
      out.clientAuth = 'not-requested';
      out.clientAuthSource = 'probe';
      out.clientAuthReason = 'the server asked the probe for no client certificate';
    } else if (h.certificateRequest === true && (h.clientCertRequired || p.anonymousStatus === 401)) {
      // The server turns away every client without a certificate, so a client it served presented one.
      out.clientAuth = 'presented';
      out.clientAuthSource = 'probe';
      out.clientAuthReason = h.clientCertRequired
        ? 'the server asked the probe for a client certificate and refused the handshake without one'
        : 'the server asked the probe for a client certificate and answered 401 without one';
    }
  }
  return out;
}

function probedAt(p: ProbeResult): string {
  return isoFromMs(p.atMs);
}

export const PROBE_RULES = {
  'kubelet-anonymous-auth': (ctx) => {
    const p = ctx.probe;
    const status = p?.anonymousStatus ?? null;
    if (!p || ctx.path.path !== 'apiserver-kubelet' || status === null || status < 200 || status > 299) return null;
    return { source: 'probe', request: 'GET /pods', credentials: 'none', status, probed_at: probedAt(p) };
  },
  'kubelet-anonymous-authn-enabled': (ctx) => {
    const p = ctx.probe;
    if (!p || ctx.path.path !== 'apiserver-kubelet' || p.anonymousStatus !== 403) return null;
    return { source: 'probe', request: 'GET /pods', credentials: 'none', status: 403, probed_at: probedAt(p) };
  },
  'tls-legacy-accepted': (ctx) => {
    const p = ctx.probe;
    if (!p) return null;
    const accepted = (['TLS 1.0', 'TLS 1.1'] as const).filter((v) => p.versions[v] === true);
    if (accepted.length === 0) return null;
    const negotiated = ctx.tls?.version ?? null;
    return { source: 'probe', accepted, negotiated: negotiated === null ? null : versionName(negotiated), probed_at: probedAt(p) };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
