import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteSource } from '../../src/capture/byte-source.js';
import { CHUNK_SIZE, readFrom } from '../../src/capture/source.js';
import { newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';

// zeek/tls/tls1.2.pcap: 22 packets (capinfos, expected.json). Its records are served again and again
// after one file header: a long capture that never exists in memory or on disk.
const file = readFileSync('../shared/corpus/zeek/tls/tls1.2.pcap');
const header = file.subarray(0, 24);
const body = file.subarray(24);

class RepeatingSource implements ByteSource {
  readonly parallel = false;
  private pos = 0;
  constructor(private readonly repeats: number) {}
  get size(): number {
    return 24 + body.length * this.repeats;
  }
  async read(into: Buffer, at: number, max: number): Promise<number> {
    let n = 0;
    while (n < max && this.pos < this.size) {
      const src = this.pos < 24 ? header.subarray(this.pos) : body.subarray((this.pos - 24) % body.length);
      const k = src.copy(into, at + n, 0, Math.min(src.length, max - n));
      n += k;
      this.pos += k;
    }
    return n;
  }
  async close(): Promise<void> {}
}

test('memory does not grow with capture size: 300 MB streamed, RSS stays flat', async () => {
  const repeats = Math.ceil(300e6 / body.length);
  const src = new RepeatingSource(repeats);
  const dec = new FrameDecoder();
  const frame = newFrame();
  let n = 0;
  let peak = 0;
  const rss0 = process.memoryUsage.rss();
  const s = await readFrom(src, {
    packet(rec) {
      dec.decode(rec, frame);
      if ((++n & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage.rss());
    },
  }, CHUNK_SIZE);
  assert.is(s.damage, null);
  assert.is(s.packets, 22 * repeats);
  assert.is(dec.stats.tcp, 22 * repeats);
  assert.ok(src.size > 300e6);
  // Two 4 MiB buffers plus the reserve; everything else is garbage the collector reclaims.
  assert.ok(peak - rss0 < 64 * 1024 * 1024, `RSS grew by ${((peak - rss0) / 1048576).toFixed(1)} MiB`);
});

test.run();
