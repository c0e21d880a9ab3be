import { Worker } from 'node:worker_threads';
import type { WatchArgs } from './options.js';
import { HandoffReader } from './handoff.js';
import type { LiveEvent, LiveShard } from './live-shard.js';
import type { LiveShardReply } from './live-shard-worker.js';
import { mergeStats } from './shards.js';
import type { PacketRecord } from '../capture/source.js';
import type { PipelineStats } from '../pipeline/analyze.js';

/** What `watch` drives: packets in, wall-clock expiry, SIGHUP, the end. */
export interface LiveEngine {
  packet(rec: PacketRecord): void;
  expire(nowMicros: number): void;
  reload(keepNode: boolean): void;
  /** Every packet processed and every connection reported; the final counts. */
  finish(): Promise<PipelineStats>;
  /** Counts so far (packets and bytes exact; the rest as of the last report). */
  stats(): PipelineStats;
  /** Packets no shard could take in time. */
  dropped(): number;
  /** Every shard has read what it needs and waits for packets. */
  readonly ready: Promise<void>;
}

/** One thread: the reference, and what --probe uses. */
export function singleEngine(shard: LiveShard): LiveEngine {
  const p = shard.pipeline;
  return {
    packet: (rec) => p.packet(rec),
    expire: (now) => p.expire(now),
    reload: () => {},
    finish: async () => {
      p.finish();
      return p.stats;
    },
    stats: () => p.stats,
    dropped: () => 0,
    ready: Promise.resolve(),
  };
}

/** A shard this far behind loses packets rather than hold the capture (counted in the summary). */
const LIVE_BEHIND = 64 << 20;
/** Batches go to the shards at least this often, so a quiet link is not held back. */
const FLUSH_MS = 10;

/**
 * `watch --threads N`: this thread keeps the capture and routes each packet by its flow hash to
 * one of N worker shards (copied into batches that are handed over and back), which judge their
 * connections; their events come back here, where findings, metrics and every output meet.
 */
export function liveShards(args: WatchArgs, count: number, onEvent: (e: LiveEvent) => void, onError: (e: Error) => void): LiveEngine {
  const workers: Worker[] = [];
  const finals: Promise<PipelineStats>[] = [];
  const readies: Promise<void>[] = [];
  let router!: HandoffReader;
  let packets = 0;
  let bytes = 0;
  for (let index = 0; index < count; index++) {
    const w = new Worker(new URL('./live-shard-worker.js', import.meta.url), { workerData: { args, index, count } });
    workers.push(w);
    let ready!: () => void;
    readies.push(new Promise<void>((r) => (ready = r)));
    finals.push(new Promise<PipelineStats>((resolve, reject) => {
      w.on('message', (m: LiveShardReply) => {
        if ('ready' in m) ready();
        else if ('events' in m) for (const e of m.events) onEvent(e);
        else if ('processed' in m) router.processed(index, m.processed, m.meta, m.bytes);
        else resolve(m.done);
      });
      w.on('error', (e) => {
        onError(e);
        ready();
        reject(e);
      });
    }));
  }
  router = new HandoffReader(workers, LIVE_BEHIND);
  const timer = setInterval(() => router.flushAll(), FLUSH_MS);
  const current = (): PipelineStats => ({ ...emptyStats(), packets, bytes });
  return {
    packet: (rec) => {
      packets++;
      bytes += rec.caplen;
      router.route(rec);
    },
    expire: (now) => {
      router.flushAll();
      for (const w of workers) w.postMessage({ t: 'expire', now });
    },
    reload: (keepNode) => {
      for (const w of workers) w.postMessage({ t: 'reload', keepNode });
    },
    finish: async () => {
      clearInterval(timer);
      router.end();
      const all = await Promise.all(finals);
      return mergeStats(all);
    },
    stats: current,
    dropped: () => router.dropped,
    ready: Promise.all(readies).then(() => {}),
  };
}

function emptyStats(): PipelineStats {
  return {
    packets: 0, bytes: 0, flows: 0, flowsEvicted: 0, flowsExpired: 0, flowsOpen: 0, tcpConnections: 0, udpFlows: 0, gaps: 0, missingBytes: 0,
    overlapConflicts: 0, segmentsDropped: 0, budgetExhausted: 0, reassemblyBytes: 0, detectRefused: 0, anomalies: 0, anomaliesDropped: 0,
    secretsBlocks: 0, secretsDropped: 0,
    decode: { packets: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, other: 0, truncated: 0, unknownLink: 0, nonIp: 0, fragments: 0, reassembled: 0, fragmentDrops: 0, vlan: 0, malformed: 0 },
  };
}
