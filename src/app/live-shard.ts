import { addr, type ConnectionFacts } from '../facts/connection.js';
import { isoFromMicros } from '../findings/dedupe.js';
import type { OutputRecord } from '../outputs/sink.js';
import { Pipeline, type PipelineStats } from '../pipeline/analyze.js';
import type { SecretStore } from '../core/dissector.js';
import type { Assessor, HitGroup, Judged } from './judge.js';

/** What a live shard reports: plain data (it may come from a worker thread). */
export type LiveEvent =
  | { k: 'judged'; j: Judged; c?: ConnectionFacts }
  | { k: 'early'; groups: HitGroup[] }
  | { k: 'end'; end: OutputRecord }
  | { k: 'anomaly'; a: { code: string; detail: string; client: string; server: string; tsMicros: number } }
  | { k: 'own' };

export interface LiveShardOptions {
  secrets: SecretStore & { addText(text: string): unknown };
  decryptApp: boolean;
  maxFlows: number;
  shard: { index: number; count: number } | null;
  /** The probe's own connections (this thread's only): never judged. */
  owns?: (c: ConnectionFacts) => boolean;
  /** Keep the facts on `judged` events (for the probe, in this thread). */
  withFacts?: boolean;
}

/**
 * The per-connection side of `watch`, for one shard: a connection's record goes out once (while
 * open when its outcome settles early, then only a `connection_end`), findings as soon as a rule
 * can act, the probe's own connections passed over.
 */
export class LiveShard {
  readonly pipeline: Pipeline;
  /** Connections whose record went out while they were open. */
  private readonly reported = new Set<number>();

  constructor(assessor: Assessor, o: LiveShardOptions, private readonly emit: (e: LiveEvent) => void) {
    const ours = (c: ConnectionFacts) => o.owns !== undefined && o.owns(c);
    const judged = (c: ConnectionFacts, open: boolean) => {
      const j = assessor.judge(c, open);
      this.emit(o.withFacts ? { k: 'judged', j, c } : { k: 'judged', j });
    };
    this.pipeline = new Pipeline({
      secrets: o.secrets,
      decryptApp: o.decryptApp,
      limits: { maxFlows: o.maxFlows },
      ...(o.shard ? { shard: o.shard } : {}),
      onKeyLog: (text) => {
        o.secrets.addText(text);
      },
      onProgress: (c) => {
        if (ours(c)) return;
        this.reported.add(c.id);
        judged(c, true);
      },
      // A finding is news at the packet that proves it (a request head with a token), not when the
      // connection ends; the assessor counts each connection once however often it is asked.
      onNews: (c) => {
        if (ours(c)) return;
        const groups = assessor.early(c);
        if (groups.some((g) => g.hits.length > 0)) this.emit({ k: 'early', groups });
      },
      onConnection: (c) => {
        if (ours(c)) {
          this.emit({ k: 'own' });
          return;
        }
        if (!this.reported.delete(c.id)) {
          judged(c, false);
          return;
        }
        assessor.ended(c.id);
        this.emit({ k: 'end', end: { type: 'connection_end', client: addr(c.client), server: addr(c.server), end: isoFromMicros(c.endMicros), end_reason: c.endReason, packets: c.packets, bytes: c.bytes } });
      },
      onAnomaly: (a) => this.emit({ k: 'anomaly', a: { code: a.code, detail: a.detail, client: a.client, server: a.server, tsMicros: a.tsMicros } }),
    });
  }

  get stats(): PipelineStats {
    return this.pipeline.stats;
  }
}
