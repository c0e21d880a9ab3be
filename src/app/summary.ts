import type { PipelineStats } from '../pipeline/analyze.js';
import type { AnomalyLimiter } from './anomalies.js';
import type { Judge } from './judge.js';

/** The closing `summary` record: what was read, what was lost, what was found. */
export function summaryRecord(
  files: string[],
  st: PipelineStats,
  judge: Judge,
  limiter: AnomalyLimiter,
  damage: { file: string; offset: number; message: string } | null,
  drops: { kernel: number; iface: number } | null = null,
): { type: 'summary'; [key: string]: unknown } {
  const bySeverity: Record<string, number> = {};
  for (const f of judge.findings.all()) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return {
    type: 'summary',
    files,
    packets: st.packets,
    bytes: st.bytes,
    flows: st.flows,
    tcp_connections: st.tcpConnections,
    udp_flows: st.udpFlows,
    flows_evicted: st.flowsEvicted,
    drops: drops ?? { kernel: 0, iface: 0 },
    damage,
    reassembly: { gaps: st.gaps, missing_bytes: st.missingBytes, overlap_conflicts: st.overlapConflicts, budget_exhausted: st.budgetExhausted },
    decode: st.decode,
    paths: Object.fromEntries(judge.paths),
    verdicts: judge.verdicts,
    findings: bySeverity,
    findings_evicted: judge.findings.evicted,
    anomalies: { total: st.anomalies, by_code: limiter.counts(), suppressed: limiter.suppressed },
  };
}
