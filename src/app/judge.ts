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
import { connectionRecord, type CarriedRecord, type ConnectionRecord } from '../outputs/connection-record.js';
import { sanitize, sanitizeDeep } from '../outputs/sanitize.js';

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

  private judged(c: ConnectionFacts, cls: PathClassification): Assessment {
    const a = assess(c, this.model, this.trust, cls, this.node);
    // Evidence quotes wire strings (SNI, paths, subjects): strip control characters once, here.
    return { ...a, hits: a.hits.map((h) => ({ ...h, evidence: sanitizeDeep(h.evidence) })) };
  }

  judge(c: ConnectionFacts): Judgement {
    const cls = classify(c, this.model);
    const inner = carriedConnection(c);
    // A CONNECT tunnel is two paths: the tunnelling connection, judged on what crossed outside the
    // tunnel, and the carried connection (to the CONNECT target), judged as the path it is.
    const outer = this.judged(inner === null ? c : outsideTunnel(c), cls);
    const carried = inner === null ? null : this.judged(inner, classify(inner, this.model));
    this.paths.set(cls.path, (this.paths.get(cls.path) ?? 0) + 1);
    this.verdicts[outer.verdict.verdict]++;
    const touched = this.findings.add(c, cls.path, outer.hits);
    if (inner !== null && carried !== null) touched.push(...this.findings.add(inner, carried.path.path, carried.hits));
    const tlsCheck = c.tls === null && carried !== null ? carried.check : outer.check;
    const record = connectionRecord(c, cls, tlsCheck, outer.verdict.verdict);
    if (inner !== null && carried !== null) record.carried = carriedRecord(inner, carried);
    return { record, findings: touched.map((f) => ({ ...f })) };
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
