import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { JsonLinesSink } from '../../src/outputs/jsonl.js';

/** A reader that takes 5 ms for every chunk, with a small buffer: stdout piped into a slow program. */
function slowReader(): { out: Writable; text: () => string; maxDrainListeners: () => number } {
  const chunks: string[] = [];
  let most = 0;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      setTimeout(done, 5);
    },
  });
  const write = out.write.bind(out) as (chunk: string) => boolean;
  out.write = ((chunk: string) => {
    const ok = write(chunk);
    most = Math.max(most, out.listenerCount('drain'));
    return ok;
  }) as typeof out.write;
  return { out, text: () => chunks.join(''), maxDrainListeners: () => most };
}

test('a reader slower than the records: one drain awaited at a time, every line out and in order after flush', async () => {
  const r = slowReader();
  const sink = new JsonLinesSink(r.out);
  // Batches of about a megabyte are handed over without waiting: forty of them refused in a row.
  const pad = 'x'.repeat(4000);
  for (let i = 0; i < 10_000; i++) sink.write({ type: 'connection', seq: i, pad } as never);
  await sink.flush();
  assert.ok(r.maxDrainListeners() <= 1, `drain listeners at once: ${r.maxDrainListeners()}`);
  const lines = r.text().split('\n');
  assert.is(lines.pop(), '');
  assert.is(lines.length, 10_000);
  lines.forEach((l, i) => assert.is((JSON.parse(l) as { seq: number }).seq, i));
});

test('flush waits for a drain that comes after more refused batches', async () => {
  const r = slowReader();
  const sink = new JsonLinesSink(r.out);
  const pad = 'y'.repeat(300_000);
  for (let i = 0; i < 8; i++) sink.write({ type: 'finding', seq: i, pad } as never);
  await sink.flush();
  assert.is(r.out.writableLength, 0);
  assert.is(r.text().split('\n').length - 1, 8);
});

test.run();
