/** Link layers: find where the network layer starts and which one it is. Numeric dispatch only. */

export const DLT_NULL = 0;
export const DLT_EN10MB = 1;
export const DLT_RAW_12 = 12;
export const DLT_RAW_14 = 14;
export const DLT_RAW = 101;
export const DLT_LOOP = 108;
export const DLT_LINUX_SLL = 113;
export const DLT_NFLOG = 239;
export const DLT_IPV4 = 228;
export const DLT_IPV6 = 229;
export const DLT_LINUX_SLL2 = 276;

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;

/** What the link layer led to. */
export const enum Net {
  Other = 0,
  V4 = 4,
  V6 = 6,
  Truncated = -1,
  UnknownLink = -2,
}

export interface LinkResult {
  net: Net;
  /** First byte of the network layer in the packet's buffer. */
  offset: number;
  /** 802.1Q / 802.1ad tags crossed. */
  tags: number;
}

const MAX_TAGS = 8;
// BSD AF_INET6 differs per system (NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30); Linux is 10.
const AF_INET = 2;

function afToNet(af: number): Net {
  if (af === AF_INET) return Net.V4;
  if (af === 10 || af === 24 || af === 28 || af === 30) return Net.V6;
  return Net.Other;
}

function isVlanTpid(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

/** Ethertype at `typeAt`, payload from `payload`; crosses VLAN tag stacks (TCI + inner type, 4 bytes each). */
function byEthertype(data: Buffer, typeAt: number, payload: number, end: number, out: LinkResult): void {
  let type = (data[typeAt]! << 8) | data[typeAt + 1]!;
  let p = payload;
  while (isVlanTpid(type)) {
    if (out.tags === MAX_TAGS || p + 4 > end) {
      out.net = p + 4 > end ? Net.Truncated : Net.Other;
      return;
    }
    out.tags++;
    type = (data[p + 2]! << 8) | data[p + 3]!;
    p += 4;
  }
  out.offset = p;
  out.net = type === ETH_IPV4 ? Net.V4 : type === ETH_IPV6 ? Net.V6 : Net.Other;
}

function byVersionNibble(data: Buffer, start: number, end: number, out: LinkResult): void {
  if (end - start < 1) {
    out.net = Net.Truncated;
    return;
  }
  const v = data[start]! >> 4;
  out.offset = start;
  out.net = v === 4 ? Net.V4 : v === 6 ? Net.V6 : Net.Other;
}

/** Loopback family word: NULL writes it in the capturing host's order, LOOP in network order; try both. */
function byFamilyWord(data: Buffer, start: number, end: number, out: LinkResult, bigEndianFirst: boolean): void {
  if (end - start < 4) {
    out.net = Net.Truncated;
    return;
  }
  const le = data.readUInt32LE(start);
  const be = data.readUInt32BE(start);
  const first = bigEndianFirst ? be : le;
  const af = first <= 0xffff ? first : bigEndianFirst ? le : be;
  out.offset = start + 4;
  out.net = afToNet(af);
}

const NFULA_PAYLOAD = 9;

/** NFLOG: 4-byte header (family, version, resource id), then TLVs in host order with 4-byte alignment. */
function byNflog(data: Buffer, start: number, end: number, out: LinkResult): void {
  if (end - start < 4) {
    out.net = Net.Truncated;
    return;
  }
  const family = afToNet(data[start]!);
  let p = start + 4;
  while (p + 4 <= end) {
    let len = data.readUInt16LE(p);
    let type = data.readUInt16LE(p + 2);
    if (len < 4 || p + len > end) {
      // A big-endian capturing host wrote the TLV header the other way round.
      len = data.readUInt16BE(p);
      type = data.readUInt16BE(p + 2);
    }
    if (len < 4) break;
    if ((type & 0x7fff) === NFULA_PAYLOAD) {
      out.offset = p + 4;
      out.net = p + len > end ? Net.Truncated : family;
      return;
    }
    p += (len + 3) & ~3;
  }
  out.net = p < end ? Net.Truncated : Net.Other;
}

/** The link header of the packet at `data[start, end)`. */
export function decodeLink(linkType: number, data: Buffer, start: number, end: number, out: LinkResult): void {
  out.net = Net.Other;
  out.offset = start;
  out.tags = 0;
  const len = end - start;
  switch (linkType) {
    case DLT_EN10MB:
      if (len < 14) out.net = Net.Truncated;
      else byEthertype(data, start + 12, start + 14, end, out);
      return;
    case DLT_LINUX_SLL:
      if (len < 16) out.net = Net.Truncated;
      else byEthertype(data, start + 14, start + 16, end, out);
      return;
    case DLT_LINUX_SLL2:
      if (len < 20) out.net = Net.Truncated;
      else byEthertype(data, start, start + 20, end, out);
      return;
    case DLT_RAW:
    case DLT_RAW_12:
    case DLT_RAW_14:
      byVersionNibble(data, start, end, out);
      return;
    case DLT_IPV4:
      out.net = Net.V4;
      return;
    case DLT_IPV6:
      out.net = Net.V6;
      return;
    case DLT_NULL:
      byFamilyWord(data, start, end, out, false);
      return;
    case DLT_LOOP:
      byFamilyWord(data, start, end, out, true);
      return;
    case DLT_NFLOG:
      byNflog(data, start, end, out);
      return;
    default:
      out.net = Net.UnknownLink;
  }
}
