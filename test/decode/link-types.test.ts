import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture } from '../../src/capture/source.js';
import { L4, newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { ipv4ToString, ipv6ToString } from '../../src/decode/ip-format.js';

// Figures from tshark; the command line of each is stored with it (made by test/decode/make-tshark-facts.py).
interface Facts {
  path: string;
  packets: number;
  tcp: number;
  udp: number;
  icmp: number;
  vlanFrames: number;
  fragHeaderFrames: number;
  tcpPayloadBytes: number;
  firstTimeEpoch: string | null;
  interfaces: number[];
  firstTransport: { src: string; dst: string; srcPort: number; dstPort: number; l4: 'tcp' | 'udp' } | null;
  command: string;
}

const facts = (JSON.parse(readFileSync(new URL('./tshark-facts.json', import.meta.url), 'utf8')) as { files: Facts[] }).files;

for (const f of facts) {
  test(`${f.path}: decoded counts and first transport packet match tshark`, async () => {
    const dec = new FrameDecoder();
    const frame = newFrame();
    let first: Facts['firstTransport'] = null;
    let firstTs = -1;
    let tcpPayload = 0;
    const ifaces = new Set<number>();
    await readCapture('../shared/corpus/' + f.path, {
      packet(rec) {
        if (firstTs < 0) firstTs = rec.tsMicros;
        ifaces.add(rec.ifIndex);
        if (!dec.decode(rec, frame)) return;
        if (frame.l4 === L4.TCP) tcpPayload += frame.payloadLength;
        if (first === null) {
          first = {
            src: frame.ipVersion === 4 ? ipv4ToString(frame.src4) : ipv6ToString(frame.src6),
            dst: frame.ipVersion === 4 ? ipv4ToString(frame.dst4) : ipv6ToString(frame.dst6),
            srcPort: frame.srcPort,
            dstPort: frame.dstPort,
            l4: frame.l4 === L4.TCP ? 'tcp' : 'udp',
          };
        }
      },
    });
    const st = dec.stats;
    assert.is(st.packets, f.packets, 'packets');
    assert.is(st.tcp, f.tcp, 'tcp');
    assert.is(st.udp, f.udp, 'udp');
    assert.is(st.icmp, f.icmp, 'icmp');
    assert.is(st.vlan, f.vlanFrames, 'frames with VLAN tags');
    assert.is(tcpPayload, f.tcpPayloadBytes, 'TCP payload bytes (Ethernet padding excluded)');
    assert.equal([...ifaces].sort(), f.interfaces);
    if (f.firstTransport === null) assert.is(first, null);
    else {
      const { src, dst, srcPort, dstPort, l4 } = f.firstTransport;
      assert.equal(first, { src, dst, srcPort, dstPort, l4 });
    }
    if (f.firstTimeEpoch !== null) {
      const [sec, frac] = f.firstTimeEpoch.split('.') as [string, string];
      const want = Number(sec) * 1e6 + Number(frac.padEnd(9, '0')) / 1000;
      // Doubles near 1.7e15 µs resolve to 0.25 µs.
      assert.ok(Math.abs(firstTs - want) < 0.5, `first timestamp ${firstTs} vs tshark ${want}`);
    }
    assert.is(st.unknownLink, 0);
  });
}

test('ipv6-http-atomic-frag.pcap: atomic fragments are whole datagrams, not reassembly input', async () => {
  const f = facts.find((x) => x.path === 'zeek/http/ipv6-http-atomic-frag.pcap')!;
  assert.ok(f.fragHeaderFrames > 0);
  const dec = new FrameDecoder();
  const frame = newFrame();
  await readCapture('../shared/corpus/' + f.path, { packet: (rec) => void dec.decode(rec, frame) });
  assert.is(dec.stats.fragments, 0);
  assert.is(dec.stats.tcp, f.tcp);
});

test('ip4-trunc / ip6-trunc / trunc-hdr: truncated headers are flagged and counted, never fatal', async () => {
  for (const p of ['zeek/malformed/ip4-trunc.pcap', 'zeek/malformed/ip6-trunc.pcap', 'zeek/malformed/trunc-hdr.pcap',
    'zeek/malformed/ipv4-truncated-broken-header.pcap', 'zeek/malformed/ip-discarder-truncated-tcp-oob.pcapng']) {
    const dec = new FrameDecoder();
    const frame = newFrame();
    let ready = 0;
    let flagged = 0;
    await readCapture('../shared/corpus/' + p, {
      packet(rec) {
        if (dec.decode(rec, frame)) ready++;
        if (frame.truncated) flagged++;
      },
    });
    assert.is(ready, 0, p);
    assert.is(flagged, 1, p);
    assert.is(dec.stats.truncated, 1, p);
  }
});

test.run();
