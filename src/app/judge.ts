import { addr, type ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import type { PathClassification } from '../classify/path-class.js';
import { carriedConnection, outsideTunnel } from '../classify/tunnel.js';
import type { NodeFacts } from '../node/facts.js';
import { assess, type Assessment } from '../rules/assess.js';
import { FindingTable } from '../findings/dedupe.js';
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
    return { record, findings: touched };
  }

  /** Findings only, for a connection still open: the rules it raises for the first time. */
  early(c: ConnectionFacts): FindingRecord[] {
    return this.record(c, this.assessed(c), true);
  }

  private judged(c: ConnectionFacts, cls: PathClassification): Assessment {
    const a = assess(c, this.model, this.trust, cls, this.node);
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
