import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http2Factory } from '../../dissectors/http2/index.js';
import type { Dissector, DissectorFactory } from '../../src/core/dissector.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';

// HTTP/2 DATA payloads (and frames the dissector does not parse) are counted by reassembly instead of
// delivered (Dissector.skip). The facts must not change, only the bytes the dissector is handed.
function counting(withSkip: boolean): { factory: DissectorFactory; fed: () => number } {
  let fed = 0;
  const factory: DissectorFactory = {
    proto: 'http2',
    create(ctx) {
      const d = http2Factory.create(ctx);
      const w: Dissector = {
        proto: 'http2',
        get done() { return d.done; },
        facts: () => d.facts(),
        data(dir, chunk, ts) { fed += chunk.length; d.data(dir, chunk, ts); },
        gap: (dir, len, ts) => d.gap(dir, len, ts),
        end: (dir, why, ts) => d.end(dir, why, ts),
      };
      if (withSkip) w.skip = (dir) => d.skip!(dir);
      return w;
    },
  };
  return { factory, fed: () => fed };
}

async function run(file: string, withSkip: boolean): Promise<{ records: string[]; fed: number }> {
  const c = counting(withSkip);
  const records: string[] = [];
  await analyzeFiles([file], { registry: { http2: c.factory }, onConnection: (r) => void records.push(JSON.stringify(r)) });
  return { records, fed: c.fed() };
}

const FILES = [
  // Arkime's nghttp2 capture: DATA frames of up to 16 KiB over 1448-byte segments (tshark: 6616, 16384, 9437, 13261 bytes).
  ['../shared/corpus/arkime/http2-nghttp2.pcap', true],
  // Loopback with 64 KiB segments: frames mostly end inside the segment that starts them.
  ['../shared/corpus/suricata-verify/http2-h2c-prior-knowledge.pcap', false],
  // Konnectivity's gRPC over cleartext h2 (lab): small DATA frames.
  ['captures/konnectivity-agent-cleartext.pcap', false],
] as const;

for (const [file, hasData] of FILES) {
  test(`${file}: identical connection facts with DATA stepped over${hasData ? ', and fewer bytes handed to the dissector' : ''}`, async () => {
    const skipped = await run(file, true);
    const read = await run(file, false);
    assert.equal(skipped.records, read.records);
    assert.ok(skipped.fed <= read.fed);
    if (hasData) assert.ok(skipped.fed < read.fed / 2, `${skipped.fed} of ${read.fed} bytes handed over`);
  });
}

test.run();
