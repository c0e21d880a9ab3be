import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers/rng.js';
import { analyze } from './helpers.js';

export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(n) && statSync(p).size < 400_000) out.push(p);
    }
  };
  walk('../shared/corpus');
  walk('captures');
  return out.sort();
}

/** Flips bytes, overwrites lengths with hostile values, truncates, splices: the packet bytes are what matters. */
export function mutate(buf: Buffer, r: () => number): Buffer {
  const b = Buffer.from(buf);
  const kind = Math.floor(r() * 4);
  const n = 1 + Math.floor(r() * 16);
  for (let i = 0; i < n; i++) {
    const at = 24 + Math.floor(r() * Math.max(1, b.length - 28));
    if (at + 4 > b.length) continue;
    if (kind === 0) b[at] = Math.floor(r() * 256);
    else if (kind === 1) b.writeUInt32BE([0xffffffff, 0x7fffffff, 0, 0x10000, 0x4000][Math.floor(r() * 5)]!, at);
    else if (kind === 2) b.writeUInt16BE([0xffff, 0, 0x4001, 0x8000][Math.floor(r() * 4)]!, at);
    else b[at] ^= 1 << Math.floor(r() * 8);
  }
  if (r() < 0.3) return b.subarray(0, Math.floor(r() * b.length));
  return b;
}

export interface FuzzResult {
  runs: number;
  failures: { seed: number; file: string; error: string }[];
  peakRssMiB: number;
}

/** Runs mutated captures through the whole product path (`analyze --json`) until `ms` elapse. */
export async function fuzz(ms: number, seed0 = 1): Promise<FuzzResult> {
  const files = corpusFiles();
  const dir = mkdtempSync(join(tmpdir(), 'cw-fuzz-'));
  const res: FuzzResult = { runs: 0, failures: [], peakRssMiB: 0 };
  const end = Date.now() + ms;
  try {
    for (let seed = seed0; Date.now() < end; seed++) {
      const r = rng(seed);
      const file = files[Math.floor(r() * files.length)]!;
      const f = join(dir, `m${seed % 4}.pcap`);
      writeFileSync(f, mutate(readFileSync(file), r));
      try {
        const run = await analyze([f, '--json']);
        if (run.exitCode !== 0 && run.exitCode !== 2) throw new Error(`exit ${run.exitCode}: ${run.stderr}`);
        if (!run.records.some((x) => x.type === 'summary')) throw new Error('no summary record');
      } catch (e) {
        res.failures.push({ seed, file, error: (e as Error).stack ?? String(e) });
      }
      res.runs++;
      res.peakRssMiB = Math.max(res.peakRssMiB, process.memoryUsage.rss() / 1048576);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}
