// Reads and decodes one capture, prints packets/s, MB/s and peak RSS as one JSON line.
// usage: node --import tsx scripts/bench-reader.ts FILE.pcap|FILE.pcapng|-
import { readCapture } from '../src/capture/source.js';
import { newFrame } from '../src/core/frame.js';
import { FrameDecoder } from '../src/decode/frame-decoder.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node --import tsx scripts/bench-reader.ts FILE.pcap|FILE.pcapng|-');
    process.exit(2);
  }
  const decoder = new FrameDecoder();
  const frame = newFrame();
  let ready = 0;
  let portsum = 0;
  let peakRss = process.memoryUsage.rss();
  let n = 0;
  const t0 = process.hrtime.bigint();
  const summary = await readCapture(file, {
    packet(rec) {
      if (decoder.decode(rec, frame)) {
        ready++;
        portsum = (portsum + (frame.srcPort ^ frame.dstPort)) | 0;
      }
      // Sampling RSS every packet would dominate the loop.
      if ((++n & 0xffff) === 0) {
        const rss = process.memoryUsage.rss();
        if (rss > peakRss) peakRss = rss;
      }
    },
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
  const st = decoder.stats;
  console.log(JSON.stringify({
    file, format: summary.format, packets: summary.packets, bytes: summary.bytes, damage: summary.damage,
    tcp: st.tcp, udp: st.udp, ipv4: st.ipv4, ipv6: st.ipv6, vlan: st.vlan, ready, portsum,
    seconds: +s.toFixed(4), pps: Math.round(summary.packets / s), frameMBps: +(summary.bytes / s / 1e6).toFixed(1),
    peakRssMB: +(peakRss / 1048576).toFixed(1),
  }));
}

void main();
