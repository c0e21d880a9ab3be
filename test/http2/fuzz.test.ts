import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http2Factory } from '../../dissectors/http2/index.js';
import type { Http2Facts } from '../../src/core/facts.js';
import { PREFACE } from '../../dissectors/http2/frames.js';
import { CORPUS } from './helpers/expected.js';
import { context, feed, type Run } from './helpers/run.js';
import { followTcp, type Chunk } from './helpers/tshark-follow.js';

function frame(type: number, flags: number, sid: number, payload: Buffer, len = payload.length): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(len, 0, 3);
  h[3] = type; h[4] = flags;
  h.writeUInt32BE(sid, 5);
  return Buffer.concat([h, payload]);
}
const SETTINGS = frame(4, 0, 0, Buffer.alloc(0));
const client = (...frames: Buffer[]): Chunk[] => [{ dir: 0, data: Buffer.concat([PREFACE, SETTINGS, ...frames]) }, { dir: 1, data: SETTINGS }];
const codes = (r: Run): string[] => r.anomalies.map((a) => a.code);

function noCrash(r: Run): void {
  assert.not.ok(codes(r).includes('http2.internal_error'), 'no exception inside the dissector');
  assert.ok(r.facts.exchanges.length <= 32);
}

test('hostile frames: each is an anomaly, nothing thrown', () => {
  const cases: [Chunk[], string][] = [
    // HPACK integer that never ends within the cap.
    [client(frame(1, 0x5, 1, Buffer.from('ffffffffffffff0f', 'hex'))), 'http2.hpack_integer_overflow'],
    // A Huffman string that is one EOS code.
    [client(frame(1, 0x5, 1, Buffer.from('0084ffffffff8182', 'hex'))), 'http2.hpack_huffman_eos'],
    // Huffman 'a' padded with zeros.
    [client(frame(1, 0x5, 1, Buffer.from('008118' + '01' + '61', 'hex'))), 'http2.hpack_huffman_padding'],
    // Pad length not below the frame length.
    [client(frame(1, 0x5 | 0x8, 1, Buffer.from('0582', 'hex'))), 'http2.bad_padding'],
    // A frame over SETTINGS_MAX_FRAME_SIZE (16384 by default).
    [client(frame(1, 0x5, 1, Buffer.alloc(20000, 0x82))), 'http2.frame_too_large'],
    // CONTINUATION flood past the header block cap.
    [client(frame(1, 0x1, 1, Buffer.alloc(1000, 0x82)), ...Array.from({ length: 80 }, () => frame(9, 0, 1, Buffer.alloc(1000, 0x82)))), 'http2.header_block_too_large'],
    // HEADERS not followed by its CONTINUATION.
    [client(frame(1, 0x1, 1, Buffer.from('82', 'hex')), frame(6, 0, 0, Buffer.alloc(8))), 'http2.continuation_missing'],
    // GOAWAY with a short payload.
    [client(frame(7, 0, 0, Buffer.alloc(4))), 'http2.bad_frame_length'],
    // An index past the table.
    [client(frame(1, 0x5, 1, Buffer.from('ff49', 'hex'))), 'http2.hpack_bad_index'],
  ];
  for (const [chunks, code] of cases) {
    for (const split of [0, 1]) {
      const r = feed(chunks, split);
      noCrash(r);
      assert.ok(codes(r).includes(code), `${code} (got ${codes(r).join(',')})`);
    }
  }
});

test('a 16 MiB DATA frame is skipped by length, gaps inside it cost nothing', () => {
  const d = http2Factory.create(context([]));
  const hdr = frame(1, 0x4, 1, Buffer.from('8287', 'hex'));
  d.data(0, Buffer.concat([PREFACE, SETTINGS, hdr, frame(0, 0, 1, Buffer.alloc(0), 0xffffff).subarray(0, 9)]), 0);
  d.gap(0, 0xffffff - 10, 1);
  d.data(0, Buffer.alloc(10), 2);
  d.data(0, frame(1, 0x5, 3, Buffer.from('8287', 'hex')), 3);
  const f = d.facts() as Http2Facts;
  assert.equal(f.exchanges.map((x) => [x.streamId, x.method]), [[1, 'GET'], [3, 'GET']]);
  assert.not.ok(f.midStream);
});

test('fuzz: 3 seconds of mutated real sessions, random splits and gaps', () => {
  const seeds = [followTcp(`${CORPUS}/suricata-verify/http2-h2c-prior-knowledge.pcap`, 0), followTcp(`${CORPUS}/arkime/http2-nghttp2.pcap`, 0)]
    .map((cs) => cs.map((c) => ({ dir: c.dir, data: c.data.subarray(0, 4096) })));
  let s = 0x2545f491;
  const rnd = (n: number): number => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) % n; };
  const end = Date.now() + 3000;
  let runs = 0;
  while (Date.now() < end) {
    const base = seeds[rnd(seeds.length)]!;
    const anomalies: { code: string; detail: string }[] = [];
    const d = http2Factory.create(context(anomalies));
    for (const c of base) {
      const b = Buffer.from(c.data);
      const muts = rnd(6);
      for (let m = 0; m < muts; m++) {
        const at = rnd(b.length);
        switch (rnd(4)) {
          case 0: b[at] = rnd(256); break;
          case 1: b[at] = 0xff; break;
          case 2: if (at + 3 <= b.length) b.writeUIntBE(rnd(2) ? 0xffffff : rnd(70000), at, 3); break;
          case 3: b[at] = b[at]! ^ (1 << rnd(8)); break;
        }
      }
      if (rnd(20) === 0) d.gap(c.dir, 1 + rnd(5000), 0);
      const step = 1 + rnd(b.length);
      for (let i = 0; i < b.length; i += step) d.data(c.dir, b.subarray(i, i + step), 0);
    }
    d.end(0, 'fin', 0);
    d.end(1, 'fin', 0);
    noCrash({ facts: d.facts() as Http2Facts, anomalies, done: d.done });
    runs++;
  }
  assert.ok(runs > 100, `only ${runs} runs`);
});

test.run();
