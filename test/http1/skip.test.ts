import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http1Factory } from '../../dissectors/http1/index.js';
import type { Dissector, DissectorFactory } from '../../src/core/dissector.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';

// Bodies the HTTP/1 dissector steps over are counted by reassembly instead of delivered (Dissector.skip).
// The facts must not change, only the bytes the dissector is handed.
function counting(withSkip: boolean): { factory: DissectorFactory; fed: () => number } {
  let fed = 0;
  const factory: DissectorFactory = {
    proto: 'http',
    create(ctx) {
      const d = http1Factory.create(ctx);
      const w: Dissector = {
        proto: 'http',
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
  await analyzeFiles([file], { registry: { http: c.factory }, onConnection: (r) => void records.push(JSON.stringify(r)) });
  return { records, fed: c.fed() };
}

const FILES = [
  // Zeek's get.pcap: a 4 KB-ish response body; 100-continue.pcap: a large request body after 100 Continue.
  ['../shared/corpus/zeek/http/get.pcap', true],
  ['../shared/corpus/zeek/http/100-continue.pcap', true],
  ['../shared/corpus/zeek/http/http-single-conn-22.pcap', false],
  ['../shared/corpus/zeek/http/connect-with-header.pcap', false],
  ['../shared/corpus/zeek/http/websocket.pcap', false],
  ['captures/apiserver-cleartext-token.pcap', false],
  ['captures/proxy-cleartext.pcap', false],
] as const;

for (const [file, hasBigBody] of FILES) {
  test(`${file}: identical connection facts with bodies skipped${hasBigBody ? ', and fewer bytes handed to the dissector' : ''}`, async () => {
    const skipped = await run(file, true);
    const read = await run(file, false);
    assert.equal(skipped.records, read.records);
    assert.ok(skipped.fed <= read.fed);
    if (hasBigBody) assert.ok(skipped.fed < read.fed / 2, `${skipped.fed} of ${read.fed} bytes handed over`);
  });
}

test.run();
