import type { AnalyzeArgs } from './options.js';
import { Assessor, type Judged } from './judge.js';
import { gatherKnowledge, loadKeyLogs } from './setup.js';
import { readCapture, type PacketRecord } from '../capture/source.js';
import { DEFAULT_LIMITS, Pipeline, type PipelineStats } from '../pipeline/analyze.js';
import type { ProbeResult } from '../probe/types.js';
import { batchBytes, feedBatch, type HandoffMessage } from './handoff.js';

/** What a shard judged, keyed for the one output order whatever the number of shards. */
export type ShardEvent =
  | { k: 'c'; emit: number; first: number; seq: number; j: Judged }
  | { k: 'a'; emit: number; first: number; seq: number; a: { code: string; detail: string; client: string; server: string; tsMicros: number } };

export interface ShardDone {
  stats: PipelineStats;
  damage: { file: string; offset: number; message: string } | null;
}

/**
 * A batch of events, sorted; `watermark`: every packet up to this number is done, so no later
 * event of this shard can come before it.
 */
export interface ShardMessage {
  events: ShardEvent[];
  watermark: number;
  done?: ShardDone;
}

export interface ShardInput {
  args: AnalyzeArgs;
  index: number;
  count: number;
  /**
   * Worker shards serialise each connection record to its JSON line themselves (a string crosses
   * to the main thread far cheaper than an object tree); `records` also keeps the object, for
   * the text and HTML reports.
   */
  lines: boolean;
  records: boolean;
  /** `read`: the shard reads the files itself; `handoff`: one reader sends it its packets (HandoffMessage). */
  mode: 'read' | 'handoff';
}

/** Where a handoff shard gets its packets and says it is done with a batch. */
export interface HandoffInbox {
  on(listener: (m: HandoffMessage) => void): void;
  /** Done with a batch: its buffers go back to the reader. */
  processed(bytes: number, meta: Float64Array, data: Uint8Array): void;
}

/** Events go out this often (packets): bounded memory in the shard, a steady stream to the merge. */
const FLUSH_EVERY = 4096;

/** Output order: the packet at which a record is known, then the packet that opened its connection. */
export function byOutputOrder(a: ShardEvent, b: ShardEvent): number {
  return a.emit - b.emit || a.first - b.first || a.seq - b.seq;
}

/**
 * One shard of `analyze`: reads every file (the reading and decoding is cheap and keeps packet
 * time, IP fragments and flow expiry the same in every shard), and takes to flows, reassembly,
 * dissectors, classification and rules only the connections whose flow hash is its own.
 * Budgets are the configured totals divided among the shards.
 */
export async function runShard(
  input: ShardInput,
  post: (m: ShardMessage) => void,
  probes: ReadonlyMap<string, ProbeResult> | null = null,
  inbox: HandoffInbox | null = null,
): Promise<void> {
  const { args, index, count } = input;
  const knowledge = gatherKnowledge(args);
  const secrets = loadKeyLogs(args.keylog, []);
  const assessor = new Assessor(knowledge.model, knowledge.trust, knowledge.nodeFacts, probes);
  let events: ShardEvent[] = [];
  let seq = 0;
  const share = (n: number) => Math.max(1, Math.ceil(n / count));
  const p: Pipeline = new Pipeline({
    secrets,
    decryptApp: args.decryptApp,
    limits: {
      maxFlows: share(args.maxFlows),
      globalReassemblyBytes: share(DEFAULT_LIMITS.globalReassemblyBytes),
      detectHoldBytes: share(DEFAULT_LIMITS.detectHoldBytes),
    },
    ...(count > 1 ? { shard: { index, count } } : {}),
    onKeyLog: (text) => {
      secrets.addText(text);
    },
    onConnection: (c) => {
      const j = assessor.judge(c);
      if (input.lines) j.line = JSON.stringify(j.record);
      if (!input.records) delete j.record;
      events.push({ k: 'c', emit: p.packetIndex, first: c.firstPacket ?? 0, seq: seq++, j });
    },
    onAnomaly: (a) => {
      events.push({ k: 'a', emit: p.packetIndex, first: a.firstPacket, seq: seq++, a: { code: a.code, detail: a.detail, client: a.client, server: a.server, tsMicros: a.tsMicros } });
    },
  });
  const flush = (watermark: number, done?: ShardDone) => {
    events.sort(byOutputOrder);
    post(done ? { events, watermark, done } : { events, watermark });
    events = [];
  };
  if (input.mode === 'handoff') {
    await new Promise<void>((resolve) => {
      const rec: PacketRecord = { tsMicros: 0, ifIndex: 0, linkType: 0, caplen: 0, origLen: 0, data: Buffer.alloc(0), offset: 0 };
      inbox!.on((m) => {
        if (m.t === 's') {
          p.secretsBlock(m.type, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
          return;
        }
        if (m.t === 'end') {
          p.finishAt(m.total);
          flush(Number.POSITIVE_INFINITY, { stats: p.stats, damage: null });
          resolve();
          return;
        }
        feedBatch(p, m, rec);
        flush(m.upTo);
        inbox!.processed(batchBytes(m), m.meta, m.bytes);
      });
    });
    return;
  }
  let sinceFlush = 0;
  const handlers = {
    packet: (rec: PacketRecord) => {
      p.packet(rec);
      // In this thread a record goes on at the end of the packet that settled it (what it points
      // to dies young); a worker batches, as every message has its cost.
      if (count === 1 ? events.length > 0 : ++sinceFlush === FLUSH_EVERY) {
        sinceFlush = 0;
        flush(p.packetIndex);
      }
    },
    secrets: (type: number, data: Buffer) => p.secretsBlock(type, data),
  };
  let damage: ShardDone['damage'] = null;
  for (const file of args.files) {
    const summary = await readCapture(file, handlers);
    if (summary.damage !== null && damage === null) damage = { file, offset: summary.damage.offset, message: summary.damage.message };
  }
  p.finish();
  flush(Number.POSITIVE_INFINITY, { stats: p.stats, damage });
}
