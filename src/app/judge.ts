import { addr, type ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { ChainCheck, TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import type { PathClassification, PathName } from '../classify/path-class.js';
import { carriedConnection, outsideTunnel } from '../classify/tunnel.js';
import type { NodeFacts } from '../node/facts.js';
import type { ProbeResult } from '../probe/types.js';
import { probeSummary } from '../outputs/probe-record.js';
import { assess, type Assessment } from '../rules/assess.js';
import { FindingTable, findingId } from '../findings/dedupe.js';
import type { FindingRecord } from '../findings/finding.js';
import type { RuleHit } from '../rules/types.js';
import { connectionRecord, type CarriedRecord, type ConnectionRecord } from '../outputs/connection-record.js';
import { sanitize, sanitizeDeep } from '../outputs/sanitize.js';

interface Assessed {
  cls: PathClassification;
  outer: Assessment;
  carried: { c: ConnectionFacts; a: Assessment } | null;
}

export interface Judgement {
  record: ConnectionRecord;
  /** Findings this connection created or updated (copies). */
  findings: FindingRecord[];
}

/** facts -> path class -> chain check -> rules -> verdict -> records; the one place they meet. */
export class Judge {
  readonly findings: FindingTable;
  readonly paths = new Map<string, number>();
  readonly verdicts = { secure: 0, unverified: 0, insecure: 0 };
  /**
   * Rules already raised by each connection judged while open (`early`, or `judge` with
   * `open`): a later judgement of the same connection records only rules new to it, so a
   * finding counts each connection once however often the connection is judged.
   */
  private readonly raised = new Map<number, Set<string>>();

  constructor(
    private model: ClusterModel | null,
    private trust: TrustStore,
    findingCap?: number,
    private node: NodeFacts | null = null,
    /** Probe results by server (`ip:port`), when `--probe` runs. */
    private readonly probes: ReadonlyMap<string, ProbeResult> | null = null,
  ) {
    this.findings = new FindingTable(findingCap === undefined ? {} : { cap: findingCap });
  }

  /** SIGHUP: a new cluster model, trust store and node files apply to connections from now on. */
  reload(model: ClusterModel | null, trust: TrustStore, node: NodeFacts | null = this.node): void {
    this.model = model;
    this.trust = trust;
    this.node = node;
  }

  /**
   * The connection record and findings of `c`. `open`: the connection goes on (it is judged
   * again, or only ended, later); otherwise this is its last judgement.
   */
  judge(c: ConnectionFacts, open = false): Judgement {
    const j = this.assessed(c);
    this.paths.set(j.cls.path, (this.paths.get(j.cls.path) ?? 0) + 1);
    this.verdicts[j.outer.verdict.verdict]++;
    const touched = this.record(c, j, open);
    const tlsCheck = c.tls === null && j.carried !== null ? j.carried.a.check : j.outer.check;
    const record = connectionRecord(c, j.cls, tlsCheck, j.outer.verdict.verdict);
    if (j.carried !== null) record.carried = carriedRecord(j.carried.c, j.carried.a);
    const probe = this.probeOf(c);
    if (probe !== null && record.tls !== null) record.tls.probe = probeSummary(probe, j.outer.probeCheck);
    return { record, findings: touched };
  }

  /** Findings only, for a connection still open: the rules it raises for the first time. */
  early(c: ConnectionFacts): FindingRecord[] {
    return this.record(c, this.assessed(c), true);
  }

  private probeOf(c: ConnectionFacts): ProbeResult | null {
    return this.probes?.get(addr(c.server)) ?? null;
  }

  private judged(c: ConnectionFacts, cls: PathClassification): Assessment {
    const a = assess(c, this.model, this.trust, cls, this.node, this.probeOf(c));
    // Evidence quotes wire strings (SNI, paths, subjects): strip control characters once, here.
    return { ...a, hits: a.hits.map((h) => ({ ...h, evidence: sanitizeDeep(h.evidence) })) };
  }

  /**
   * A CONNECT tunnel is two paths: the tunnelling connection, judged on what crossed outside the
   * tunnel, and the carried connection (to the CONNECT target), judged as the path it is.
   */
  private assessed(c: ConnectionFacts): Assessed {
    const cls = classify(c, this.model);
    const inner = carriedConnection(c);
    const outer = this.judged(inner === null ? c : outsideTunnel(c), cls);
    const carried = inner === null ? null : { c: inner, a: this.judged(inner, classify(inner, this.model)) };
    return { cls, outer, carried };
  }

  /**
   * A probe of `c`'s server just answered: the findings that rest on it and were not yet raised
   * for this client and server. Nothing already counted is counted again.
   */
  reconsider(c: ConnectionFacts): FindingRecord[] {
    const j = this.assessed(c);
    const fresh = j.outer.hits.filter((h) => h.evidence.source === 'probe' && this.findings.get(findingId(h.rule, c.client.ip, addr(c.server))) === undefined);
    return this.findings.add(c, j.cls.path, fresh).map((f) => ({ ...f }));
  }

  /**
   * `comms-watch probe`: the probe's own first handshake judged as the path its target stands on.
   * Everything rests on the probe, so every hit says so; what the probe itself did (present no
   * client certificate, be refused) is not held against the server's real clients.
   */
  judgeProbe(r: ProbeResult): { record: ConnectionRecord; findings: FindingRecord[]; check: ChainCheck | null } {
    const c = probeConnection(r);
    const cls: PathClassification = { path: r.target.path as PathName, evidence: 'named on the probe command line', strength: 'port' };
    const a = this.judged(c, cls);
    // A legacy version the probe negotiated is one it asked for alone: tls-legacy-accepted says it.
    const hits = a.hits.filter((h) => h.rule !== 'tls-legacy-version').map((h) => ({ ...h, evidence: { ...h.evidence, source: 'probe' } }));
    this.paths.set(cls.path, (this.paths.get(cls.path) ?? 0) + 1);
    this.verdicts[a.verdict.verdict]++;
    const record = connectionRecord(c, cls, a.check, a.verdict.verdict);
    if (record.tls !== null) record.tls.probe = probeSummary(r, a.probeCheck);
    return { record, check: a.probeCheck, findings: this.findings.add(c, cls.path, hits).map((f) => ({ ...f })) };
  }

  /** `c` ended without a last judgement (its record went out while it was open). */
  ended(id: number): void {
    this.raised.delete(id);
  }

  private record(c: ConnectionFacts, j: Assessed, open: boolean): FindingRecord[] {
    const groups: [ConnectionFacts, string, RuleHit[]][] = [[c, j.cls.path, j.outer.hits]];
    if (j.carried !== null) groups.push([j.carried.c, j.carried.a.path.path, j.carried.a.hits]);
    const raised = this.raised.get(c.id) ?? new Set<string>();
    const out: FindingRecord[] = [];
    for (const [view, path, hits] of groups) {
      // Keyed by server too: the tunnel and what it carries may raise the same rule.
      const key = (h: RuleHit) => `${h.rule}|${addr(view.server)}`;
      const fresh = hits.filter((h) => !raised.has(key(h)));
      if (open) for (const h of fresh) raised.add(key(h));
      out.push(...this.findings.add(view, path, fresh).map((f) => ({ ...f })));
    }
    if (open && raised.size > 0) this.raised.set(c.id, raised);
    else if (!open) this.raised.delete(c.id);
    return out;
  }
}

function carriedRecord(inner: ConnectionFacts, j: Assessment): CarriedRecord {
  return {
    path: j.path.path,
    server: addr(inner.server),
    proto: inner.proto,
    verdict: j.verdict.verdict,
    reason: sanitize(j.verdict.reason),
    evidence: sanitize(j.path.evidence),
    findings: j.hits.map((h) => h.rule),
  };
}

let probeIds = 0;

/**
 * The probe's first handshake as a connection: the server's side of it as the probe saw it, with
 * nothing of the probe's own side (no client certificate, the refusal that followed) left in.
 */
function probeConnection(r: ProbeResult): ConnectionFacts {
  const t = r.handshake.tls;
  const tls = t === null ? null : { ...t, clientAuth: 'unknown' as const, clientAuthSource: 'observed' as const, clientAuthReason: null, clientChain: null, alerts: [] };
  const at = r.atMs * 1000;
  return {
    id: -(++probeIds), transport: 'tcp', client: r.handshake.local ?? { ip: '0.0.0.0', port: 0 }, server: { ...r.target.server }, clientBy: 'syn',
    proto: tls === null ? 'unknown' : 'tls', startMicros: at, endMicros: at, packets: [0, 0], bytes: [0, 0], missingBytes: [0, 0],
    synSeen: true, overlapConflicts: 0, endReason: 'fin', tls, ssh: null, http: null, http2: null, tunnel: null, anomalies: [],
  };
}
