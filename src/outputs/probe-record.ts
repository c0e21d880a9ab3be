import type { ChainCheck, Validation } from '../cluster/trust.js';
import { addr } from '../facts/connection.js';
import { isoFromMs } from '../core/time.js';
import type { ProbeResult, ProbeTarget, VersionName } from '../probe/types.js';
import { certRecord, type CertRecord } from './connection-record.js';
import { sanitize } from './sanitize.js';

/** SPEC `tls.probe`: what a probe of the server learned, beside what the wire showed. */
export interface ProbeSummary {
  chain: CertRecord[] | null;
  validation: Validation;
  certificate_request: boolean | null;
  ca_names: string[];
  /** Per version: accepted, refused, or null when the probe could not tell. */
  versions: Record<VersionName, boolean | null>;
  anonymous_status: number | null;
  /** The server demanded a client certificate: the handshake without one was refused. */
  client_cert_required: boolean;
  probed_at: string;
  problem: string | null;
}

/** What a probe sends to a target, said before (dry run) and after. */
export function probeSends(t: ProbeTarget): string[] {
  const out = ['TLS handshake with the client\'s default versions, no client certificate', 'one TLS handshake each offering only TLS 1.0, 1.1, 1.2, 1.3'];
  if (t.path === 'apiserver-kubelet') out.push('GET /pods without credentials (status code kept, body discarded)');
  return out;
}

export function probeSummary(p: ProbeResult, check: ChainCheck | null): ProbeSummary {
  const h = p.handshake;
  return {
    chain: h.chain ? h.chain.map(certRecord) : null,
    validation: check?.validation ?? 'unknown',
    certificate_request: h.certificateRequest,
    ca_names: h.caNames.map(sanitize),
    versions: { ...p.versions },
    anonymous_status: p.anonymousStatus,
    client_cert_required: h.clientCertRequired,
    probed_at: isoFromMs(p.atMs),
    problem: p.problem ? p.problem.code : null,
  };
}

/** The `probe` record: one per probe of one server. */
export function probeRecord(p: ProbeResult, check: ChainCheck | null): { type: 'probe'; [key: string]: unknown } {
  return {
    type: 'probe' as const,
    server: addr(p.target.server),
    path: p.target.path,
    sni: p.target.sni === null ? null : sanitize(p.target.sni),
    why: p.target.why,
    sent: probeSends(p.target),
    connections: p.connections,
    ...probeSummary(p, check),
    problem: p.problem ? { code: p.problem.code, detail: sanitize(p.problem.detail) } : null,
  };
}

/** The dry run's line for one target: what would be sent, and why. */
export function probePlanRecord(t: ProbeTarget): { type: 'probe_planned'; [key: string]: unknown } {
  return { type: 'probe_planned' as const, server: addr(t.server), path: t.path, sni: t.sni === null ? null : sanitize(t.sni), why: t.why, would_send: probeSends(t) };
}

/** Two lines for the text report: the server, then what the probe learned (or what went wrong). */
export function probeReportLines(r: Record<string, unknown>, clean: (s: string) => string): string[] {
  const head = `  ${clean(String(r.server))} (${clean(String(r.path))}), ${r.connections} connection(s)`;
  const problem = r.problem as { code: string; detail: string } | null;
  if (problem && r.chain === null) return [head, `      ${problem.code}: ${clean(problem.detail)}`];
  const versions = Object.entries((r.versions ?? {}) as Record<string, boolean | null>).filter(([, ok]) => ok === true).map(([v]) => v);
  const chain = r.chain as CertRecord[] | null;
  const parts = [
    `chain ${chain && chain[0] ? `${clean(chain[0].subject)} (${r.validation})` : 'not read'}`,
    `client certificate ${r.certificate_request === null ? 'request unknown' : r.certificate_request ? (r.client_cert_required ? 'required' : 'requested') : 'not requested'}`,
    `accepts ${versions.join(', ') || 'no version'}`,
  ];
  if (r.anonymous_status !== null && r.anonymous_status !== undefined) parts.push(`anonymous GET /pods ${r.anonymous_status}`);
  return [head, `      ${parts.join('; ')}`];
}
