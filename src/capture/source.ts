import { openByteSource, type ByteSource } from './byte-source.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapParser } from './pcap.js';
import { PCAPNG_MAX_BLOCK, PCAPNG_SHB, PcapngParser } from './pcapng.js';
import type { ReadHandlers, ReadSummary, RecordParser } from './types.js';

export type { CaptureDamage, PacketRecord, ReadHandlers, ReadSummary } from './types.js';

/** Bytes asked for per read. The window is this plus room for one unit that straddles two reads. */
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

/**
 * Streams `src` through one reused window: read a chunk after the unparsed tail, parse whole units,
 * move the tail to the front with copyWithin. The window grows only when a single unit is larger than
 * the free space, and never past the parser's cap, so memory does not follow the file size.
 */
export async function readFrom(src: ByteSource, handlers: ReadHandlers, chunk: number): Promise<ReadSummary> {
  let buf = Buffer.allocUnsafe(chunk * 2);
  let have = 0;
  let off = 0;
  let base = 0;
  let eof = false;
  let parser: RecordParser | null = null;
  while (have < 4 && !eof) {
    const n = await src.read(buf, have, buf.length - have);
    if (n === 0) eof = true;
    have += n;
  }
  parser = sniff(buf, have, handlers);
  if (parser === null) {
    const magic = have >= 4 ? `0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}` : `${have} bytes`;
    return {
      format: 'pcap', packets: 0, bytes: 0,
      damage: { offset: 0, message: `not a pcap or pcapng capture (starts with ${magic})` },
    };
  }
  for (;;) {
    off = parser.parse(buf, off, have);
    if (parser.damage !== null) {
      parser.damage.offset += base;
      break;
    }
    if (eof) {
      if (off < have) {
        parser.damage = {
          offset: base + off,
          message: `capture truncated: ${parser.format === 'pcap' ? 'record' : 'block'} needs ${parser.need} bytes, only ${have - off} left`,
        };
      }
      break;
    }
    if (off > 0) {
      buf.copyWithin(0, off, have);
      have -= off;
      base += off;
      off = 0;
    }
    if (parser.need > buf.length - chunk && parser.need <= PCAPNG_MAX_BLOCK + 12) {
      const bigger = Buffer.allocUnsafe(parser.need + chunk);
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
    const n = await src.read(buf, have, Math.min(chunk, buf.length - have));
    if (n === 0) eof = true;
    have += n;
  }
  return { format: parser.format, packets: parser.packets, bytes: parser.bytes, damage: parser.damage };
}
