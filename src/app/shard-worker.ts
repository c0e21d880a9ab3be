import { parentPort, workerData } from 'node:worker_threads';
import type { HandoffMessage } from './handoff.js';
import { runShard, type ShardInput } from './shard.js';

// A worker thread running one shard of `analyze --threads N`; everything it judged goes to the main thread.
const input = workerData as ShardInput;
const port = parentPort!;
const inbox = input.mode === 'handoff'
  ? {
    on: (listener: (m: HandoffMessage) => void) => port.on('message', listener),
    processed: (bytes: number, meta: Float64Array, data: Uint8Array) => port.postMessage({ processed: bytes, meta, bytes: data }, [meta.buffer as ArrayBuffer, data.buffer as ArrayBuffer]),
  }
  : null;
await runShard(input, (m) => port.postMessage(m), null, inbox);
port.close();
