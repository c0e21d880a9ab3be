import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packetBytes, readCapture, type PacketRecord } from '../../src/capture/source.js';
import { L4, newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { ipv4ToString, ipv6ToString } from '../../src/decode/ip-format.js';
import { DEFAULT_FRAGMENT_LIMITS } from '../../src/decode/ip-fragments.js';

// Linux-fragmented UDP (scripts/make-frag-captures.sh) and tshark's reading of it (test/decode/make-fragment-facts.py).
interface FragFacts {
  udp: Array<{ frame: number; src: string; srcPort: number; dstPort: number; udpLength: number }>;
  fragmentFrames: number;
}
const facts = JSON.parse(readFileSync(new URL('./fragment-facts.json', import.meta.url), 'utf8')) as FragFacts;
const CAP = 'captures/ip-fragments.pcap';
// The sender wrote datagram i of sizes 3000, 1300, 5000, 200, 9000 as bytes (i + j) & 255 over IPv4, (7i + j) & 255 over IPv6.
const SIZES = [3000, 1300, 5000, 200, 9000];

async function records(): Promise<PacketRecord[]> {
  const out: PacketRecord[] = [];
  await readCapture(CAP, { packet: (r) => void out.push({ ...r, data: Buffer.from(packetBytes(r)), offset: 0 }) });
  return out;
}

interface Datagram { frame: number; src: string; srcPort: number; dstPort: number; udpLength: number; payload: Buffer; reassembled: boolean }

function decodeAll(recs: PacketRecord[], dec = new FrameDecoder()): Datagram[] {
  const f = newFrame();
  const got: Datagram[] = [];
  recs.forEach((r, i) => {
    if (!dec.decode(r, f) || f.l4 !== L4.UDP) return;
    got.push({
      frame: i + 1,
      src: f.ipVersion === 4 ? ipv4ToString(f.src4) : ipv6ToString(f.src6),
      srcPort: f.srcPort, dstPort: f.dstPort, udpLength: f.payloadLength + 8,
      payload: Buffer.from(f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength)),
      reassembled: f.reassembled,
    });
  });
  return got;
}

test('kernel-fragmented IPv4 and IPv6 UDP reassemble where and as tshark does', async () => {
  const dec = new FrameDecoder();
  const got = decodeAll(await records(), dec);
  assert.equal(got.map(({ payload: _p, reassembled: _r, ...rest }) => rest), facts.udp);
  assert.is(dec.stats.fragments, facts.fragmentFrames);
  assert.is(dec.stats.reassembled, got.filter((d) => d.reassembled).length);
  assert.is(dec.stats.reassembled, 8);
  assert.is(dec.stats.fragmentDrops, 0);
  for (const d of got) {
    const i = SIZES.indexOf(d.udpLength - 8);
    const v6 = d.src.includes(':');
    const want = Buffer.from(Array.from({ length: SIZES[i]! }, (_, j) => ((v6 ? 7 * i : i) + j) & 255));
    assert.ok(d.payload.equals(want), `payload of frame ${d.frame}`);
  }
});

test('fragments fed in reverse order give the same datagrams', async () => {
  const recs = await records();
  const forward = decodeAll(recs).map((d) => d.payload.toString('hex')).sort();
  const backward = decodeAll(recs.slice().reverse()).map((d) => d.payload.toString('hex')).sort();
  assert.equal(backward, forward);
});

test('global byte cap: pending pieces are evicted and counted, never reassembled beyond the cap', async () => {
  const dec = new FrameDecoder({ ...DEFAULT_FRAGMENT_LIMITS, maxBytes: 3000 });
  const got = decodeAll(await records(), dec);
  // Datagrams of up to 3000 payload bytes still fit; 5000 and 9000 do not.
  assert.ok(got.every((d) => d.udpLength <= 3008));
  assert.ok(dec.stats.fragmentDrops >= 4);
});

test('timeout on packet time: a late last fragment does not complete an expired datagram', async () => {
  const recs = await records();
  const dec = new FrameDecoder({ ...DEFAULT_FRAGMENT_LIMITS, timeoutMicros: 1000 });
  // Frames 5, 6, 7 are the three IPv4 pieces of the first 3000-byte datagram; delay the last one by 1 s.
  const late = { ...recs[6]!, tsMicros: recs[6]!.tsMicros + 1e6 };
  const got = decodeAll([recs[4]!, recs[5]!, late], dec);
  assert.is(got.length, 0);
  assert.is(dec.stats.fragmentDrops, 1);
});

test('a piece reaching past 65535 bytes is dropped', async () => {
  const recs = await records();
  const r = recs[5]!; // IPv4 piece at offset 1256
  const data = Buffer.from(r.data);
  // Ethernet (14) + IPv4 flags/offset at bytes 6-7: offset 8190 * 8 = 65520, plus 1256 payload bytes.
  data.writeUInt16BE(0x2000 | 8190, 14 + 6);
  const dec = new FrameDecoder();
  decodeAll([{ ...r, data }], dec);
  assert.is(dec.stats.fragments, 1);
  assert.is(dec.stats.fragmentDrops, 1);
});

test.run();
