import type { TlsFacts } from '../core/facts.js';
import type { ConnectionFacts } from '../facts/connection.js';
import type { ChainCheck } from '../cluster/trust.js';
import { tlsOf } from '../classify/classify.js';
import type { PathClassification, PathName } from '../classify/path-class.js';
import type { RuleHit } from './types.js';

export type Verdict = 'secure' | 'insecure' | 'unverified';

export interface VerdictResult {
  verdict: Verdict;
  reason: string;
}

/** Paths whose expected protection includes TLS with a verifiable server certificate (SPEC path table). */
const TLS_PATHS: ReadonlySet<PathName> = new Set([
  'node-apiserver', 'pod-apiserver', 'controlplane-apiserver', 'apiserver-kubelet', 'konnectivity-agent', 'konnectivity-server', 'etcd',
]);
/** Paths whose expected protection includes a client certificate. */
const CLIENT_CERT_PATHS: ReadonlySet<PathName> = new Set(['node-apiserver', 'apiserver-kubelet', 'konnectivity-server', 'etcd']);

const BAD: ReadonlySet<string> = new Set(['critical', 'high', 'medium']);

/**
 * insecure: a hit of severity medium or above. unverified: what the path is expected to have
 * (SPEC path table) could not be seen. secure: it was seen and nothing at medium or above fired.
 */
export function verdictOf(c: ConnectionFacts, path: PathClassification, hits: readonly RuleHit[], check: ChainCheck | null, seen: TlsFacts | null = tlsOf(c)): VerdictResult {
  const bad = hits.filter((h) => BAD.has(h.severity));
  if (bad.length > 0) return { verdict: 'insecure', reason: bad.map((h) => h.rule).join(', ') };
  if (hits.some((h) => h.rule === 'handshake-not-observed')) return { verdict: 'unverified', reason: 'handshake not observed' };
  const p = path.path;
  const tls = seen;
  switch (p) {
    case 'other':
      return { verdict: 'secure', reason: 'no expected protection for this path' };
    case 'kubelet-readonly':
      return { verdict: 'unverified', reason: 'no HTTP seen on the read-only port' };
    case 'ssh-tunnel':
      return c.ssh?.kex ? { verdict: 'secure', reason: 'SSH with no weak algorithm negotiated' } : { verdict: 'unverified', reason: 'SSH key exchange not seen' };
    case 'apiserver-proxy':
      return tls ? { verdict: 'secure', reason: 'TLS to the proxy target' } : { verdict: 'unverified', reason: 'neither HTTP nor TLS seen' };
    default:
      break;
  }
  if (TLS_PATHS.has(p)) {
    if (!tls) return { verdict: 'unverified', reason: 'no TLS handshake seen' };
    if (check === null) return { verdict: 'unverified', reason: 'server certificate chain not visible' };
    if (check.validation !== 'trusted') return { verdict: 'unverified', reason: `server chain ${check.validation}: ${check.reason}` };
    if (CLIENT_CERT_PATHS.has(p) && tls.clientAuth === 'unknown') return { verdict: 'unverified', reason: 'client authentication not visible' };
    const wire = tlsOf(c);
    if (tls !== wire && (tls.clientAuthSource === 'probe' || wire?.chainVisible === false)) return { verdict: 'secure', reason: 'expected protection settled by a probe of the server' };
  }
  return { verdict: 'secure', reason: 'expected protection seen' };
}
