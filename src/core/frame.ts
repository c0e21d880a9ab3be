/**
 * One reused view of the packet being processed. The decoder overwrites it for every packet:
 * whoever needs data past the current packet copies it (DESIGN.md, "Frame").
 */
export const enum L4 {
  None = 0,
  ICMP = 1,
  TCP = 6,
  UDP = 17,
  ICMPv6 = 58,
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

export interface Frame {
  /** Packet time in microseconds since the Unix epoch (fractional for ns captures). */
  tsMicros: number;
  /** Interface index (pcapng IDB number, 0 for classic pcap and live capture). */
  ifIndex: number;
  linkType: number;
  caplen: number;
  origLen: number;
  /** The buffer holding the captured packet (the reader's window: offsets below index into it); valid until the next packet. */
  data: Buffer;
  /** Some layer claimed more bytes than were captured. */
  truncated: boolean;
  /** 0 when no IP layer was decoded. */
  ipVersion: 0 | 4 | 6;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4: number;
  dst4: number;
  /** IPv6 addresses as four big-endian 32-bit words each (reused arrays). */
  src6: Uint32Array;
  dst6: Uint32Array;
  ttl: number;
  /** Protocol of the transport layer (after IPv6 extension headers). */
  l4: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  /** TCP sequence and acknowledgement numbers as signed 32-bit values (src/reassembly/seq.ts says why). */
  seq: number;
  ack: number;
  window: number;
  /** Payload of the transport layer inside `data`. */
  payloadOffset: number;
  payloadLength: number;
  /** Set when this frame's transport payload was produced by IP fragment reassembly: `data` then is a reassembly buffer. */
  reassembled: boolean;
}

export function newFrame(): Frame {
  return {
    tsMicros: 0,
    ifIndex: 0,
    linkType: 0,
    caplen: 0,
    origLen: 0,
    data: Buffer.alloc(0),
    truncated: false,
    ipVersion: 0,
    src4: 0,
    dst4: 0,
    src6: new Uint32Array(4),
    dst6: new Uint32Array(4),
    ttl: 0,
    l4: 0,
    srcPort: 0,
    dstPort: 0,
    tcpFlags: 0,
    seq: 0,
    ack: 0,
    window: 0,
    payloadOffset: 0,
    payloadLength: 0,
    reassembled: false,
  };
}
