import type { PacketRecord } from '../capture/source.js';
import { readCapture } from '../capture/source.js';
import { FlowPeek, NO_PEEK } from '../flows/peek.js';
import { DEFAULT_LIMITS, type Pipeline } from '../pipeline/analyze.js';

/** Doubles per entry of a batch's table: kind, number, time, caplen, origLen, link type, interface, packet time, counted, offset. */
export const ENTRY = 10;
export const KIND_PACKET = 0;
export const KIND_SWEEP = 1;
const BATCH_BYTES = 1 << 20;
const BATCH_ENTRIES = 4096;
/** Bytes handed to one shard and not yet processed, beyond which the reader waits. */
const IN_FLIGHT = 24 << 20;

/** Reader -> shard messages, in capture order. */
export type HandoffMessage =
  | { t: 'p'; meta: Float64Array; bytes: Uint8Array; n: number; upTo: number }
  | { t: 's'; type: number; data: Uint8Array }
  | { t: 'end'; total: number };

export interface HandoffPort {
  postMessage(m: HandoffMessage, transfer?: ArrayBuffer[]): void;
}

class Batch {
  n = 0;
  used = 0;

  constructor(
    public meta: Float64Array = new Float64Array(BATCH_ENTRIES * ENTRY),
    public bytes: Uint8Array = new Uint8Array(BATCH_BYTES),
  ) {}

  fits(caplen: number): boolean {
    return this.n < BATCH_ENTRIES && this.used + caplen <= this.bytes.length;
  }
}

/**
 * One reader for every shard (standard input, or a file read once): each packet is routed by its
 * peeked flow hash and copied into that shard's batch, which is handed over whole (transferred,
 * not copied again); a packet only the full decode can place goes to every shard. Expiry points
 * (every `expireEveryPackets`) go to every shard with the packet time known then, so each shard
 * ages its flows exactly as one pipeline would.
 */
export class HandoffReader {
  private readonly peek = new FlowPeek();
  private readonly batches: Batch[];
  private readonly inFlight: number[];
  private index = 0;
  /** Latest time of a packet that decodes (every peekable one does); shards add what they decode of the rest. */
  private now = 0;
  private waiters: (() => void)[] = [];

  /** Live: packets dropped because their shard was this far behind (a capture cannot wait). */
  dropped = 0;

  constructor(private readonly ports: HandoffPort[], private readonly liveLimit: number | null = null) {
    this.batches = ports.map(() => new Batch());
    this.inFlight = ports.map(() => 0);
  }

  /** Batches the shards handed back, to be filled again (the memory stays what is in flight). */
  private readonly free: { meta: Float64Array; bytes: Uint8Array }[] = [];

  /** A shard finished a batch of `bytes` and handed its buffers back. */
  processed(shard: number, bytes: number, meta?: Float64Array, data?: Uint8Array): void {
    if (meta && data && data.length === BATCH_BYTES && this.free.length < 4 * this.ports.length) this.free.push({ meta, bytes: data });
    this.inFlight[shard]! -= bytes;
    if (this.inFlight.every((b) => b < IN_FLIGHT)) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  async read(files: string[]): Promise<{ file: string; offset: number; message: string } | null> {
    let damage: { file: string; offset: number; message: string } | null = null;
    const handlers = {
      packet: (rec: PacketRecord) => this.route(rec),
      secrets: (type: number, data: Buffer) => {
        this.flushAll();
        for (const p of this.ports) p.postMessage({ t: 's', type, data: new Uint8Array(data) });
      },
      drain: () => this.drain(),
    };
    for (const file of files) {
      const summary = await readCapture(file, handlers);
      if (summary.damage !== null && damage === null) damage = { file, offset: summary.damage.offset, message: summary.damage.message };
    }
    this.end();
    return damage;
  }

  /** Packets routed so far (the capture's packet number of the last one). */
  get total(): number {
    return this.index;
  }

  route(rec: PacketRecord): void {
    const h = this.peek.hash(rec);
    const count = this.ports.length;
    if (this.liveLimit !== null) {
      const limit = this.liveLimit;
      const behind = h === NO_PEEK ? this.inFlight.some((b) => b > limit) : this.inFlight[(h & 0x7fffffff) % count]! > limit;
      if (behind) {
        this.dropped++;
        return;
      }
    }
    const index = ++this.index;
    if (h === NO_PEEK) {
      for (let s = 0; s < count; s++) this.put(s, rec, index, s === 0);
    } else {
      this.put((h & 0x7fffffff) % count, rec, index, true);
      if (rec.tsMicros > this.now) this.now = rec.tsMicros;
    }
    if (index % DEFAULT_LIMITS.expireEveryPackets === 0) {
      for (let s = 0; s < count; s++) this.sweep(s, index, rec.tsMicros);
    }
  }

  private room(s: number, caplen: number): Batch {
    let b = this.batches[s]!;
    if (!b.fits(caplen)) {
      this.flush(s);
      b = this.batches[s]!;
      // A packet larger than a batch gets a batch of its own size.
      if (caplen > b.bytes.length) b.bytes = new Uint8Array(caplen);
    }
    return b;
  }

  private put(s: number, rec: PacketRecord, index: number, counted: boolean): void {
    const b = this.room(s, rec.caplen);
    const m = b.meta;
    const e = b.n * ENTRY;
    m[e] = KIND_PACKET;
    m[e + 1] = index;
    m[e + 2] = rec.tsMicros;
    m[e + 3] = rec.caplen;
    m[e + 4] = rec.origLen;
    m[e + 5] = rec.linkType;
    m[e + 6] = rec.ifIndex;
    m[e + 7] = this.now;
    m[e + 8] = counted ? 1 : 0;
    m[e + 9] = b.used;
    b.bytes.set(rec.data.subarray(rec.offset, rec.offset + rec.caplen), b.used);
    b.used += rec.caplen;
    b.n++;
  }

  private sweep(s: number, index: number, tsMicros: number): void {
    const b = this.room(s, 0);
    const e = b.n * ENTRY;
    b.meta[e] = KIND_SWEEP;
    b.meta[e + 1] = index;
    b.meta[e + 2] = tsMicros;
    b.meta[e + 7] = this.now;
    b.n++;
  }

  private flush(s: number): void {
    const b = this.batches[s]!;
    this.inFlight[s]! += b.bytes.byteLength + b.n * ENTRY * 8;
    this.ports[s]!.postMessage({ t: 'p', meta: b.meta, bytes: b.bytes, n: b.n, upTo: this.index }, [b.meta.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer]);
    const again = this.free.pop();
    this.batches[s] = again ? new Batch(again.meta, again.bytes) : new Batch();
  }

  /** Every shard gets what it has, empty or not: its watermark moves on with the reader. Live: only what holds packets. */
  flushAll(): void {
    for (let s = 0; s < this.ports.length; s++) if (this.liveLimit === null || this.batches[s]!.n > 0) this.flush(s);
  }

  /** The end of the input: whatever is left, then `end` to every shard. */
  end(): void {
    this.flushAll();
    for (const p of this.ports) p.postMessage({ t: 'end', total: this.index });
  }

  private drain(): Promise<void> {
    this.flushAll();
    if (this.inFlight.every((b) => b < IN_FLIGHT)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * A shard's side of one batch: each entry through `p` (a packet at its capture number, or an
 * expiry point). `rec` is the shard's one reused record; it points into the batch only meanwhile.
 */
export function feedBatch(p: Pipeline, m: Extract<HandoffMessage, { t: 'p' }>, rec: PacketRecord): void {
  const meta = m.meta;
  rec.data = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  for (let i = 0; i < m.n; i++) {
    const e = i * ENTRY;
    if (meta[e] === KIND_SWEEP) {
      p.sweepAt(meta[e + 1]!, meta[e + 2]!, meta[e + 7]!);
      continue;
    }
    rec.tsMicros = meta[e + 2]!;
    rec.caplen = meta[e + 3]!;
    rec.origLen = meta[e + 4]!;
    rec.linkType = meta[e + 5]!;
    rec.ifIndex = meta[e + 6]!;
    rec.offset = meta[e + 9]!;
    p.routed(rec, meta[e + 1]!, meta[e + 7]!, meta[e + 8] === 1);
  }
  rec.data = EMPTY;
}

/** What a batch held, as the reader counts it in flight. */
export function batchBytes(m: Extract<HandoffMessage, { t: 'p' }>): number {
  return m.bytes.byteLength + m.n * ENTRY * 8;
}

const EMPTY = Buffer.alloc(0);
