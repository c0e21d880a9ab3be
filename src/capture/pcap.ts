import { newPacketRecord, type CaptureDamage, type ReadHandlers, type RecordParser } from './types.js';

/** libpcap's MAXIMUM_SNAPLEN: no classic record may be longer, whatever the header claims. */
export const PCAP_MAX_CAPLEN = 262144;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** Classic pcap (both byte orders, µs and ns magics). Reads the 24-byte header, then 16-byte records. */
export class PcapParser implements RecordParser {
  readonly format = 'pcap' as const;
  packets = 0;
  bytes = 0;
  need = 0;
  damage: CaptureDamage | null = null;

  private headerDone = false;
  private le = true;
  private nanos = false;
  /** The header's snapshot length, only quoted in messages (see readHeader). */
  private snaplen = 0;
  private readonly rec = newPacketRecord();

  constructor(private readonly handlers: ReadHandlers) {}

  parse(buf: Buffer, start: number, end: number): number {
    let off = start;
    if (!this.headerDone) {
      if (end - off < FILE_HEADER) {
        this.need = FILE_HEADER;
        return off;
      }
      if (!this.readHeader(buf, off)) return off;
      off += FILE_HEADER;
    }
    const le = this.le;
    const rec = this.rec;
    const onPacket = this.handlers.packet;
    const handlers = this.handlers;
    while (end - off >= RECORD_HEADER) {
      // Byte arithmetic rather than readUInt32*: this loop runs once per packet.
      let sec: number, frac: number, caplen: number, origLen: number;
      if (le) {
        sec = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
        frac = (buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16) | (buf[off + 7]! << 24)) >>> 0;
        caplen = (buf[off + 8]! | (buf[off + 9]! << 8) | (buf[off + 10]! << 16) | (buf[off + 11]! << 24)) >>> 0;
        origLen = (buf[off + 12]! | (buf[off + 13]! << 8) | (buf[off + 14]! << 16) | (buf[off + 15]! << 24)) >>> 0;
      } else {
        sec = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
        frac = ((buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!) >>> 0;
        caplen = ((buf[off + 8]! << 24) | (buf[off + 9]! << 16) | (buf[off + 10]! << 8) | buf[off + 11]!) >>> 0;
        origLen = ((buf[off + 12]! << 24) | (buf[off + 13]! << 16) | (buf[off + 14]! << 8) | buf[off + 15]!) >>> 0;
      }
      if (caplen > PCAP_MAX_CAPLEN) {
        this.fail(off, `record length ${caplen} exceeds the maximum ${PCAP_MAX_CAPLEN} (header snaplen ${this.snaplen})`);
        return off;
      }
      if (caplen > origLen) {
        this.fail(off, `record length ${caplen} exceeds its original length ${origLen}`);
        return off;
      }
      const total = RECORD_HEADER + caplen;
      if (end - off < total) {
        this.need = total;
        return off;
      }
      rec.tsMicros = sec * 1e6 + (this.nanos ? frac / 1000 : frac);
      rec.caplen = caplen;
      rec.origLen = origLen;
      rec.data = buf;
      rec.offset = off + RECORD_HEADER;
      this.packets++;
      this.bytes += caplen;
      onPacket.call(handlers, rec);
      off += total;
    }
    this.need = RECORD_HEADER;
    return off;
  }

  private readHeader(buf: Buffer, off: number): boolean {
    const magicLE = buf.readUInt32LE(off);
    const magicBE = buf.readUInt32BE(off);
    if (magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) {
      this.le = true;
      this.nanos = magicLE === PCAP_MAGIC_NS;
    } else if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS) {
      this.le = false;
      this.nanos = magicBE === PCAP_MAGIC_NS;
    } else {
      this.fail(off, `not a classic pcap file (magic 0x${magicBE.toString(16).padStart(8, '0')})`);
      return false;
    }
    const snaplen = this.le ? buf.readUInt32LE(off + 16) : buf.readUInt32BE(off + 16);
    const network = this.le ? buf.readUInt32LE(off + 20) : buf.readUInt32BE(off + 20);
    // libpcap and tcpdump deliver records longer than a small header snaplen (zeek/malformed/trunc-hdr.pcap:
    // snaplen 1, caplen 8), so the limit is MAXIMUM_SNAPLEN whatever the header says (snaplen 0 included).
    this.snaplen = snaplen;
    // The upper bits of the link-type field carry FCS information, not the DLT (libpcap LT_LINKTYPE).
    this.rec.linkType = network & 0x03ffffff;
    this.rec.ifIndex = 0;
    this.headerDone = true;
    return true;
  }

  private fail(off: number, message: string): void {
    this.damage = { offset: off, message };
  }
}
