import { Writable } from 'node:stream';
import { runAnalyze } from '../../src/app/analyze.js';
import { parseCommandLine } from '../../src/cli/args.js';
import type { AnalyzeArgs } from '../../src/app/options.js';

export interface Run {
  exitCode: number;
  records: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

function collector(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

/** Runs `comms-watch analyze ARGS` in this process, through the same code as the CLI. */
export async function analyze(argv: string[]): Promise<Run> {
  const stdout = collector();
  const stderr = collector();
  const args = parseCommandLine(['analyze', ...argv]) as AnalyzeArgs;
  const { exitCode } = await runAnalyze(args, { stdout, stderr, env: {} });
  const records = args.json ? stdout.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { exitCode, records, stdout: stdout.text, stderr: stderr.text };
}
