import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import { checkServerChain, evaluate } from '../rules/engine.js';
import { verdictOf } from '../rules/verdict.js';
import { FindingTable } from '../findings/dedupe.js';
import type { FindingRecord } from '../findings/finding.js';
import { connectionRecord, type ConnectionRecord } from '../outputs/connection-record.js';
import { sanitizeDeep } from '../outputs/sanitize.js';

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
  ) {
    this.findings = new FindingTable(findingCap === undefined ? {} : { cap: findingCap });
  }

  /** SIGHUP: a new cluster model and trust store apply to connections from now on. */
  reload(model: ClusterModel | null, trust: TrustStore): void {
    this.model = model;
    this.trust = trust;
  }

  judge(c: ConnectionFacts): Judgement {
    const cls = classify(c, this.model);
    const check = checkServerChain(c, this.trust);
    // Evidence quotes wire strings (SNI, paths, subjects): strip control characters once, here.
    const hits = evaluate(c, cls, this.model, this.trust, check).map((h) => ({ ...h, evidence: sanitizeDeep(h.evidence) }));
    const { verdict } = verdictOf(c, cls, hits, check);
    this.paths.set(cls.path, (this.paths.get(cls.path) ?? 0) + 1);
    this.verdicts[verdict]++;
    const touched = this.findings.add(c, cls.path, hits).map((f) => ({ ...f }));
    return { record: connectionRecord(c, cls, check, verdict), findings: touched };
  }
}
