import { Worker } from 'node:worker_threads';
import type { AnalyzeArgs } from './options.js';
import { byOutputOrder, runShard, type ShardDone, type ShardEvent, type ShardMessage } from './shard.js';
import type { PipelineStats } from '../pipeline/analyze.js';
import type { ProbeResult } from '../probe/types.js';

/**
 * Puts the sorted event streams of the shards back into one order (SPEC records by packet time):
 * an event is released once every shard's watermark has passed its packet.
 */
export class OrderedMerge {
  private readonly queues: ShardEvent[][];
  private readonly heads: number[];
  private readonly marks: number[];

  constructor(count: number, private readonly deliver: (e: ShardEvent) => void) {
    this.queues = Array.from({ length: count }, () => []);
    this.heads = new Array<number>(count).fill(0);
    this.marks = new Array<number>(count).fill(0);
  }

  push(shard: number, m: ShardMessage): void {
    const q = this.queues[shard]!;
    if (this.heads[shard]! > 4096) {
      q.splice(0, this.heads[shard]);
      this.heads[shard] = 0;
    }
    for (const e of m.events) q.push(e);
    this.marks[shard] = m.watermark;
    this.release();
  }

  private release(): void {
    const w = Math.min(...this.marks);
    for (;;) {
      let best = -1;
      for (let s = 0; s < this.queues.length; s++) {
        const e = this.queues[s]![this.heads[s]!];
        if (e === undefined || e.emit > w) continue;
        if (best < 0 || byOutputOrder(e, this.queues[best]![this.heads[best]!]!) < 0) best = s;
      }
      if (best < 0) return;
      const e = this.queues[best]![this.heads[best]!]!;
      this.heads[best]!++;
      this.deliver(e);
    }
  }
}

/** Packet-level counters come from one shard (every shard reads every packet); flow-level ones add up. */
function mergeStats(all: PipelineStats[]): PipelineStats {
  const first = all[0]!;
  const sum = (k: keyof PipelineStats) => all.reduce((n, s) => n + (s[k] as number), 0);
  return {
    ...first,
    flows: sum('flows'), flowsEvicted: sum('flowsEvicted'), flowsExpired: sum('flowsExpired'), flowsOpen: sum('flowsOpen'),
    tcpConnections: sum('tcpConnections'), udpFlows: sum('udpFlows'), gaps: sum('gaps'), missingBytes: sum('missingBytes'),
    overlapConflicts: sum('overlapConflicts'), segmentsDropped: sum('segmentsDropped'), budgetExhausted: sum('budgetExhausted'),
    reassemblyBytes: sum('reassemblyBytes'), detectRefused: sum('detectRefused'), anomalies: sum('anomalies'), anomaliesDropped: sum('anomaliesDropped'),
  };
}

/** The shard's module next to this one (TypeScript from the sources, JavaScript from the build), run by bin/shard-worker.mjs. */
function workerEntry(): { boot: URL; entry: string } {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './shard-worker.ts' : './shard-worker.js', import.meta.url).href;
  return { boot: new URL(fromSources ? '../../bin/shard-worker.mjs' : '../../../bin/shard-worker.mjs', import.meta.url), entry };
}

/**
 * `analyze` over `threads` shards: one in this thread when 1 (the reference), else one worker
 * thread each. `deliver` sees every record in the same order whatever `threads` is.
 */
export async function analyzeSharded(args: AnalyzeArgs, threads: number, deliver: (e: ShardEvent) => void, probes: ReadonlyMap<string, ProbeResult> | null = null): Promise<ShardDone> {
  const merge = new OrderedMerge(threads, deliver);
  const done: ShardDone[] = [];
  if (threads === 1) {
    await runShard({ args, index: 0, count: 1 }, (m) => {
      merge.push(0, m);
      if (m.done) done.push(m.done);
    }, probes);
    return done[0]!;
  }
  const { boot, entry } = workerEntry();
  const results = await Promise.all(Array.from({ length: threads }, (_, index) => new Promise<ShardDone>((resolve, reject) => {
    const w = new Worker(boot, { workerData: { args, index, count: threads, entry } });
    let finished: ShardDone | null = null;
    w.on('message', (m: ShardMessage) => {
      merge.push(index, m);
      if (m.done) finished = m.done;
    });
    w.on('error', reject);
    w.on('exit', (code) => (finished ? resolve(finished) : reject(new Error(`shard ${index} exited with code ${code} before its end`))));
  })));
  return { stats: mergeStats(results.map((r) => r.stats)), damage: results[0]!.damage };
}
