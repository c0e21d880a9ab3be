import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PacketRecord } from '../../src/capture/source.js';
import { L4, newFrame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { ipv4ToString, ipv6ToString } from '../../src/decode/ip-format.js';

// Packets built by hand from RFC 791 / 8200 / 9293 / 768 layouts.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const tcp = (sport: number, dport: number, payload: Buffer, offsetWords = 5) => {
  const h = Buffer.alloc(offsetWords * 4);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(1000, 4);
  h.writeUInt32BE(2000, 8);
  h[12] = offsetWords << 4;
  h[13] = 0x18;
  h.writeUInt16BE(512, 14);
  return Buffer.concat([h, payload]);
};
const ipv4 = (proto: number, body: Buffer, options = Buffer.alloc(0)) => {
  const h = Buffer.alloc(20 + options.length);
  h[0] = 0x40 | ((20 + options.length) / 4);
  h.writeUInt16BE(h.length + body.length, 2);
  h[8] = 64;
  h[9] = proto;
  h.writeUInt32BE(0xc0000201, 12);
  h.writeUInt32BE(0xc6336407, 16);
  options.copy(h, 20);
  return Buffer.concat([h, body]);
};
const ipv6 = (nh: number, body: Buffer) => {
  const h = hex('60000000 0000 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002');
  h.writeUInt16BE(body.length, 4);
  h[6] = nh;
  return Buffer.concat([h, body]);
};
const eth = (type: number, body: Buffer, tags: number[] = []) => {
  const parts: Buffer[] = [hex('020000000001 020000000002')];
  for (const tpid of tags) parts.push(Buffer.from([tpid >> 8, tpid & 255, 0x00, 0x0a]));
  parts.push(Buffer.from([type >> 8, type & 255]), body);
  return Buffer.concat(parts);
};
// Readers hand out their whole read window: the packet sits between bytes of other records, which
// no layer may read (0x45 / 0x60 / 0x08 would look like headers if a bound were taken from the buffer).
const rec = (linkType: number, data: Buffer): PacketRecord => ({
  tsMicros: 1, ifIndex: 0, linkType, caplen: data.length, origLen: data.length,
  data: Buffer.concat([Buffer.from([0x45, 0x60, 0x08, 0x00, 0x45]), data, Buffer.alloc(64, 0x45)]), offset: 5,
});

function decode(linkType: number, data: Buffer) {
  const dec = new FrameDecoder();
  const f = newFrame();
  const ready = dec.decode(rec(linkType, data), f);
  return { ready, f, st: dec.stats };
}

const seg = tcp(40000, 443, Buffer.from('hello'));

test('IPv6 text follows RFC 5952', () => {
  const w = (s: string) => {
    const b = hex(s);
    return new Uint32Array([b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)]);
  };
  assert.is(ipv6ToString(w('20010db8000000000000000000000001')), '2001:db8::1');
  assert.is(ipv6ToString(w('20010db8000000000001000000000001')), '2001:db8::1:0:0:1');
  assert.is(ipv6ToString(w('20010000000000010000000000000001')), '2001:0:0:1::1');
  assert.is(ipv6ToString(w('20010db8000000010001000100010001')), '2001:db8:0:1:1:1:1:1');
  assert.is(ipv6ToString(w('00000000000000000000000000000000')), '::');
  assert.is(ipv6ToString(w('00000000000000000000000000000001')), '::1');
  assert.is(ipv6ToString(w('fe800000000000000000000000000000')), 'fe80::');
  assert.is(ipv6ToString(w('00000000000000000000ffffc0000201')), '::ffff:192.0.2.1');
  assert.is(ipv6ToString(w('20010DB8AAAABBBBCCCCDDDDEEEE0001')), '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1');
  assert.is(ipv4ToString(0xc0000201), '192.0.2.1');
  assert.is(ipv4ToString(0xffffffff), '255.255.255.255');
});

test('NULL and LOOP: AF family in either byte order, AF_INET6 as 10, 24, 28 or 30', () => {
  const v6 = ipv6(6, seg);
  for (const af of [10, 24, 28, 30]) {
    for (const lt of [0, 108]) {
      for (const le of [true, false]) {
        const hdr = Buffer.alloc(4);
        if (le) hdr.writeUInt32LE(af);
        else hdr.writeUInt32BE(af);
        const { ready, f } = decode(lt, Buffer.concat([hdr, v6]));
        assert.ok(ready, `af ${af} lt ${lt} le ${le}`);
        assert.is(f.ipVersion, 6);
        assert.is(ipv6ToString(f.dst6), '2001:db8::2');
      }
    }
  }
  const { ready, f } = decode(0, Buffer.concat([hex('00000002'), ipv4(6, seg)]));
  assert.ok(ready);
  assert.is(ipv4ToString(f.src4), '192.0.2.1');
});

test('raw IP link types 101, 12, 14, 228, 229', () => {
  for (const lt of [101, 12, 14, 228]) assert.ok(decode(lt, ipv4(6, seg)).ready, String(lt));
  for (const lt of [101, 12, 14, 229]) assert.ok(decode(lt, ipv6(6, seg)).ready, String(lt));
});

test('IPv4 options are skipped by IHL; Ethernet padding is not payload', () => {
  const pkt = eth(0x0800, Buffer.concat([ipv4(6, seg, hex('01010100 94040000')), Buffer.alloc(12)]));
  const { ready, f } = decode(1, pkt);
  assert.ok(ready);
  assert.is(f.srcPort, 40000);
  assert.is(f.dstPort, 443);
  assert.is(f.seq, 1000);
  assert.is(f.ack, 2000);
  assert.is(f.window, 512);
  assert.is(f.tcpFlags, 0x18);
  assert.is(f.data.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength).toString(), 'hello');
  assert.is(f.ttl, 64);
});

test('IPv6 hop-by-hop, routing and destination options are walked to TCP; atomic fragment too', () => {
  const hbh = hex('2b00 010400000000');            // next = routing(43), len 0 -> 8 bytes, PadN
  const rt = hex('3c02 0000 00000000') ;           // next = dest opts(60), len 2 -> 24 bytes
  const rtBody = Buffer.concat([rt, Buffer.alloc(16)]);
  const dst = hex('2c00 010400000000');            // next = fragment(44)
  const frag = hex('0600 0000 12345678');          // next = TCP, offset 0, M 0: atomic
  const { ready, f, st } = decode(229, ipv6(0, Buffer.concat([hbh, rtBody, dst, frag, seg])));
  assert.ok(ready);
  assert.is(f.l4, L4.TCP);
  assert.is(f.dstPort, 443);
  assert.is(f.payloadLength, 5);
  assert.is(st.fragments, 0);
});

test('802.1ad + two 802.1Q tags are crossed and counted once', () => {
  const { ready, f, st } = decode(1, eth(0x86dd, ipv6(17, hex('0035 d431 000d 0000 6869 0a 00 00').subarray(0, 13)), [0x88a8, 0x8100, 0x8100]));
  assert.ok(ready);
  assert.is(f.l4, L4.UDP);
  assert.is(f.srcPort, 53);
  assert.is(f.payloadLength, 5);
  assert.is(st.vlan, 1);
});

test('bad TCP data offsets, truncated headers, 802.3 frames and unknown link types are counted, never thrown', () => {
  let r = decode(1, eth(0x0800, ipv4(6, tcp(1, 2, Buffer.alloc(8), 4))));
  assert.ok(!r.ready);
  assert.is(r.st.malformed, 1);
  r = decode(1, eth(0x0800, ipv4(6, tcp(1, 2, Buffer.alloc(0), 15)).subarray(0, 20 + 30)));
  assert.ok(!r.ready);
  assert.ok(r.f.truncated);
  assert.is(r.st.truncated, 1);
  r = decode(1, eth(0x0026, Buffer.alloc(40)));
  assert.is(r.st.nonIp, 1);
  r = decode(147, Buffer.alloc(40));
  assert.is(r.st.unknownLink, 1);
  r = decode(1, Buffer.alloc(5));
  assert.ok(r.f.truncated);
  r = decode(113, Buffer.alloc(15));
  assert.ok(r.f.truncated);
  r = decode(276, Buffer.alloc(19));
  assert.ok(r.f.truncated);
  r = decode(1, eth(0x0800, Buffer.concat([hex('4f'), Buffer.alloc(30)])));
  assert.ok(r.f.truncated, 'IHL 15 beyond the captured bytes');
  r = decode(1, eth(0x0800, Buffer.concat([hex('44'), Buffer.alloc(30)])));
  assert.is(r.st.malformed, 1, 'IHL 4');
});

test('the reused frame is reset between packets', () => {
  const dec = new FrameDecoder();
  const f = newFrame();
  assert.ok(dec.decode(rec(101, ipv4(6, seg)), f));
  assert.not.ok(dec.decode(rec(1, eth(0x0806, Buffer.alloc(28))), f));
  assert.is(f.ipVersion, 0);
  assert.is(f.srcPort, 0);
  assert.is(f.payloadLength, 0);
  assert.is(f.l4, L4.None);
});

test.run();
