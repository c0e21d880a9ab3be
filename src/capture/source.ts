import { setImmediate as yieldLoop } from 'node:timers/promises';
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

/** A read asked for: its bytes land at `buf[at, at + n)`. */
interface Pending {
  buf: Buffer;
  at: number;
  read: Promise<number>;
}

/**
 * Streams `src` through a few buffers: while one is parsed, the next chunks are read into others
 * behind a reserved front area (two reads in flight when the source allows it, so the thread pool
 * keeps a chunk ahead of the parser); the unparsed tail of a buffer (less than one record or block)
 * is copied in front of the next chunk and parsing continues there. Only tails are copied. The
 * reserve grows only when a single block is larger, and never past the pcapng block cap, so memory
 * does not follow the file size. A parallel source's short read is its end: reads already in flight
 * past it are dropped, so a file that grows meanwhile cannot leave a hole.
 */
export async function readFrom(src: ByteSource, handlers: ReadHandlers, chunk: number): Promise<ReadSummary> {
  let reserve = Math.min(INITIAL_RESERVE, chunk);
  let cur: Buffer = Buffer.allocUnsafe(reserve + chunk);
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
  const queue: Pending[] = [];
  const ask = (buf: Buffer): void => {
    queue.push({ buf, at: reserve, read: src.read(buf, reserve, chunk) });
  };
  if (!eof) {
    ask(Buffer.allocUnsafe(reserve + chunk));
    if (src.parallel) ask(Buffer.allocUnsafe(reserve + chunk));
  }
  try {
    for (;;) {
      off = parser.parse(cur, off, have);
      if (parser.damage !== null) {
        parser.damage.offset += base;
        break;
      }
      // A turn of the event loop per chunk: reads are often done before the parser asks, and awaiting a
      // settled promise never leaves the microtask queue, which would starve output flushes and timers.
      await yieldLoop();
      if (handlers.drain) await handlers.drain();
      const next = queue.shift();
      let n = 0;
      if (next !== undefined) {
        const got = await next.read;
        if (!eof) n = got;
      }
      const tail = have - off;
      if (n === 0 || next === undefined) {
        if (tail > 0) {
          parser.damage = {
            offset: base + off,
            message: `capture truncated: ${parser.format === 'pcap' ? 'record' : 'block'} needs ${parser.need} bytes, only ${tail} left`,
          };
        }
        break;
      }
      if (src.parallel && n < chunk) eof = true;
      let buf = next.buf;
      let start = next.at - tail;
      if (start < 0) {
        // A block larger than the reserve: widen it (bounded: the parser rejects blocks over its cap first).
        reserve = Math.max(tail, parser.need);
        const wider = Buffer.allocUnsafe(reserve + chunk);
        buf.copy(wider, reserve, next.at, next.at + n);
        buf = wider;
        start = reserve - tail;
      }
      cur.copy(buf, start, off, have);
      base += off - start;
      const spare = cur;
      cur = buf;
      have = start + tail + n;
      off = start;
      if (!eof) ask(spare.length >= reserve + chunk ? spare : Buffer.allocUnsafe(reserve + chunk));
    }
  } finally {
    // Never leave a read running into a buffer after the source is closed.
    for (const p of queue) await p.read.catch(() => 0);
  }
  return { format: parser.format, packets: parser.packets, bytes: parser.bytes, damage: parser.damage };
}
