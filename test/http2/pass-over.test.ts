import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http2Factory } from '../../dissectors/http2/index.js';
import { passOverRun } from '../helpers/pass-over.js';

// HTTP/2 DATA payloads (and frames the dissector does not parse) are counted by reassembly instead of
// delivered (Dissector.passOver). The facts must not change, only the bytes the dissector is handed.
const FILES = [
  // Arkime's nghttp2 capture: DATA frames of up to 16 KiB over 1448-byte segments (tshark: 6616, 16384, 9437, 13261 bytes).
  ['../shared/corpus/arkime/http2-nghttp2.pcap', true],
  // Loopback with 64 KiB segments: frames mostly end inside the segment that starts them.
  ['../shared/corpus/suricata-verify/http2-h2c-prior-knowledge.pcap', false],
  // Konnectivity's gRPC over cleartext h2 (lab): small DATA frames.
  ['captures/konnectivity-agent-cleartext.pcap', false],
] as const;

for (const [file, hasData] of FILES) {
  test(`${file}: identical connection facts with DATA passed over${hasData ? ', and fewer bytes handed to the dissector' : ''}`, async () => {
    const over = await passOverRun(file, http2Factory, true);
    const read = await passOverRun(file, http2Factory, false);
    assert.equal(over.records, read.records);
    assert.ok(over.fed <= read.fed);
    if (hasData) assert.ok(over.fed < read.fed / 2, `${over.fed} of ${read.fed} bytes handed over`);
  });
}

test.run();
