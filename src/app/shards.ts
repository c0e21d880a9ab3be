import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
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
      const q = this.queues[best]!;
      const e = q[this.heads[best]!]!;
      // Released: not kept alive by the queue until it is compacted.
      q[this.heads[best]!++] = undefined as unknown as ShardEvent;
      this.deliver(e);
    }
  }
}

const MAX_THREADS = 4;

/**
 * One shard per core, at most 4, from 3 cores on. On 2 cores one thread already keeps both busy
 * (V8's garbage collector and compiler threads, libuv's reads: 1.45 cores of CPU on bench-2m) and
 * every shard reads and routes the whole capture, so 2 shards measured slower than 1 there
 * (`npm run bench`): the default stays at 1 until there are cores to spare.
 */
export function defaultThreads(): number {
  const cores = availableParallelism();
  return cores <= 2 || !workersAvailable() ? 1 : Math.min(MAX_THREADS, cores);
}

/**
 * Before the first worker: no TurboFan jobs on V8's background threads. A worker whose event loop
 * ends waits for its background tasks, and a TurboFan job that waits for a garbage collection in
 * that worker then never ends (nodejs/node#54918, unfixed in Node 20): seen here as a run that
 * printed everything and never exited, a few times in 300. Hot functions compile on the worker's
 * own thread instead. The flag is read when an isolate starts, so it holds for every worker made after.
 */
let flagged = false;
export function workerSafeV8(): void {
  if (flagged) return;
  flagged = true;
  setFlagsFromString('--no-concurrent-recompilation');
}

/** `--threads N` as it can run here; says so when it cannot. */
export function usableThreads(asked: number, say: (l: string) => void): number {
  if (asked <= 1 || workersAvailable()) return asked;
  say(`--threads ${asked}: worker threads run the compiled build (npm run build); running in one thread`);
  return 1;
}

/** Each packet is counted by one shard, so counts add up; key-log blocks are read by every shard and counted once. */
export function mergeStats(all: PipelineStats[]): PipelineStats {
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

/**
 * Worker threads run the compiled build only (`npm run build`; bin/comms-watch.mjs runs it while
 * it is current). From the TypeScript sources a worker would need tsx's module hooks registered
 * in it, and Node 20 can deadlock loader hooks across threads (nodejs/node#50948): there, one thread.
 */
export function workersAvailable(): boolean {
  return !import.meta.url.endsWith('.ts');
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
  workerSafeV8();
  const workers: Worker[] = [];
  let reader: HandoffReader | null = null;
  const ended = Promise.all(Array.from({ length: threads }, (_, index) => new Promise<ShardDone>((resolve, reject) => {
    const w = new Worker(new URL('./shard-worker.js', import.meta.url), { workerData: { args, index, count: threads, mode, ...want } });
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
