import type { ConnectionFacts } from '../facts/connection.js';
import type { ClusterModel } from '../cluster/model.js';
import type { TrustStore } from '../cluster/trust.js';
import { classify } from '../classify/classify.js';
import { checkServerChain, evaluate } from '../rules/engine.js';
import { verdictOf } from '../rules/verdict.js';
import { FindingTable } from '../findings/dedupe.js';
import type { FindingRecord } from '../findings/finding.js';
import type { RuleHit } from '../rules/types.js';
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
  ) {
    this.findings = new FindingTable(findingCap === undefined ? {} : { cap: findingCap });
  }

  /** SIGHUP: a new cluster model and trust store apply to connections from now on. */
  reload(model: ClusterModel | null, trust: TrustStore): void {
    this.model = model;
    this.trust = trust;
  }

  /**
   * The connection record and findings of `c`. `open`: the connection goes on (it is judged
   * again, or only ended, later); otherwise this is its last judgement.
   */
  judge(c: ConnectionFacts, open = false): Judgement {
    const cls = classify(c, this.model);
    const check = checkServerChain(c, this.trust);
    // Evidence quotes wire strings (SNI, paths, subjects): strip control characters once, here.
    const hits = evaluate(c, cls, this.model, this.trust, check).map((h) => ({ ...h, evidence: sanitizeDeep(h.evidence) }));
    const { verdict } = verdictOf(c, cls, hits, check);
    this.paths.set(cls.path, (this.paths.get(cls.path) ?? 0) + 1);
    this.verdicts[verdict]++;
    const touched = this.record(c, cls.path, hits, open);
    return { record: connectionRecord(c, cls, check, verdict), findings: touched };
  }

  /** Findings only, for a connection still open: the rules it raises for the first time. */
  early(c: ConnectionFacts): FindingRecord[] {
    const cls = classify(c, this.model);
    const hits = evaluate(c, cls, this.model, this.trust).map((h) => ({ ...h, evidence: sanitizeDeep(h.evidence) }));
    return this.record(c, cls.path, hits, true);
  }

  /** `c` ended without a last judgement (its record went out while it was open). */
  ended(id: number): void {
    this.raised.delete(id);
  }

  private record(c: ConnectionFacts, path: string, hits: RuleHit[], open: boolean): FindingRecord[] {
    const before = this.raised.get(c.id);
    const fresh = before === undefined ? hits : hits.filter((h) => !before.has(h.rule));
    if (open) {
      const set = before ?? new Set<string>();
      for (const h of fresh) set.add(h.rule);
      if (set.size > 0) this.raised.set(c.id, set);
    } else {
      this.raised.delete(c.id);
    }
    return this.findings.add(c, path, fresh).map((f) => ({ ...f }));
  }
}
