import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture } from '../../src/capture/source.js';
import { newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';

const CORPUS = '../shared/corpus/';
const tmp = mkdtempSync(join(tmpdir(), 'cw-pair-'));

/** Everything the decoder put into each frame, one line per packet. */
async function decodedLines(path: string): Promise<{ lines: string[]; format: string }> {
  const dec = new FrameDecoder();
  const f = newFrame();
  const lines: string[] = [];
  const s = await readCapture(path, {
    packet(rec) {
      const ready = dec.decode(rec, f);
      const payload = createHash('sha1').update(f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength)).digest('hex');
      lines.push([
        ready, f.tsMicros, f.ifIndex, f.linkType, f.caplen, f.origLen, f.truncated, f.ipVersion, f.src4, f.dst4,
        f.src6.join('.'), f.dst6.join('.'), f.ttl, f.l4, f.srcPort, f.dstPort, f.tcpFlags, f.seq, f.ack, f.window,
        f.payloadLength, payload, f.reassembled,
      ].join(' '));
    },
  });
  assert.is(s.damage, null);
  return { lines, format: s.format };
}

const PAIRS = [
  'zeek/tls/tls1.2.pcap', 'zeek/link/http-qinq-0.pcap', 'zeek/tls/irc-starttls.pcap', 'suricata-verify/decode-sll2-http.pcap',
  'arkime/tls-alpn-h2.pcap', 'zeek/http/ipv6-http-atomic-frag.pcap', 'zeek/http/get-to-ssh-server.pcap', 'arkime/bigendian.pcap',
  'zeek/link/tcp-http-with-padding.pcap', 'zeek/link/nflog-http.pcap', 'suricata-verify/tls-alpn-log-detect-02.pcap',
];

for (const rel of PAIRS) {
  test(`${rel}: pcap and editcap's pcapng of it decode to identical frames`, async () => {
    const ng = join(tmp, rel.replace(/\//g, '_') + '.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', CORPUS + rel, ng]);
    const a = await decodedLines(CORPUS + rel);
    const b = await decodedLines(ng);
    assert.is(a.format, 'pcap');
    assert.is(b.format, 'pcapng');
    assert.ok(a.lines.length > 0);
    assert.equal(b.lines, a.lines);
  });
}

test('editcap --inject-secrets: the key log arrives through the secrets callback before any packet', async () => {
  const ng = join(tmp, 'with-secrets.pcapng');
  const keylog = CORPUS + 'zeek/tls/tls12-decryption.keylog';
  execFileSync('editcap', ['-F', 'pcapng', '--inject-secrets', `tls,${keylog}`, CORPUS + 'zeek/tls/tls12-decryption.pcap', ng]);
  const events: string[] = [];
  let secret = '';
  const s = await readCapture(ng, {
    packet: () => void events.push('p'),
    secrets(type, data) {
      events.push('s');
      assert.is(type, 0x544c534b);
      secret = data.toString('latin1');
    },
  });
  assert.is(s.packets, 16);
  assert.is(events[0], 's');
  assert.is(events.filter((e) => e === 's').length, 1);
  assert.is(secret.replace(/\0+$/, ''), readFileSync(keylog, 'latin1'));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
