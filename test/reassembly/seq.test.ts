import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqNorm } from '../../src/reassembly/seq.js';

test('difference across the 2^32 wrap (RFC 1982 serial arithmetic)', () => {
  assert.is(seqDiff(5, 0xfffffffb), 10);
  assert.is(seqDiff(0xfffffffb, 5), -10);
  assert.is(seqDiff(0, 0xffffffff), 1);
  assert.is(seqDiff(100, 100), 0);
  assert.is(seqDiff(0x7fffffff, 0), 0x7fffffff);
  assert.is(seqDiff(0x80000000, 0), -0x80000000);
});

test('addition wraps mod 2^32 and gives the signed form (a small integer to V8)', () => {
  assert.is(seqAdd(0xffffffff, 1), 0);
  assert.is(seqAdd(0xfffffff0, 0x20), 0x10);
  assert.is(seqAdd(0, -1), -1);
  assert.is(seqAdd(0, -1), seqNorm(0xffffffff));
  assert.is(seqAdd(0x7fffffff, 1), -0x80000000);
  assert.is(seqAdd(1000, 24), 1024);
  assert.is(seqDiff(seqNorm(0xfffffff0), 0xfffffff0), 0);
});

test('comparisons hold across the wrap', () => {
  assert.ok(seqLt(0xfffffff0, 0x10));
  assert.ok(seqGt(0x10, 0xfffffff0));
  assert.ok(seqLe(7, 7));
  assert.ok(seqGe(7, 7));
  assert.not.ok(seqLt(0x10, 0xfffffff0));
  assert.not.ok(seqGt(0xfffffff0, 0x10));
});

test.run();
