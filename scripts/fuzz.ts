/**
 * npm run fuzz [-- SECONDS [SEED]]: the end-to-end fuzz of test/e2e/fuzz.test.ts for longer.
 * Mutated corpus and lab captures go through the whole product path (analyze --json); any
 * exception, crash exit or missing summary is printed with the seed that replays it.
 */
import { fuzz } from '../test/e2e/fuzz-harness.js';

const seconds = Number(process.argv[2] ?? 60);
const seed = Number(process.argv[3] ?? Date.now() % 1e6);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz [-- SECONDS [SEED]]  (a positive number of seconds, an integer seed)\n');
  process.exit(2);
}
const res = await fuzz(seconds * 1000, seed);
process.stdout.write(`${res.runs} runs from seed ${seed}, ${res.failures.length} failures, peak RSS ${res.peakRssMiB.toFixed(0)} MiB\n`);
for (const f of res.failures.slice(0, 10)) process.stdout.write(`seed ${f.seed} (${f.file}): ${f.error}\n`);
process.exitCode = res.failures.length === 0 ? 0 : 1;
