import type { Frame } from '../core/frame.js';
import { be32 } from './bytes.js';
import { IpStatus, type IpResult } from './ip-result.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const DEST_OPTS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
/** Longer chains than this are an attack or garbage, not traffic. */
const MAX_EXT_HEADERS = 16;

/**
 * Walks IPv6 extension headers from `nh` at `off` up to `end`, stopping at the first upper-layer
 * protocol or at a non-atomic fragment header. Fills proto/start and the fragment fields.
 */
export function walkExtensions(data: Buffer, nh: number, off: number, end: number, out: IpResult): IpStatus {
  out.fragment = false;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    switch (nh) {
      case HOP_BY_HOP:
      case ROUTING:
      case DEST_OPTS:
      case MOBILITY:
      case HIP:
      case SHIM6: {
        if (end - off < 8) return IpStatus.Truncated;
        const len = (data[off + 1]! + 1) << 3;
        if (end - off < len) return IpStatus.Truncated;
        nh = data[off]!;
        off += len;
        break;
      }
      case AH: {
        if (end - off < 8) return IpStatus.Truncated;
        const len = (data[off + 1]! + 2) << 2;
        if (end - off < len) return IpStatus.Truncated;
        nh = data[off]!;
        off += len;
        break;
      }
      case FRAGMENT: {
        if (end - off < 8) return IpStatus.Truncated;
        const fo = (data[off + 2]! << 8) | data[off + 3]!;
        nh = data[off]!;
        off += 8;
        // An atomic fragment (offset 0, no more fragments; RFC 6946) is a whole datagram: keep walking.
        if (fo !== 0) {
          out.fragment = true;
          out.fragOffset = fo & 0xfff8;
          out.moreFragments = (fo & 1) !== 0;
          out.fragId = be32(data, off - 4);
          if (out.fragOffset !== 0 || out.moreFragments) {
            out.proto = nh;
            out.start = off;
            return IpStatus.Ok;
          }
          out.fragment = false;
        }
        break;
      }
      default:
        out.proto = nh;
        out.start = off;
        return IpStatus.Ok;
    }
  }
  return IpStatus.Malformed;
}

/** IPv6 fixed header at `off` of a packet ending at `cap` (RFC 8200), payload length bounds the datagram, then the extension chain. */
export function decodeIPv6(data: Buffer, off: number, cap: number, frame: Frame, out: IpResult): IpStatus {
  const avail = cap - off;
  if (avail < 40) return IpStatus.Truncated;
  if (data[off]! >> 4 !== 6) return IpStatus.Malformed;
  let plen = (data[off + 4]! << 8) | data[off + 5]!;
  const nh = data[off + 6]!;
  // Payload length 0 with hop-by-hop options is a jumbogram (RFC 2675): use what was captured.
  if (plen === 0 && nh === HOP_BY_HOP) plen = avail - 40;
  frame.ipVersion = 6;
  frame.ttl = data[off + 7]!;
  const s = frame.src6;
  const d = frame.dst6;
  s[0] = be32(data, off + 8);
  s[1] = be32(data, off + 12);
  s[2] = be32(data, off + 16);
  s[3] = be32(data, off + 20);
  d[0] = be32(data, off + 24);
  d[1] = be32(data, off + 28);
  d[2] = be32(data, off + 32);
  d[3] = be32(data, off + 36);
  let end = off + 40 + plen;
  if (end > cap) {
    frame.truncated = true;
    end = cap;
  }
  out.end = end;
  return walkExtensions(data, nh, off + 40, end, out);
}
