import type { Frame } from '../core/frame.js';
import { be32 } from './bytes.js';
import { IpStatus, type IpResult } from './ip-result.js';

/**
 * IPv4 header at `off` of a packet ending at `cap` (RFC 791): options skipped by IHL, total length bounds the payload (so Ethernet
 * padding is not taken as data), fragments flagged for reassembly.
 */
export function decodeIPv4(data: Buffer, off: number, cap: number, frame: Frame, out: IpResult): IpStatus {
  const avail = cap - off;
  if (avail < 20) return IpStatus.Truncated;
  const vihl = data[off]!;
  if (vihl >> 4 !== 4) return IpStatus.Malformed;
  const hlen = (vihl & 15) << 2;
  if (hlen < 20) return IpStatus.Malformed;
  if (hlen > avail) return IpStatus.Truncated;
  let total = (data[off + 2]! << 8) | data[off + 3]!;
  // Total length 0 is what TCP segmentation offload leaves in captures taken on the sender: use what was captured.
  if (total === 0) total = avail;
  if (total < hlen) return IpStatus.Malformed;
  frame.ipVersion = 4;
  frame.ttl = data[off + 8]!;
  frame.src4 = be32(data, off + 12);
  frame.dst4 = be32(data, off + 16);
  out.proto = data[off + 9]!;
  out.start = off + hlen;
  if (total > avail) {
    frame.truncated = true;
    out.end = cap;
  } else {
    out.end = off + total;
  }
  const flagsFrag = (data[off + 6]! << 8) | data[off + 7]!;
  out.fragOffset = (flagsFrag & 0x1fff) << 3;
  out.moreFragments = (flagsFrag & 0x2000) !== 0;
  out.fragment = out.moreFragments || out.fragOffset !== 0;
  out.fragId = (data[off + 4]! << 8) | data[off + 5]!;
  return IpStatus.Ok;
}
