import { Worker } from 'node:worker_threads';
import type { AnalyzeArgs } from './options.js';
import { HandoffReader } from './handoff.js';
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

/** Each packet is counted by one shard, so counts add up; key-log blocks are read by every shard and counted once. */
function mergeStats(all: PipelineStats[]): PipelineStats {
  const out: PipelineStats = { ...all[0]!, decode: { ...all[0]!.decode } };
  for (const s of all.slice(1)) {
    for (const k of Object.keys(s) as (keyof PipelineStats)[]) {
      if (k === 'decode' || k === 'secretsBlocks' || k === 'secretsDropped') continue;
      (out[k] as number) += s[k] as number;
    }
    for (const k of Object.keys(s.decode) as (keyof PipelineStats['decode'])[]) out.decode[k] += s.decode[k];
  }
  return out;
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
export async function analyzeSharded(
  args: AnalyzeArgs,
  threads: number,
  want: { lines: boolean; records: boolean },
  mode: 'read' | 'handoff',
  deliver: (e: ShardEvent) => void,
  probes: ReadonlyMap<string, ProbeResult> | null = null,
): Promise<ShardDone> {
  const merge = new OrderedMerge(threads, deliver);
  const done: ShardDone[] = [];
  if (threads === 1) {
    await runShard({ args, index: 0, count: 1, lines: false, records: true, mode: 'read' }, (m) => {
      merge.push(0, m);
      if (m.done) done.push(m.done);
    }, probes);
    return done[0]!;
  }
  const { boot, entry } = workerEntry();
  const workers: Worker[] = [];
  let reader: HandoffReader | null = null;
  const ended = Promise.all(Array.from({ length: threads }, (_, index) => new Promise<ShardDone>((resolve, reject) => {
    const w = new Worker(boot, { workerData: { args, index, count: threads, entry, mode, ...want } });
    workers.push(w);
    let finished: ShardDone | null = null;
    w.on('message', (m: ShardMessage | { processed: number; meta: Float64Array; bytes: Uint8Array }) => {
      if ('processed' in m) {
        reader!.processed(index, m.processed, m.meta, m.bytes);
        return;
      }
      merge.push(index, m);
      if (m.done) finished = m.done;
    });
    w.on('error', reject);
    w.on('exit', (code) => (finished ? resolve(finished) : reject(new Error(`shard ${index} exited with code ${code} before its end`))));
  })));
  let damage: ShardDone['damage'] = null;
  if (mode === 'handoff') {
    reader = new HandoffReader(workers);
    damage = await reader.read(args.files);
  }
  const results = await ended;
  return { stats: mergeStats(results.map((r) => r.stats)), damage: mode === 'handoff' ? damage : results[0]!.damage };
}
