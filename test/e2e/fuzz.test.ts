import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzz } from './fuzz-harness.js';

test('mutated corpus and lab captures through analyze --json: no exception, a summary every time, bounded memory', async () => {
  const res = await fuzz(5000, Number(process.env.FUZZ_SEED ?? 1));
  assert.ok(res.runs > 20, `only ${res.runs} runs`);
  assert.equal(res.failures.slice(0, 3), []);
  assert.ok(res.peakRssMiB < 600, `peak RSS ${res.peakRssMiB} MiB`);
});

test.run();
