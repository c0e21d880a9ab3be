import { isoFromMs } from '../core/time.js';
import type { ConnectionFacts } from '../facts/connection.js';
import { addr } from '../facts/connection.js';
import type { RuleHit } from '../rules/types.js';
import type { FindingRecord, Severity } from './finding.js';

export interface FindingTableOptions {
  /** Most distinct findings kept; beyond it the oldest of the least severe tier is evicted (and counted). */
  cap?: number;
}

/** Eviction order: info and low together first, then medium, high, critical. */
const TIER: Record<Severity, number> = { info: 0, low: 0, medium: 1, high: 2, critical: 3 };
const TIERS = 4;

export function isoFromMicros(us: number): string {
  return isoFromMs(us / 1000);
}

export function findingId(rule: string, clientIp: string, server: string): string {
  return `${rule}|${clientIp}|${server}`;
}

/**
 * SPEC `finding` records, one per (rule, client ip, server ip:port): repeats raise `count` and
 * `last_seen` and bump `revision`. Times come from packets.
 */
/** What a finding needs of its connection: the client's ip and address, the server, the start time. */
export interface FindingView {
  clientIp: string;
  client: string;
  server: string;
  atMicros: number;
}

export class FindingTable {
  readonly cap: number;
  /** One map per eviction tier; insertion order is last-touched order (touched entries are re-inserted). */
  private readonly tiers: Map<string, FindingRecord>[] = Array.from({ length: TIERS }, () => new Map());
  private readonly changed = new Set<string>();
  private total = 0;
  /** Findings dropped by the cap, by severity. */
  readonly evicted: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

  constructor(options: FindingTableOptions = {}) {
    this.cap = Math.max(1, options.cap ?? 10_000);
  }

  get size(): number {
    return this.total;
  }

  /** Records the hits of one connection at its start time; returns the records created or updated. */
  add(c: ConnectionFacts, path: string, hits: readonly RuleHit[]): FindingRecord[] {
    return hits.map((h) => this.record(h, path, c.client.ip, addr(c.client), addr(c.server), c.startMicros));
  }

  /** The same, from what a finding needs of the connection (as a shard sends it). */
  addView(v: FindingView, path: string, hits: readonly RuleHit[]): FindingRecord[] {
    return hits.map((h) => this.record(h, path, v.clientIp, v.client, v.server, v.atMicros));
  }

  record(hit: RuleHit, path: string, clientIp: string, client: string, server: string, atMicros: number): FindingRecord {
    const id = findingId(hit.rule, clientIp, server);
    const tier = this.tiers[TIER[hit.severity]]!;
    const seen = isoFromMicros(atMicros);
    const old = tier.get(id);
    if (old !== undefined) {
      tier.delete(id);
      old.count += 1;
      if (seen < old.first_seen) old.first_seen = seen;
      if (seen > old.last_seen) old.last_seen = seen;
      old.evidence = hit.evidence;
      old.revision += 1;
      tier.set(id, old);
      this.changed.add(id);
      return old;
    }
    if (this.total >= this.cap) this.evictOne();
    const rec: FindingRecord = {
      type: 'finding',
      rule: hit.rule,
      severity: hit.severity,
      path,
      client,
      server,
      first_seen: seen,
      last_seen: seen,
      count: 1,
      evidence: hit.evidence,
      remediation: hit.remediation,
      ...(hit.cis ? { cis: hit.cis } : {}),
      id,
      revision: 1,
    };
    tier.set(id, rec);
    this.total += 1;
    this.changed.add(id);
    return rec;
  }

  private evictOne(): void {
    for (const tier of this.tiers) {
      const oldest = tier.keys().next();
      if (oldest.done) continue;
      const rec = tier.get(oldest.value)!;
      tier.delete(oldest.value);
      this.changed.delete(oldest.value);
      this.evicted[rec.severity] += 1;
      this.total -= 1;
      return;
    }
  }

  get(id: string): FindingRecord | undefined {
    for (const tier of this.tiers) {
      const r = tier.get(id);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** New or updated findings since the last call, as copies (sinks may keep them). */
  drainChanged(): FindingRecord[] {
    const out: FindingRecord[] = [];
    for (const id of this.changed) {
      const r = this.get(id);
      if (r !== undefined) out.push({ ...r });
    }
    this.changed.clear();
    return out;
  }

  /** Every finding kept, most severe first. */
  all(): FindingRecord[] {
    const out: FindingRecord[] = [];
    for (let t = TIERS - 1; t >= 0; t--) for (const r of this.tiers[t]!.values()) out.push({ ...r });
    return out;
  }
}
