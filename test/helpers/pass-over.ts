import type { Dissector, DissectorFactory } from '../../src/core/dissector.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';

/**
 * Runs a capture with `base` as its only dissector, with or without its `passOver` (bytes it steps
 * over are then counted by reassembly instead of delivered): the connection records, and how many
 * bytes the dissector was handed.
 */
export async function passOverRun(file: string, base: DissectorFactory, withPassOver: boolean): Promise<{ records: string[]; fed: number }> {
  let fed = 0;
  const factory: DissectorFactory = {
    proto: base.proto,
    create(ctx) {
      const d = base.create(ctx);
      const w: Dissector = {
        proto: base.proto,
        get done() { return d.done; },
        facts: () => d.facts(),
        data(dir, chunk, ts) { fed += chunk.length; d.data(dir, chunk, ts); },
        gap: (dir, len, ts) => d.gap(dir, len, ts),
        end: (dir, why, ts) => d.end(dir, why, ts),
      };
      if (withPassOver) w.passOver = (dir) => d.passOver!(dir);
      return w;
    },
  };
  const records: string[] = [];
  await analyzeFiles([file], { registry: { [base.proto]: factory }, onConnection: (r) => void records.push(JSON.stringify(r)) });
  return { records, fed };
}
