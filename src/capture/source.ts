import { openByteSource, type ByteSource } from './byte-source.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapParser } from './pcap.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng.js';
import type { ReadHandlers, ReadSummary, RecordParser } from './types.js';

export type { CaptureDamage, PacketRecord, ReadHandlers, ReadSummary } from './types.js';
export { packetBytes } from './types.js';

/** Bytes asked for per read. */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * Reads a whole capture (path or '-' for stdin), sniffing the format by magic; never throws for bad content
 * (damage is returned), rejects only for I/O errors such as ENOENT (error message names the file).
 */
export async function readCapture(path: string, handlers: ReadHandlers): Promise<ReadSummary> {
  const src = await openByteSource(path);
  try {
    return await readFrom(src, handlers, CHUNK_SIZE);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== undefined && !e.message.includes(path)) e.message = `reading capture ${path}: ${e.message}`;
    throw err;
  } finally {
    await src.close();
  }
}

function sniff(buf: Buffer, have: number, handlers: ReadHandlers): RecordParser | null {
  if (have < 4) return null;
  if (buf.readUInt32LE(0) === PCAPNG_SHB) return new PcapngParser(handlers);
  const m = buf.readUInt32LE(0);
  const b = buf.readUInt32BE(0);
  if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || b === PCAP_MAGIC_US || b === PCAP_MAGIC_NS) {
    return new PcapParser(handlers);
  }
  return null;
}

/** Room kept in front of each read for the unparsed tail of the previous one: one classic record fits. */
const INITIAL_RESERVE = 256 * 1024 + 64;

/**
 * Streams `src` through two alternating buffers: while one is parsed, the next chunk is read into the
 * other behind a reserved front area; the unparsed tail (less than one record or block) is copied into
 * that area and parsing continues there. Reading overlaps parsing and only tails are copied. The reserve
 * grows only when a single block is larger, and never past the pcapng block cap, so memory does not
 * follow the file size.
 */
export async function readFrom(src: ByteSource, handlers: ReadHandlers, chunk: number): Promise<ReadSummary> {
  let reserve = Math.min(INITIAL_RESERVE, chunk);
  let cur = Buffer.allocUnsafe(reserve + chunk);
  let other = Buffer.allocUnsafe(reserve + chunk);
  let off = reserve;
  let have = reserve;
  // File offset of cur[0].
  let base = -reserve;
  let eof = false;
  while (have - off < 4 && have < cur.length) {
    const n = await src.read(cur, have, cur.length - have);
    if (n === 0) {
      eof = true;
      break;
    }
    have += n;
  }
  const parser = sniff(cur.subarray(off, have), have - off, handlers);
  if (parser === null) {
    const got = have - off;
    const magic = got >= 4 ? `0x${cur.readUInt32BE(off).toString(16).padStart(8, '0')}` : `${got} bytes`;
    return {
      format: 'pcap', packets: 0, bytes: 0,
      damage: { offset: 0, message: `not a pcap or pcapng capture (starts with ${magic})` },
    };
  }
  let pending: Promise<number> | null = eof ? null : src.read(other, reserve, chunk);
  try {
    for (;;) {
      off = parser.parse(cur, off, have);
      if (parser.damage !== null) {
        parser.damage.offset += base;
        break;
      }
      const n = pending === null ? 0 : await pending;
      pending = null;
      const tail = have - off;
      if (n === 0) {
        if (tail > 0) {
          parser.damage = {
            offset: base + off,
            message: `capture truncated: ${parser.format === 'pcap' ? 'record' : 'block'} needs ${parser.need} bytes, only ${tail} left`,
          };
        }
        break;
      }
      if (tail > reserve) {
        // A block larger than the reserve: widen it (bounded: the parser rejects blocks over its cap first).
        const wider = Math.max(tail, parser.need);
        const next = Buffer.allocUnsafe(wider + chunk);
        other.copy(next, wider, reserve, reserve + n);
        other = next;
        reserve = wider;
      }
      cur.copy(other, reserve - tail, off, have);
      base += off - (reserve - tail);
      const spare = cur;
      cur = other;
      other = spare.length >= reserve + chunk ? spare : Buffer.allocUnsafe(reserve + chunk);
      off = reserve - tail;
      have = reserve + n;
      pending = src.read(other, reserve, chunk);
    }
  } finally {
    // Never leave a read running into a buffer after the source is closed.
    if (pending !== null) await pending.catch(() => 0);
  }
  return { format: parser.format, packets: parser.packets, bytes: parser.bytes, damage: parser.damage };
}
