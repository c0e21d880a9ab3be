import { parentPort, workerData } from 'node:worker_threads';
import type { WatchArgs } from './options.js';
import { batchBytes, feedBatch, type HandoffMessage } from './handoff.js';
import { Assessor } from './judge.js';
import { LiveShard, type LiveEvent } from './live-shard.js';
import { gatherKnowledge, loadKeyLogs } from './setup.js';
import type { PacketRecord } from '../capture/source.js';

/** Main thread -> live shard: routed packets, the wall clock for expiry, SIGHUP, the end. */
export type LiveShardMessage = HandoffMessage | { t: 'expire'; now: number } | { t: 'reload'; keepNode: boolean };

/** Live shard -> main thread. */
export type LiveShardReply =
  | { events: LiveEvent[] }
  | { processed: number; meta: Float64Array; bytes: Uint8Array }
  | { done: import('../pipeline/analyze.js').PipelineStats }
  | { ready: true };

// A worker thread running one shard of `watch --threads N`, after the main thread dropped privileges.
const input = workerData as { args: WatchArgs; index: number; count: number };
const port = parentPort!;
const knowledge = gatherKnowledge(input.args, { localInterfaces: true });
let nodeFacts = knowledge.nodeFacts;
const assessor = new Assessor(knowledge.model, knowledge.trust, nodeFacts);
let events: LiveEvent[] = [];
const shard = new LiveShard(assessor, {
  secrets: loadKeyLogs(input.args.keylog, []),
  decryptApp: input.args.decryptApp,
  maxFlows: Math.max(1, Math.ceil(input.args.maxFlows / input.count)),
  shard: { index: input.index, count: input.count },
}, (e) => events.push(e));
const p = shard.pipeline;
const send = () => {
  if (events.length === 0) return;
  port.postMessage({ events } satisfies LiveShardReply);
  events = [];
};
const rec: PacketRecord = { tsMicros: 0, ifIndex: 0, linkType: 0, caplen: 0, origLen: 0, data: Buffer.alloc(0), offset: 0 };
port.on('message', (m: LiveShardMessage) => {
  switch (m.t) {
    case 'p': {
      feedBatch(p, m, rec);
      send();
      port.postMessage({ processed: batchBytes(m), meta: m.meta, bytes: m.bytes } satisfies LiveShardReply, [m.meta.buffer as ArrayBuffer, m.bytes.buffer as ArrayBuffer]);
      return;
    }
    case 's':
      p.secretsBlock(m.type, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      return;
    case 'expire':
      p.expire(m.now);
      send();
      return;
    case 'reload': {
      // The main thread re-read the same files and said it; a failure here keeps the old model as there.
      try {
        const k = gatherKnowledge(input.args, { localInterfaces: true });
        if (!m.keepNode) nodeFacts = k.nodeFacts;
        assessor.reload(k.model, k.trust, nodeFacts);
      } catch {
        // keep the old model
      }
      return;
    }
    case 'end':
      p.finishAt(m.total);
      send();
      port.postMessage({ done: p.stats } satisfies LiveShardReply);
      port.close();
      return;
  }
});
port.postMessage({ ready: true } satisfies LiveShardReply);
