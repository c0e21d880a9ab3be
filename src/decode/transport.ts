import type { Frame } from '../core/frame.js';
import { IpStatus } from './ip-result.js';

/** TCP header in `data[off, end)` (RFC 9293): options skipped by the data offset, which must fit. */
export function decodeTcp(data: Buffer, off: number, end: number, frame: Frame): IpStatus {
  if (end - off < 20) return IpStatus.Truncated;
  const hlen = (data[off + 12]! >> 4) << 2;
  if (hlen < 20) return IpStatus.Malformed;
  if (hlen > end - off) return IpStatus.Truncated;
  frame.srcPort = (data[off]! << 8) | data[off + 1]!;
  frame.dstPort = (data[off + 2]! << 8) | data[off + 3]!;
  // Signed 32-bit, as reassembly keeps them (src/reassembly/seq.ts).
  frame.seq = (data[off + 4]! << 24) | (data[off + 5]! << 16) | (data[off + 6]! << 8) | data[off + 7]!;
  frame.ack = (data[off + 8]! << 24) | (data[off + 9]! << 16) | (data[off + 10]! << 8) | data[off + 11]!;
  frame.tcpFlags = data[off + 13]!;
  frame.window = (data[off + 14]! << 8) | data[off + 15]!;
  frame.payloadOffset = off + hlen;
  frame.payloadLength = end - off - hlen;
  return IpStatus.Ok;
}

/** UDP header (RFC 768): the UDP length bounds the payload when it is plausible. */
export function decodeUdp(data: Buffer, off: number, end: number, frame: Frame): IpStatus {
  if (end - off < 8) return IpStatus.Truncated;
  frame.srcPort = (data[off]! << 8) | data[off + 1]!;
  frame.dstPort = (data[off + 2]! << 8) | data[off + 3]!;
  const ulen = (data[off + 4]! << 8) | data[off + 5]!;
  frame.payloadOffset = off + 8;
  // Length 0 is legal for IPv6 jumbograms; a length beyond the IP payload is damage we tolerate.
  frame.payloadLength = ulen >= 8 && ulen <= end - off ? ulen - 8 : end - off - 8;
  return IpStatus.Ok;
}
