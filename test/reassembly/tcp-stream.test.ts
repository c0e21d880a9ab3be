import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { corpusBytes, makeStream, prng } from './helpers.js';
import { seqAdd } from '../../src/reassembly/seq.js';

const ISN = 1000;
const D = corpusBytes(4000, 24);

test('in order after SYN: data from ISN+1, FIN ends the stream', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  s.segment(ISN + 101, D, 100, 50, true, 2);
  assert.equal(rec.bytes(), D.subarray(0, 150));
  assert.equal(rec.events.at(-1), ['end', 'fin']);
  assert.is(s.missing, 0);
});

test('reorder: a later segment is held until the hole is filled', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 201, D, 200, 100, false, 1);
  s.segment(ISN + 101, D, 100, 100, false, 2);
  assert.is(rec.bytes().length, 0);
  assert.is(s.bufferedBytes, 200);
  s.segment(ISN + 1, D, 0, 100, false, 3);
  assert.equal(rec.bytes(), D.subarray(0, 300));
  assert.is(s.bufferedBytes, 0);
  assert.is(s.overlapConflicts, 0);
});

test('duplicate of delivered data is dropped and is not a conflict', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  s.segment(ISN + 1, D, 0, 100, false, 2);
  s.segment(ISN + 51, D, 50, 100, false, 3);
  assert.equal(rec.bytes(), D.subarray(0, 150));
  assert.is(s.overlapConflicts, 0);
});

test('conflicting retransmission of delivered data: first wins, conflict counted', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  const evil = Buffer.from(D.subarray(0, 100));
  evil[40] ^= 0xff;
  s.segment(ISN + 1, evil, 0, 100, false, 2);
  assert.equal(rec.bytes(), D.subarray(0, 100));
  assert.is(s.overlapConflicts, 1);
});

test('a keep-alive probe (one arbitrary byte at next-1) is not a conflict; other 1-byte rewrites are', () => {
  // Shape seen in ja4/browsers-x509.pcapng, stream 2, frame 163: one 0x00 byte at seq next-1.
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  const probe = Buffer.from([D[99]! ^ 0xff]);
  s.segment(ISN + 100, probe, 0, 1, false, 2);
  assert.is(s.overlapConflicts, 0);
  s.segment(ISN + 99, probe, 0, 1, false, 3);
  assert.is(s.overlapConflicts, 1);
  assert.equal(rec.bytes(), D.subarray(0, 100));
});

test('after quiet(), bytes are counted, not delivered; rewrites of delivered bytes are not compared, held data still is', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  s.quiet();
  const evil = Buffer.from(D.subarray(0, 100));
  evil[10] ^= 0xff;
  s.segment(ISN + 1, evil, 0, 100, false, 2);
  assert.is(s.overlapConflicts, 0);
  s.segment(ISN + 201, D, 200, 50, false, 3);
  const evil2 = Buffer.from(D.subarray(200, 250));
  evil2[0] ^= 0xff;
  s.segment(ISN + 201, evil2, 0, 50, false, 4);
  assert.is(s.overlapConflicts, 1);
  s.segment(ISN + 101, D, 100, 100, false, 5);
  assert.equal(rec.bytes(), D.subarray(0, 100));
  assert.is(s.delivered, 250);
  s.segment(ISN + 301, D, 300, 10, true, 6);
  s.acked(ISN + 311, 7);
  assert.equal(rec.events.slice(-2), [['gap', 50], ['end', 'fin']]);
});

test('new segment overlapping the head of buffered data: consistent keeps one copy', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 101, D, 100, 100, false, 1); // held [100,200)
  s.segment(ISN + 51, D, 50, 100, false, 2); // [50,150) overlaps its head
  s.segment(ISN + 1, D, 0, 50, false, 3);
  assert.equal(rec.bytes(), D.subarray(0, 200));
  assert.is(s.overlapConflicts, 0);
});

test('new segment overlapping the head of buffered data with other bytes: buffered bytes win', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 101, D, 100, 100, false, 1);
  const evil = Buffer.from(D.subarray(50, 150));
  evil.fill(0x41, 60, 100); // bytes 110..150 differ from what is held
  s.segment(ISN + 51, evil, 0, 100, false, 2);
  s.segment(ISN + 1, D, 0, 50, false, 3);
  const want = Buffer.concat([D.subarray(0, 50), evil.subarray(0, 50), D.subarray(100, 200)]);
  assert.equal(rec.bytes(), want);
  assert.is(s.overlapConflicts, 1);
});

test('new segment overlapping the tail of buffered data with other bytes: buffered bytes win', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 101, D, 100, 100, false, 1); // held [100,200)
  const evil = Buffer.from(D.subarray(150, 250));
  evil.fill(0x42, 0, 10); // bytes 150..160 differ
  s.segment(ISN + 151, evil, 0, 100, false, 2); // [150,250) overlaps its tail
  s.segment(ISN + 1, D, 0, 100, false, 3);
  const want = Buffer.concat([D.subarray(0, 200), evil.subarray(50, 100)]);
  assert.equal(rec.bytes(), want);
  assert.is(s.overlapConflicts, 1);
});

test('a segment spanning a held piece fills both holes around it', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 101, D, 100, 20, false, 1); // held [100,120)
  s.segment(ISN + 51, D, 50, 150, false, 2); // [50,200)
  s.segment(ISN + 1, D, 0, 50, false, 3);
  assert.equal(rec.bytes(), D.subarray(0, 200));
  assert.is(s.overlapConflicts, 0);
});

test('sequence numbers wrap across 2^32', () => {
  const { rec, s } = makeStream();
  const isn = 0xffffff00;
  s.syn(isn);
  const a = seqAdd(isn, 1);
  s.segment(seqAdd(a, 300), D, 300, 100, false, 1); // beyond the wrap, held
  s.segment(a, D, 0, 200, false, 2); // straddles 2^32
  s.segment(seqAdd(a, 200), D, 200, 100, false, 3);
  s.segment(seqAdd(a, 400), D, 400, 10, true, 4);
  assert.equal(rec.bytes(), D.subarray(0, 410));
  assert.equal(rec.events.at(-1), ['end', 'fin']);
  assert.is(s.next, seqAdd(a, 410));
});

test('sequence numbers above 2^31 given unsigned (as on the wire) or signed are the same numbers', () => {
  // Mid-stream pick-up by a bare FIN, then a SYN-less stream whose segments arrive in both forms.
  const fin = makeStream();
  fin.s.segment(0xfffffff0, D, 0, 0, true, 1);
  assert.equal(fin.rec.events.at(-1), ['end', 'fin']);
  const { rec, s } = makeStream();
  s.segment(0x80000000, D, 0, 100, false, 1);
  s.segment(-0x80000000 + 100, D, 100, 100, false, 2);
  s.segment(0x80000000 + 200, D, 200, 10, true, 3);
  assert.equal(rec.bytes(), D.subarray(0, 210));
  assert.equal(rec.events.at(-1), ['end', 'fin']);
});

test('passOver(n): the next n bytes are counted, not delivered; a hole inside them is not reported, one reaching past them is cut', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  s.passOver(250);
  s.segment(ISN + 101, D, 100, 100, false, 2); // skipped whole
  s.segment(ISN + 301, D, 300, 100, false, 3); // held: 100 bytes missing before it
  s.acked(ISN + 401, 4); // lost inside the skip; of the held segment 50 are skipped, 50 delivered
  assert.equal(rec.bytes(), Buffer.concat([D.subarray(0, 100), D.subarray(350, 400)]));
  assert.equal(rec.gaps(), []);
  assert.is(s.missing, 100);
  assert.is(s.delivered, 300);
  s.passOver(50);
  s.segment(ISN + 501, D, 500, 100, false, 5); // a 100-byte hole: 50 of it inside the skip, 50 reported
  s.acked(ISN + 601, 6);
  assert.is(s.missing, 200);
  assert.equal(rec.gaps(), [50]);
  assert.equal(rec.bytes().subarray(150), D.subarray(500, 600));
});

test('the peer acknowledging past a hole declares it lost: gap(len) then the held data', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 100, false, 1);
  s.segment(ISN + 201, D, 200, 100, false, 2);
  s.acked(ISN + 101, 3); // duplicate ACK: the hole is not acknowledged
  assert.equal(rec.gaps(), []);
  s.acked(ISN + 301, 4);
  assert.equal(rec.gaps(), [100]);
  assert.equal(rec.bytes(), Buffer.concat([D.subarray(0, 100), D.subarray(200, 300)]));
  assert.is(s.missing, 100);
  assert.equal(rec.events[1], ['gap', 100]);
});

test('mid-stream start: gap(0) first, data from the first sequence seen', () => {
  const { rec, s } = makeStream();
  s.segment(777777, D, 0, 60, false, 1);
  s.segment(777837, D, 60, 40, false, 2);
  assert.equal(rec.events[0], ['gap', 0]);
  assert.equal(rec.bytes(), D.subarray(0, 100));
  assert.not.ok(s.synSeen);
});

test('RST: finish flushes held data with gaps, then end(rst)', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 1, D, 0, 10, false, 1);
  s.segment(ISN + 31, D, 30, 10, false, 2);
  s.finish('rst', 3);
  assert.equal(rec.events.map((e) => e[0] === 'data' ? ['data', e[1].length] : e),
    [['data', 10], ['gap', 20], ['data', 10], ['end', 'rst']]);
  s.segment(ISN + 41, D, 40, 10, false, 4);
  assert.is(rec.events.length, 4);
});

test('FIN waits for the hole before it; data after FIN is ignored', () => {
  const { rec, s } = makeStream();
  s.syn(ISN);
  s.segment(ISN + 51, D, 50, 50, true, 1);
  assert.is(rec.events.length, 0);
  s.segment(ISN + 1, D, 0, 80, false, 2);
  assert.equal(rec.bytes(), D.subarray(0, 100));
  assert.equal(rec.events.at(-1), ['end', 'fin']);
  s.segment(ISN + 101, D, 100, 10, false, 3);
  assert.is(rec.bytes().length, 100);
});

test('per-connection budget: over-budget data skips ahead with a gap, held bytes stay under the cap', () => {
  const big = corpusBytes(200000, 0);
  const { rec, s, budget } = makeStream(8192, 1 << 20);
  s.syn(ISN);
  // First segment lost; 1000-byte segments after it pile up out of order.
  let peak = 0;
  for (let off = 1000; off < big.length; off += 1000) {
    s.segment(seqAdd(ISN + 1, off), big, off, Math.min(1000, big.length - off), false, off);
    peak = Math.max(peak, budget.used);
  }
  assert.ok(peak <= 8192, `peak ${peak}`);
  assert.equal(rec.events[0], ['gap', 1000]);
  assert.ok(budget.exhausted >= 1);
  s.finish('fin', 1e9);
  assert.equal(rec.bytes(), big.subarray(1000));
  assert.is(s.missing, 1000);
  assert.is(budget.used, 0);
});

test('global budget is shared and enforced too', () => {
  const { rec, s, g } = makeStream(1 << 20, 2048);
  s.syn(ISN);
  for (let off = 100; off < 4000; off += 100) s.segment(seqAdd(ISN + 1, off), D, off, 100, false, off);
  assert.ok(g.used <= 2048);
  assert.ok(g.exhausted >= 1);
  s.finish('eof', 1);
  assert.equal(rec.bytes(), D.subarray(100, 4000));
  assert.is(g.used, 0);
});

test('chunk-split invariance: random splits, reorder and duplicates give the same bytes (seed 7)', () => {
  const data = corpusBytes(20000, 5000);
  const rnd = prng(7);
  for (let round = 0; round < 200; round++) {
    const isn = Math.floor(rnd() * 0xffffffff) >>> 0;
    const segs: [number, number][] = [];
    for (let off = 0; off < data.length;) {
      const n = Math.min(1 + Math.floor(rnd() * 1500), data.length - off);
      segs.push([off, n]);
      off += n;
    }
    // Duplicates and re-cut overlapping retransmissions of the same bytes.
    const extra = Math.floor(rnd() * 10);
    for (let k = 0; k < extra; k++) {
      const off = Math.floor(rnd() * (data.length - 1));
      segs.push([off, Math.min(1 + Math.floor(rnd() * 3000), data.length - off)]);
    }
    // Local reordering, as networks do (a window of 8 segments).
    for (let i = segs.length - 1; i > 0; i--) {
      const j = Math.max(0, i - Math.floor(rnd() * 8));
      [segs[i], segs[j]] = [segs[j]!, segs[i]!];
    }
    const { rec, s } = makeStream();
    s.syn(isn);
    for (const [off, n] of segs) s.segment(seqAdd(isn, 1 + off), data, off, n, false, 0);
    s.segment(seqAdd(isn, 1 + data.length), data, 0, 0, true, 0);
    assert.equal(rec.bytes(), data, `round ${round}`);
    assert.is(s.overlapConflicts, 0);
    assert.is(s.missing, 0);
    assert.equal(rec.events.at(-1), ['end', 'fin']);
  }
});

test.run();
