import { L4, type Frame } from '../core/frame.js';
import type { PacketRecord } from '../capture/source.js';
import { FragmentReassembler, type FragmentLimits } from './ip-fragments.js';
import { IpStatus, newIpResult, type IpResult } from './ip-result.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6, walkExtensions } from './ipv6.js';
import { decodeLink, Net, type LinkResult } from './link.js';
import { decodeTcp, decodeUdp } from './transport.js';

export interface DecodeStats {
  packets: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  other: number;
  truncated: number;
  unknownLink: number;
  nonIp: number;
  fragments: number;
  reassembled: number;
  fragmentDrops: number;
  vlan: number;
  /** Impossible header values (IP version / header length / total length, TCP data offset, extension chains). */
  malformed: number;
}

export function newStats(): DecodeStats {
  return {
    packets: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, other: 0, truncated: 0, unknownLink: 0,
    nonIp: 0, fragments: 0, reassembled: 0, fragmentDrops: 0, vlan: 0, malformed: 0,
  };
}

function resetFrame(rec: PacketRecord, f: Frame): void {
  f.tsMicros = rec.tsMicros;
  f.ifIndex = rec.ifIndex;
  f.linkType = rec.linkType;
  f.caplen = rec.caplen;
  f.origLen = rec.origLen;
  f.data = rec.data;
  f.truncated = false;
  // Only an IPv6 frame wrote the address words.
  if (f.ipVersion === 6) {
    f.src6.fill(0);
    f.dst6.fill(0);
  }
  f.ipVersion = 0;
  f.src4 = 0;
  f.dst4 = 0;
  f.ttl = 0;
  f.l4 = L4.None;
  f.srcPort = 0;
  f.dstPort = 0;
  f.tcpFlags = 0;
  f.seq = 0;
  f.ack = 0;
  f.window = 0;
  f.payloadOffset = 0;
  f.payloadLength = 0;
  f.reassembled = false;
}

/**
 * One reused decoder: link layer, IPv4/IPv6 (with bounded fragment reassembly), TCP/UDP/ICMP.
 * Fills the caller's Frame in place; nothing is allocated per packet except for fragments.
 */
export class FrameDecoder {
  /** Where counts go; a shard points it elsewhere for packets another shard counts. */
  stats: DecodeStats = newStats();
  private readonly link: LinkResult = { net: Net.Other, offset: 0, tags: 0 };
  private readonly ip: IpResult = newIpResult();
  private readonly frags: FragmentReassembler;

  constructor(fragmentLimits?: FragmentLimits) {
    this.frags = new FragmentReassembler(fragmentLimits);
  }

  /** Fills `frame` from `rec`. Returns true when the frame carries a TCP or UDP segment ready for flows
   *  (fragments return false until reassembled; the reassembled datagram comes back from a later call with frame.reassembled = true). */
  decode(rec: PacketRecord, frame: Frame): boolean {
    const st = this.stats;
    st.packets++;
    resetFrame(rec, frame);
    const link = this.link;
    const data = rec.data;
    const cap = rec.offset + rec.caplen;
    decodeLink(rec.linkType, data, rec.offset, cap, link);
    if (link.tags > 0) st.vlan++;
    const ip = this.ip;
    let status: IpStatus;
    switch (link.net) {
      case Net.V4:
        status = decodeIPv4(data, link.offset, cap, frame, ip);
        if (frame.ipVersion === 4) st.ipv4++;
        break;
      case Net.V6:
        status = decodeIPv6(data, link.offset, cap, frame, ip);
        if (frame.ipVersion === 6) st.ipv6++;
        break;
      case Net.Truncated:
        return this.truncated(frame);
      case Net.UnknownLink:
        st.unknownLink++;
        return false;
      default:
        st.nonIp++;
        return false;
    }
    if (status === IpStatus.Truncated) return this.truncated(frame);
    if (status === IpStatus.Malformed) {
      st.malformed++;
      return false;
    }
    if (frame.truncated) st.truncated++;
    if (ip.fragment) return this.fragment(rec, frame, ip);
    return this.transport(data, ip.proto, ip.start, ip.end, frame);
  }

  private truncated(frame: Frame): boolean {
    if (!frame.truncated) this.stats.truncated++;
    frame.truncated = true;
    return false;
  }

  private transport(data: Buffer, proto: number, start: number, end: number, frame: Frame): boolean {
    const st = this.stats;
    let status: IpStatus;
    switch (proto) {
      case L4.TCP:
        status = decodeTcp(data, start, end, frame);
        break;
      case L4.UDP:
        status = decodeUdp(data, start, end, frame);
        break;
      case L4.ICMP:
      case L4.ICMPv6:
        frame.l4 = proto;
        st.icmp++;
        return false;
      default:
        frame.l4 = proto;
        st.other++;
        return false;
    }
    if (status === IpStatus.Truncated) return this.truncated(frame);
    if (status === IpStatus.Malformed) {
      st.malformed++;
      return false;
    }
    frame.l4 = proto;
    if (proto === L4.TCP) st.tcp++;
    else st.udp++;
    return true;
  }

  private fragment(rec: PacketRecord, frame: Frame, ip: IpResult): boolean {
    const st = this.stats;
    st.fragments++;
    const key = frame.ipVersion === 4
      ? `4 ${frame.src4} ${frame.dst4} ${ip.fragId} ${ip.proto}`
      : `6 ${frame.src6.join(' ')} ${frame.dst6.join(' ')} ${ip.fragId}`;
    const frags = this.frags;
    const dropsBefore = frags.drops;
    const whole = frame.truncated ? null : frags.add(key, rec.tsMicros, ip.proto, ip.fragOffset, ip.moreFragments, rec.data, ip.start, ip.end);
    // A truncated piece can never complete its datagram: count it as dropped rather than keep it.
    if (frame.truncated) frags.drops++;
    st.fragmentDrops += frags.drops - dropsBefore;
    if (whole === null) {
      frame.l4 = ip.proto;
      return false;
    }
    st.reassembled++;
    frame.data = whole;
    frame.reassembled = true;
    let proto = frags.proto;
    let start = 0;
    if (frame.ipVersion === 6) {
      // The first piece began with whatever followed the fragment header, possibly more extension headers.
      const s = walkExtensions(whole, proto, 0, whole.length, ip);
      if (s !== IpStatus.Ok || ip.fragment) {
        st.malformed++;
        return false;
      }
      proto = ip.proto;
      start = ip.start;
    }
    return this.transport(whole, proto, start, whole.length, frame);
  }
}
