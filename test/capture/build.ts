import type { ByteSource } from '../../src/capture/byte-source.js';

/** Hand-built capture bytes for tests, written from the pcap / pcapng specifications (not from our reader). */

export function u32(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return b;
}

export function u16(n: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

function pad4(b: Buffer): Buffer {
  const r = b.length % 4;
  return r === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - r)]);
}

/** A generic pcapng block: type, total length, body (padded), total length again. */
export function block(type: number, body: Buffer, le: boolean): Buffer {
  const b = pad4(body);
  const len = 12 + b.length;
  return Buffer.concat([u32(type, le), u32(len, le), b, u32(len, le)]);
}

export function option(code: number, value: Buffer, le: boolean): Buffer {
  return Buffer.concat([u16(code, le), u16(value.length, le), pad4(value)]);
}

export function endOfOptions(le: boolean): Buffer {
  return Buffer.concat([u16(0, le), u16(0, le)]);
}

export function shb(le: boolean): Buffer {
  const body = Buffer.concat([u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), Buffer.alloc(8, 0xff)]);
  return block(0x0a0d0d0a, body, le);
}

export function idb(le: boolean, linkType: number, snaplen: number, options: Buffer[] = []): Buffer {
  const opts = options.length ? Buffer.concat([...options, endOfOptions(le)]) : Buffer.alloc(0);
  return block(1, Buffer.concat([u16(linkType, le), u16(0, le), u32(snaplen, le), opts]), le);
}

export function epb(le: boolean, ifId: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(6, Buffer.concat([u32(ifId, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(origLen, le), pad4(data)]), le);
}

export function opb(le: boolean, ifId: number, ts: bigint, data: Buffer): Buffer {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(2, Buffer.concat([u16(ifId, le), u16(0, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(data.length, le), pad4(data)]), le);
}

export function spb(le: boolean, data: Buffer, origLen = data.length): Buffer {
  return block(3, Buffer.concat([u32(origLen, le), pad4(data)]), le);
}

export function dsb(le: boolean, type: number, secrets: Buffer): Buffer {
  return block(10, Buffer.concat([u32(type, le), u32(secrets.length, le), pad4(secrets)]), le);
}

/** Classic pcap file header (24 bytes). */
export function pcapHeader(le: boolean, nanos: boolean, snaplen: number, linkType: number): Buffer {
  return Buffer.concat([
    u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(snaplen, le), u32(linkType, le),
  ]);
}

export function pcapRecord(le: boolean, sec: number, frac: number, data: Buffer, caplen = data.length, origLen = data.length): Buffer {
  return Buffer.concat([u32(sec, le), u32(frac, le), u32(caplen, le), u32(origLen, le), data]);
}

/** Serves a buffer in pieces of the given sizes (cycled), like a pipe that returns short reads. */
/**
 * Capture bytes from memory. Sequential: each read returns the next `pieces[i]` bytes at most.
 * Parallel (`delays`): reads claim their range when asked, are full except at the end, and finish
 * after the given delays (ms, cycled) so that they complete out of order, as a thread pool may.
 */
export class BufferSource implements ByteSource {
  readonly parallel: boolean;
  private pos = 0;
  private i = 0;
  constructor(private readonly bytes: Buffer, private readonly pieces: number[] = [1 << 30], private readonly delays: number[] | null = null) {
    this.parallel = delays !== null;
  }
  async read(into: Buffer, at: number, max: number): Promise<number> {
    const want = this.parallel ? max : this.pieces[this.i % this.pieces.length]!;
    const n = Math.max(0, Math.min(max, want, this.bytes.length - this.pos));
    const from = this.pos;
    this.pos += this.parallel ? max : n;
    if (this.delays !== null) {
      const ms = this.delays[this.i % this.delays.length]!;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    this.i++;
    if (n > 0) this.bytes.copy(into, at, from, from + n);
    return n;
  }
  async close(): Promise<void> {}
}
