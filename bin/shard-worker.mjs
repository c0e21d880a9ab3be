// The entry of a worker thread of `analyze --threads N`: the shard code is TypeScript when the
// main thread runs the sources through tsx (registered in-process by comms-watch.mjs, which a
// worker does not inherit), JavaScript when it runs the build.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
