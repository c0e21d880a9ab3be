import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isoFromMs } from '../../src/core/time.js';
import { rng } from '../helpers/rng.js';

test('isoFromMs: the same text as Date#toISOString, in time order and out of it, across years and signs', () => {
  const r = rng(3);
  const samples: number[] = [0, 999, 1000, -1, -999, -1000, -1001, 1.5, 1_764_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_001];
  let t = 1_764_000_000_000;
  for (let i = 0; i < 2000; i++) samples.push((t += Math.floor(r() * 700)));
  for (let i = 0; i < 2000; i++) samples.push(Math.floor((r() - 0.5) * 2 * 8.64e15), (r() - 0.5) * 1e13);
  for (const ms of samples) assert.is(isoFromMs(ms), new Date(Math.floor(ms)).toISOString(), String(ms));
  assert.is(isoFromMs(8.64e15), '+275760-09-13T00:00:00.000Z');
  assert.is(isoFromMs(-8.64e15), '-271821-04-20T00:00:00.000Z');
});

test('isoFromMs never throws: non-finite is the epoch, beyond what a Date holds is clamped', () => {
  assert.is(isoFromMs(Number.NaN), '1970-01-01T00:00:00.000Z');
  assert.is(isoFromMs(Number.POSITIVE_INFINITY), '1970-01-01T00:00:00.000Z');
  assert.is(isoFromMs(1e300), '+275760-09-13T00:00:00.000Z');
  assert.is(isoFromMs(-1e300), '-271821-04-20T00:00:00.000Z');
});

test.run();
