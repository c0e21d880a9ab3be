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
import { FindingTable, findingId, type FindingView } from '../findings/dedupe.js';
import type { FindingRecord } from '../findings/finding.js';
import type { RuleHit } from '../rules/types.js';
import type { Verdict } from '../rules/verdict.js';
import { connectionRecord, type CarriedRecord, type ConnectionRecord } from '../outputs/connection-record.js';
import { sanitize, sanitizeDeep } from '../outputs/sanitize.js';

interface Assessed {
  cls: PathClassification;
  outer: Assessment;
  carried: { c: ConnectionFacts; a: Assessment } | null;
}

/** Hits of one view of a connection (the connection itself, or what its CONNECT tunnel carried). */
export interface HitGroup {
  view: FindingView;
  path: string;
  hits: RuleHit[];
}

/** What a shard sends for one judged connection: plain data, so it crosses a worker boundary. */
export interface Judged {
  /** The record; a worker shard may send only its JSON `line`. */
  record?: ConnectionRecord;
  line?: string;
  path: string;
  verdict: Verdict;
  /** Only the rules this connection raises for the first time. */
  groups: HitGroup[];
}

export interface Judgement {
  record: ConnectionRecord;
  /** Findings this connection created or updated (copies). */
  findings: FindingRecord[];
}

export function findingView(c: ConnectionFacts): FindingView {
  return { clientIp: c.client.ip, client: addr(c.client), server: addr(c.server), atMicros: c.startMicros };
}

/**
 * facts -> path class -> chain check -> rules -> verdict -> records, for the connections of one
 * shard; what spans connections (findings, counts) is the Judge's.
 */
export class Assessor {
  /**
   * Rules already raised by each connection judged while open (`early`, or `judge` with
   * `open`): a later judgement of the same connection records only rules new to it, so a
   * finding counts each connection once however often the connection is judged.
   */
  private readonly raised = new Map<number, Set<string>>();

  constructor(
    private model: ClusterModel | null,
    private trust: TrustStore,
    private node: NodeFacts | null = null,
    /** Probe results by server (`ip:port`), when `--probe` runs. */
    private readonly probes: ReadonlyMap<string, ProbeResult> | null = null,
  ) {}

  reload(model: ClusterModel | null, trust: TrustStore, node: NodeFacts | null): void {
    this.model = model;
    this.trust = trust;
    this.node = node;
  }

  /** `open`: the connection goes on (it is judged again, or only ended, later); otherwise this is its last judgement. */
  judge(c: ConnectionFacts, open = false): Judged {
    const j = this.assessed(c);
    const groups = this.fresh(c, j, open);
    const tlsCheck = c.tls === null && j.carried !== null ? j.carried.a.check : j.outer.check;
    const record = connectionRecord(c, j.cls, tlsCheck, j.outer.verdict.verdict);
    if (j.carried !== null) record.carried = carriedRecord(j.carried.c, j.carried.a);
    const probe = this.probeOf(c);
    if (probe !== null && record.tls !== null) record.tls.probe = probeSummary(probe, j.outer.probeCheck);
    return { record, path: record.path, verdict: j.outer.verdict.verdict, groups };
  }

  /** Hits only, for a connection still open: the rules it raises for the first time. */
  early(c: ConnectionFacts): HitGroup[] {
    return this.fresh(c, this.assessed(c), true);
  }

  /** `c` ended without a last judgement (its record went out while it was open). */
  ended(id: number): void {
    this.raised.delete(id);
  }

  /** Every hit that rests on a probe (for findings a probe settles after the connection was judged). */
  probeHits(c: ConnectionFacts): HitGroup {
    const j = this.assessed(c);
    return { view: findingView(c), path: j.cls.path, hits: j.outer.hits.filter((h) => h.evidence.source === 'probe') };
  }

  /**
   * `comms-watch probe`: the probe's own first handshake judged as the path its target stands on.
   * Everything rests on the probe, so every hit says so; what the probe itself did (present no
   * client certificate, be refused) is not held against the server's real clients.
   */
  judgeProbe(r: ProbeResult): Judged & { check: ChainCheck | null } {
    const c = probeConnection(r);
    const cls: PathClassification = { path: r.target.path as PathName, evidence: 'named on the probe command line', strength: 'port' };
    const a = this.judged(c, cls);
    // A legacy version the probe negotiated is one it asked for alone: tls-legacy-accepted says it.
    const hits = a.hits.filter((h) => h.rule !== 'tls-legacy-version').map((h) => ({ ...h, evidence: { ...h.evidence, source: 'probe' } }));
    const record = connectionRecord(c, cls, a.check, a.verdict.verdict);
    if (record.tls !== null) record.tls.probe = probeSummary(r, a.probeCheck);
    return { record, path: record.path, verdict: a.verdict.verdict, check: a.probeCheck, groups: [{ view: findingView(c), path: cls.path, hits }] };
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

  private fresh(c: ConnectionFacts, j: Assessed, open: boolean): HitGroup[] {
    const groups: [ConnectionFacts, string, RuleHit[]][] = [[c, j.cls.path, j.outer.hits]];
    if (j.carried !== null) groups.push([j.carried.c, j.carried.a.path.path, j.carried.a.hits]);
    const raised = this.raised.get(c.id) ?? new Set<string>();
    const out: HitGroup[] = [];
    for (const [view, path, hits] of groups) {
      // Keyed by server too: the tunnel and what it carries may raise the same rule.
      const key = (h: RuleHit) => `${h.rule}|${addr(view.server)}`;
      const fresh = hits.filter((h) => !raised.has(key(h)));
      if (open) for (const h of fresh) raised.add(key(h));
      out.push({ view: findingView(view), path, hits: fresh });
    }
    if (open && raised.size > 0) this.raised.set(c.id, raised);
    else if (!open) this.raised.delete(c.id);
    return out;
  }
}

/**
 * Where judgements meet: findings deduplicated across connections (and shards), path and verdict
 * counts. With one shard it also owns the Assessor, as the single-threaded reference.
 */
export class Judge {
  readonly findings: FindingTable;
  readonly paths = new Map<string, number>();
  readonly verdicts = { secure: 0, unverified: 0, insecure: 0 };
  readonly assessor: Assessor;

  constructor(
    model: ClusterModel | null,
    trust: TrustStore,
    findingCap?: number,
    node: NodeFacts | null = null,
    probes: ReadonlyMap<string, ProbeResult> | null = null,
  ) {
    this.findings = new FindingTable(findingCap === undefined ? {} : { cap: findingCap });
    this.assessor = new Assessor(model, trust, node, probes);
  }

  /** SIGHUP: a new cluster model, trust store and node files apply to connections from now on. */
  reload(model: ClusterModel | null, trust: TrustStore, node: NodeFacts | null): void {
    this.assessor.reload(model, trust, node);
  }

  judge(c: ConnectionFacts, open = false): Judgement {
    const j = this.assessor.judge(c, open);
    return { record: j.record!, findings: this.take(j) };
  }

  early(c: ConnectionFacts): FindingRecord[] {
    return this.add(this.assessor.early(c));
  }

  ended(id: number): void {
    this.assessor.ended(id);
  }

  /** A judgement made elsewhere (a shard): counted, and its hits recorded as findings. */
  take(j: Judged): FindingRecord[] {
    this.paths.set(j.path, (this.paths.get(j.path) ?? 0) + 1);
    this.verdicts[j.verdict]++;
    return this.add(j.groups);
  }

  add(groups: readonly HitGroup[]): FindingRecord[] {
    const out: FindingRecord[] = [];
    for (const g of groups) out.push(...this.findings.addView(g.view, g.path, g.hits).map((f) => ({ ...f })));
    return out;
  }

  /**
   * A probe of `c`'s server just answered: the findings that rest on it and were not yet raised
   * for this client and server. Nothing already counted is counted again.
   */
  reconsider(c: ConnectionFacts): FindingRecord[] {
    const g = this.assessor.probeHits(c);
    const fresh = g.hits.filter((h) => this.findings.get(findingId(h.rule, g.view.clientIp, g.view.server)) === undefined);
    return this.add([{ ...g, hits: fresh }]);
  }

  judgeProbe(r: ProbeResult): Judgement & { check: ChainCheck | null } {
    const j = this.assessor.judgeProbe(r);
    return { record: j.record!, findings: this.take(j), check: j.check };
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
