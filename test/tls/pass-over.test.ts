import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tlsFactory } from '../../dissectors/tls/index.js';
import { passOverRun } from '../helpers/pass-over.js';

// Without keys, TLS reads application_data records (TLS 1.3's encrypted handshake included) and a
// TLS 1.2 encrypted Finished by their length only: the rest of such a record, beyond the segment
// its header arrived in, is counted by reassembly instead of delivered (Dissector.passOver).
// The facts must not change, only the bytes the dissector is handed.
const FILES = [
  // Chrome, curl and browsers over real networks: encrypted records longer than a segment.
  ['../shared/corpus/zeek/tls/chrome-1250-tls-x25519-kyber.pcap', true],
  ['../shared/corpus/arkime/curl-enabled-tls13.pcap', true],
  ['../shared/corpus/ja4/latest.pcapng', true],
  ['../shared/corpus/zeek/tls/tls13_psk_succesfull.pcap', false],
  ['../shared/corpus/zeek/tls/tls1.2.pcap', false],
  ['../shared/corpus/zeek/tls/tls-fragmented-handshake.pcap', false],
  ['captures/kubelet-casigned-mtls-tls13.pcap', false],
  ['captures/mixed.pcap', false],
] as const;

for (const [file, bigRecords] of FILES) {
  test(`${file}: identical connection facts with unread record bodies passed over${bigRecords ? ', and fewer bytes handed to the dissector' : ''}`, async () => {
    const over = await passOverRun(file, tlsFactory, true);
    const read = await passOverRun(file, tlsFactory, false);
    assert.equal(over.records, read.records);
    assert.ok(over.fed <= read.fed);
    if (bigRecords) assert.ok(over.fed < read.fed * 0.85, `${over.fed} of ${read.fed} bytes handed over`);
  });
}

test.run();
