import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture, readFrom, type ReadSummary } from '../../src/capture/source.js';
import { newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { BufferSource } from './build.js';
import { rng } from '../helpers/rng.js';

const CORPUS = '../shared/corpus/';
const SEEDS = [
  'zeek/link/vlan-pcp-dei.pcapng', 'zeek/link/pcapng-multi-interface.pcapng', 'ja4/tls-non-ascii-alpn.pcapng',
  'zeek/link/nflog-http.pcap', 'zeek/http/ipv6-http-atomic-frag.pcap', 'zeek/link/linux_dlt_sll2.pcap',
  'arkime/twovlan.pcap', 'arkime/bigendian.pcap', 'suricata-verify/http-ipv6.pcap', 'zeek/tls/irc-starttls.pcap',
  'captures/ip-fragments.pcap',
].map((p) => (p.startsWith('captures/') ? readFileSync(p) : readFileSync(CORPUS + p)));


function mutate(src: Buffer, r: () => number): Buffer {
  let b = Buffer.from(src);
  const edits = 1 + Math.floor(r() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * b.length);
    switch (Math.floor(r() * 5)) {
      case 0: b[at] = Math.floor(r() * 256); break;
      case 1: b.writeUInt32LE(Math.floor(r() * 4294967296), Math.min(at, b.length - 4)); break;
      // Length-ish values near the edges of what readers check.
      case 2: b.writeUInt32LE([0, 8, 12, 13, 0xffff, 0x1000000, 0xffffffff][Math.floor(r() * 7)]!, Math.min(at, b.length - 4)); break;
      case 3: b = b.subarray(0, at); break;
      default: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.floor(r() * b.length))]); break;
    }
    if (b.length < 4) break;
  }
  return b;
}

function checkedHandlers(dec: FrameDecoder) {
  const f = newFrame();
  return {
    packet(rec: Parameters<FrameDecoder['decode']>[0]) {
      assert.ok(rec.offset >= 0 && rec.offset + rec.caplen <= rec.data.length);
      dec.decode(rec, f);
      assert.ok(f.payloadOffset >= 0 && f.payloadLength >= 0 && f.payloadOffset + f.payloadLength <= f.data.length);
    },
    secrets() {},
  };
}

test('3 s of mutated and cut corpus files: no exception escapes, damage has an offset inside the file, memory stays bounded', async () => {
  const seed = Date.now() % 1e9;
  const r = rng(seed);
  const tmp = mkdtempSync(join(tmpdir(), 'cw-fuzz-'));
  const rss0 = process.memoryUsage.rss();
  let maxRss = rss0;
  const deadline = Date.now() + 3000;
  let runs = 0;
  try {
    while (Date.now() < deadline) {
      const input = mutate(SEEDS[Math.floor(r() * SEEDS.length)]!, r);
      const dec = new FrameDecoder();
      let s: ReadSummary;
      try {
        if (runs % 10 === 0) {
          const p = join(tmp, 'f');
          writeFileSync(p, input);
          s = await readCapture(p, checkedHandlers(dec));
        } else {
          const pieces = [1 + Math.floor(r() * 5000)];
          s = await readFrom(new BufferSource(input, pieces), checkedHandlers(dec), 64 + Math.floor(r() * 8192));
        }
      } catch (err) {
        throw new Error(`seed ${seed} run ${runs}: ${(err as Error).stack}`);
      }
      if (s.damage !== null) assert.ok(s.damage.offset >= 0 && s.damage.offset <= input.length, `seed ${seed} run ${runs}`);
      runs++;
      if ((runs & 63) === 0) maxRss = Math.max(maxRss, process.memoryUsage.rss());
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.ok(runs > 100, `only ${runs} runs`);
  // One window grows at most to the 16 MiB block cap plus a chunk; nothing else accumulates.
  assert.ok(maxRss - rss0 < 200 * 1024 * 1024, `RSS grew by ${((maxRss - rss0) / 1048576).toFixed(0)} MiB`);
});

test.run();
