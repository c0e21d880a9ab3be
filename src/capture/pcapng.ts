import { readInterfaceTime, unitsToMicros, type InterfaceTime } from './pcapng-options.js';
import { newPacketRecord, type CaptureDamage, type ReadHandlers, type RecordParser } from './types.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const DSB = 10;

/** Largest block we accept: far above any real packet, small enough to bound memory. */
export const PCAPNG_MAX_BLOCK = 16 * 1024 * 1024;
/** Interfaces per section; a file claiming more is treated as damaged. */
const MAX_INTERFACES = 65536;

interface Iface extends InterfaceTime {
  linkType: number;
  snaplen: number;
}

/**
 * pcapng by hand (draft-ietf-opsawg-pcapng): sections in either byte order, one IDB per interface
 * with its own link type and time resolution, Enhanced / Simple / obsolete Packet Blocks, Decryption
 * Secrets Blocks handed out where they appear, every other block skipped by its checked length.
 */
export class PcapngParser implements RecordParser {
  readonly format = 'pcapng' as const;
  packets = 0;
  bytes = 0;
  need = 0;
  damage: CaptureDamage | null = null;

  private le = true;
  private inSection = false;
  private ifaces: Iface[] = [];
  private readonly rec = newPacketRecord();

  constructor(private readonly handlers: ReadHandlers) {}

  parse(buf: Buffer, start: number, end: number): number {
    let off = start;
    for (;;) {
      if (end - off < 12) {
        this.need = 12;
        return off;
      }
      const typeLE = buf.readUInt32LE(off);
      if (typeLE === PCAPNG_SHB) {
        // The byte-order magic decides how this block's own length is read.
        const bom = buf.readUInt32LE(off + 8);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else return this.fail(off, `section header with unknown byte-order magic 0x${bom.toString(16)}`);
      } else if (!this.inSection) {
        return this.fail(off, 'pcapng data before the first section header');
      }
      const le = this.le;
      const type = le ? typeLE : buf.readUInt32BE(off);
      const blen = le ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
      if (blen < 12 || blen % 4 !== 0 || blen > PCAPNG_MAX_BLOCK) {
        return this.fail(off, `block type 0x${type.toString(16)} has impossible length ${blen}`);
      }
      if (end - off < blen) {
        this.need = blen;
        return off;
      }
      const trail = le ? buf.readUInt32LE(off + blen - 4) : buf.readUInt32BE(off + blen - 4);
      if (trail !== blen) {
        return this.fail(off, `block type 0x${type.toString(16)} length ${blen} does not match trailing length ${trail}`);
      }
      const body = off + 8;
      const bodyEnd = off + blen - 4;
      let ok = true;
      switch (type) {
        case PCAPNG_SHB:
          ok = this.sectionHeader(off, bodyEnd - body);
          break;
        case IDB:
          ok = this.interfaceBlock(buf, off, body, bodyEnd);
          break;
        case EPB:
          ok = this.enhancedPacket(buf, off, body, bodyEnd);
          break;
        case SPB:
          ok = this.simplePacket(buf, off, body, bodyEnd);
          break;
        case OPB:
          ok = this.obsoletePacket(buf, off, body, bodyEnd);
          break;
        case DSB:
          ok = this.secretsBlock(buf, off, body, bodyEnd);
          break;
        default:
          break;
      }
      if (!ok) return off;
      off += blen;
    }
  }

  private sectionHeader(off: number, bodyLen: number): boolean {
    // BOM (4) + version (4) + section length (8)
    if (bodyLen < 16) return this.failed(off, `section header too short (${bodyLen} body bytes)`);
    this.inSection = true;
    this.ifaces = [];
    return true;
  }

  private interfaceBlock(buf: Buffer, off: number, body: number, bodyEnd: number): boolean {
    if (bodyEnd - body < 8) return this.failed(off, 'interface description block too short');
    if (this.ifaces.length >= MAX_INTERFACES) return this.failed(off, `more than ${MAX_INTERFACES} interfaces in one section`);
    const le = this.le;
    const iface: Iface = {
      linkType: le ? buf.readUInt16LE(body) : buf.readUInt16BE(body),
      snaplen: le ? buf.readUInt32LE(body + 4) : buf.readUInt32BE(body + 4),
      unitsPerSec: 1e6,
      microsPerUnit: 1,
      offsetMicros: 0,
    };
    readInterfaceTime(buf, body + 8, bodyEnd, le, iface);
    this.ifaces.push(iface);
    return true;
  }

  private enhancedPacket(buf: Buffer, off: number, body: number, bodyEnd: number): boolean {
    return this.timedPacket(buf, off, body, bodyEnd, false, 'enhanced packet block too short');
  }

  /** The obsolete Packet Block has the EPB's layout but a 16-bit interface id (and a drops count after it). */
  private obsoletePacket(buf: Buffer, off: number, body: number, bodyEnd: number): boolean {
    return this.timedPacket(buf, off, body, bodyEnd, true, 'packet block too short');
  }

  private timedPacket(buf: Buffer, off: number, body: number, bodyEnd: number, shortIf: boolean, tooShort: string): boolean {
    if (bodyEnd - body < 20) return this.failed(off, tooShort);
    const le = this.le;
    const ifIndex = shortIf ? (le ? buf.readUInt16LE(body) : buf.readUInt16BE(body)) : le ? buf.readUInt32LE(body) : buf.readUInt32BE(body);
    const hi = le ? buf.readUInt32LE(body + 4) : buf.readUInt32BE(body + 4);
    const lo = le ? buf.readUInt32LE(body + 8) : buf.readUInt32BE(body + 8);
    const caplen = le ? buf.readUInt32LE(body + 12) : buf.readUInt32BE(body + 12);
    const origLen = le ? buf.readUInt32LE(body + 16) : buf.readUInt32BE(body + 16);
    if (caplen > bodyEnd - body - 20) return this.failed(off, `packet length ${caplen} exceeds its block`);
    return this.deliver(off, ifIndex, hi, lo, caplen, origLen, buf, body + 20);
  }

  private simplePacket(buf: Buffer, off: number, body: number, bodyEnd: number): boolean {
    if (bodyEnd - body < 4) return this.failed(off, 'simple packet block too short');
    if (this.ifaces.length === 0) return this.failed(off, 'simple packet block without an interface');
    const origLen = this.le ? buf.readUInt32LE(body) : buf.readUInt32BE(body);
    const snap = this.ifaces[0]!.snaplen;
    // SPB has no caplen: the packet is the smaller of its original length, the snaplen and the block.
    let caplen = Math.min(origLen, bodyEnd - body - 4);
    if (snap !== 0 && snap < caplen) caplen = snap;
    // SPB carries no timestamp.
    return this.deliver(off, 0, 0, 0, caplen, origLen, buf, body + 4, true);
  }

  private deliver(
    off: number, ifIndex: number, hi: number, lo: number, caplen: number, origLen: number,
    buf: Buffer, data: number, noTime = false,
  ): boolean {
    const iface = this.ifaces[ifIndex];
    if (iface === undefined) return this.failed(off, `packet on undeclared interface ${ifIndex}`);
    const rec = this.rec;
    rec.tsMicros = noTime ? 0 : unitsToMicros(hi, lo, iface);
    rec.ifIndex = ifIndex;
    rec.linkType = iface.linkType;
    rec.caplen = caplen;
    rec.origLen = origLen;
    rec.data = buf;
    rec.offset = data;
    this.packets++;
    this.bytes += caplen;
    this.handlers.packet(rec);
    return true;
  }

  private secretsBlock(buf: Buffer, off: number, body: number, bodyEnd: number): boolean {
    if (bodyEnd - body < 8) return this.failed(off, 'decryption secrets block too short');
    const le = this.le;
    const secretsType = le ? buf.readUInt32LE(body) : buf.readUInt32BE(body);
    const len = le ? buf.readUInt32LE(body + 4) : buf.readUInt32BE(body + 4);
    if (len > bodyEnd - body - 8) return this.failed(off, `secrets length ${len} exceeds its block`);
    if (this.handlers.secrets) this.handlers.secrets(secretsType, Buffer.from(buf.subarray(body + 8, body + 8 + len)));
    return true;
  }

  private fail(off: number, message: string): number {
    this.damage = { offset: off, message };
    return off;
  }

  private failed(off: number, message: string): boolean {
    this.damage = { offset: off, message };
    return false;
  }
}
