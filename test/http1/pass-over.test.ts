import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { http1Factory } from '../../dissectors/http1/index.js';
import { passOverRun } from '../helpers/pass-over.js';

// Bodies the HTTP/1 dissector steps over are counted by reassembly instead of delivered (Dissector.passOver).
// The facts must not change, only the bytes the dissector is handed.
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
  test(`${file}: identical connection facts with bodies passed over${hasBigBody ? ', and fewer bytes handed to the dissector' : ''}`, async () => {
    const over = await passOverRun(file, http1Factory, true);
    const read = await passOverRun(file, http1Factory, false);
    assert.equal(over.records, read.records);
    assert.ok(over.fed <= read.fed);
    if (hasBigBody) assert.ok(over.fed < read.fed / 2, `${over.fed} of ${read.fed} bytes handed over`);
  });
}

test.run();
