import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardInput } from './shard.js';

// A worker thread running one shard of `analyze --threads N`; everything it judged goes to the main thread.
await runShard(workerData as ShardInput, (m) => parentPort!.postMessage(m));
