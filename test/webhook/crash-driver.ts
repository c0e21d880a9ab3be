/**
 * Child process for crash.test.ts. `write N`: spools N findings, prints SPOOLED once they are on disk, then keeps
 * delivering until killed. `resume`: opens the same spool, flushes, prints its stats as JSON, closes.
 */
import { createWebhookSink } from '../../src/outputs/webhook/index.js';
import { finding } from './receiver.js';

const [spoolDir, url, mode, count] = process.argv.slice(2);
const sink = await createWebhookSink({
  urls: [url],
  format: 'json',
  spoolDir,
  timeoutSeconds: 10,
  requestTimeoutMs: 2000,
  retryBaseMs: 30,
  retryMaxMs: 150,
  batchMax: 2,
});
if (mode === 'write') {
  const n = Number(count);
  for (let i = 0; i < n; i++) sink.write(finding(i));
  const poll = setInterval(() => {
    if (sink.stats.queued === 0 && sink.stats.spooled === n) {
      clearInterval(poll);
      process.stdout.write('SPOOLED\n');
    }
  }, 5);
} else {
  await sink.flush();
  process.stdout.write(JSON.stringify(sink.stats) + '\n');
  await sink.close();
}
