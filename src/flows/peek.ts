import type { PacketRecord } from '../capture/source.js';
import { decodeLink, Net, type LinkResult } from '../decode/link.js';
import { be32 } from '../decode/bytes.js';
import { flowHash4, flowHash6 } from './flow-key.js';

/** Not a hash (outside int32): only the full decode can tell where this packet goes. */
export const NO_PEEK = 2 ** 32;

const TCP = 6;
const UDP = 17;

/**
 * The flow hash of a packet without decoding it into a frame, for a shard to pass over the
 * packets of other shards cheaply. Only for a packet the full decode would take whole to flows
 * (a complete TCP or UDP header, not an IP fragment, no IPv6 extension header): anything else
 * is NO_PEEK and gets the full decode, so skipping never changes what a shard sees.
 */
export class FlowPeek {
  private readonly link: LinkResult = { net: Net.Other, offset: 0, tags: 0 };
  private readonly a = new Uint32Array(4);
  private readonly b = new Uint32Array(4);

  hash(rec: PacketRecord): number {
    const data = rec.data;
    const cap = rec.offset + rec.caplen;
    const link = this.link;
    decodeLink(rec.linkType, data, rec.offset, cap, link);
    const off = link.offset;
    const avail = cap - off;
    let proto: number;
    let start: number;
    let end: number;
    if (link.net === Net.V4) {
      if (avail < 20) return NO_PEEK;
      const vihl = data[off]!;
      const hlen = (vihl & 15) << 2;
      if (vihl >> 4 !== 4 || hlen < 20 || hlen > avail) return NO_PEEK;
      let total = (data[off + 2]! << 8) | data[off + 3]!;
      if (total === 0) total = avail;
      if (total < hlen || ((data[off + 6]! << 8) | data[off + 7]!) & 0x3fff) return NO_PEEK;
      proto = data[off + 9]!;
      start = off + hlen;
      end = total > avail ? cap : off + total;
    } else if (link.net === Net.V6) {
      if (avail < 40 || data[off]! >> 4 !== 6) return NO_PEEK;
      proto = data[off + 6]!;
      start = off + 40;
      end = Math.min(cap, start + ((data[off + 4]! << 8) | data[off + 5]!));
    } else {
      return NO_PEEK;
    }
    if (proto === TCP) {
      if (end - start < 20) return NO_PEEK;
      const thl = (data[start + 12]! >> 4) << 2;
      if (thl < 20 || thl > end - start) return NO_PEEK;
    } else if (proto !== UDP || end - start < 8) {
      return NO_PEEK;
    }
    const aPort = (data[start]! << 8) | data[start + 1]!;
    const bPort = (data[start + 2]! << 8) | data[start + 3]!;
    if (link.net === Net.V4) return flowHash4(proto, be32(data, off + 12), aPort, be32(data, off + 16), bPort);
    const a = this.a;
    const b = this.b;
    for (let i = 0; i < 4; i++) {
      a[i] = be32(data, off + 8 + 4 * i);
      b[i] = be32(data, off + 24 + 4 * i);
    }
    return flowHash6(proto, a, aPort, b, bPort);
  }
}
