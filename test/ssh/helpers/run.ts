import type { DissectorFactory } from '../../../src/core/dissector.js';
import { testContext, type Recorded, type TunnelLog } from './ctx.js';

export type Chunks = ReadonlyArray<{ dir: 0 | 1; data: Buffer }>;

/** Feeds recorded chunks in order (stopping at `done`) and returns the facts and what the context saw. */
export function runChunks<F>(factory: DissectorFactory, chunks: Chunks, ends = false): { facts: F; anomalies: Recorded[]; tunnels: TunnelLog[] } {
  const { ctx, anomalies, tunnels } = testContext();
  const d = factory.create(ctx);
  for (const c of chunks) {
    if (d.done) break;
    d.data(c.dir, c.data, 0);
  }
  if (ends && !d.done) {
    d.end(0, 'fin', 0);
    if (!d.done) d.end(1, 'fin', 0);
  }
  return { facts: d.facts() as F, anomalies, tunnels };
}

export { rng } from '../../helpers/rng.js';

/** The same byte streams cut at random points (direction order of the bytes is kept). */
export function resplit(chunks: Chunks, rand: () => number): Array<{ dir: 0 | 1; data: Buffer }> {
  const out: Array<{ dir: 0 | 1; data: Buffer }> = [];
  for (const c of chunks) {
    let off = 0;
    while (off < c.data.length) {
      const n = 1 + Math.floor(rand() * Math.min(64, c.data.length - off));
      out.push({ dir: c.dir, data: c.data.subarray(off, off + n) });
      off += n;
    }
  }
  return out;
}
