/**
 * One direction of a TCP connection turned into in-order bytes.
 *
 * Overlap policy: FIRST WINS. Bytes already delivered, or already buffered out of order, are
 * never replaced by a later segment covering the same sequence range; a later segment only fills
 * holes. This is what most OS stacks and Zeek do. When the later copy differs from the earlier
 * one, `overlapConflicts` counts it: a receiver with another policy may have seen other bytes
 * (an IDS-evasion signal). Already-delivered bytes are compared against a short history window
 * (`historyBytes`, the most recent bytes of the stream); older retransmissions are dropped unchecked.
 * The owner calls `quiet()` once nobody interprets the bytes any more (the dissector is done):
 * from then on in-order bytes are only counted, not handed to the sink nor copied into the
 * history (copying every byte of bulk data cost more than the rest of reassembly together, and a
 * rewrite of bytes no parser reads cannot change any fact). Gaps and the end are still reported,
 * and overlaps with out-of-order data held are still compared.
 * A one-byte segment just below the next expected byte is a keep-alive probe (its byte is arbitrary)
 * and is not compared.
 *
 * Gaps: bytes that will never be seen are reported with `gap(side, len)` before the data that
 * follows them: when the peer acknowledges past a hole (the capture lost the segment), when the
 * connection or global budget cannot hold more out-of-order data (skip ahead), and when the
 * stream is flushed at its end with holes left. A direction picked up without its SYN starts
 * with `gap(side, 0)`: an unknown amount is missing before the first byte seen.
 *
 * Sequence numbers are compared mod 2^32 (seq.ts). Segments further than `MAX_WINDOW` ahead are
 * dropped and counted: no real window is that large, so they are garbage or a reused port.
 */
import type { Direction, EndReason, StreamSink } from '../core/stream.js';
import type { ConnBudget } from './budget.js';
import { seqAdd, seqDiff, seqNorm } from './seq.js';

const MAX_WINDOW = 1 << 30;
/** Out-of-order pieces held per direction; beyond this the stream skips ahead as if over budget. */
const MAX_PIECES = 512;

/**
 * History buffers of streams that went quiet or ended, for new streams to reuse: every stream
 * needs one while it is read, and allocating it each time kept the allocator and the GC busy.
 */
const spareHistory: Buffer[] = [];
const MAX_SPARE_HISTORY = 1024;

function takeHistory(size: number): Buffer {
  const b = spareHistory.pop();
  return b !== undefined && b.length === size ? b : Buffer.allocUnsafe(size);
}

function giveHistory(b: Buffer | null): void {
  if (b !== null && spareHistory.length < MAX_SPARE_HISTORY) spareHistory.push(b);
}

interface Piece {
  seq: number;
  data: Buffer;
}

export class TcpStream {
  /** Next sequence number to deliver; meaningful once `started`. */
  next = 0;
  started = false;
  /** The SYN of this direction was seen (ISN known). */
  synSeen = false;
  isn = 0;
  ended = false;
  /** Bytes delivered in order. */
  delivered = 0;
  /** Bytes reported as gaps. */
  missing = 0;
  gaps = 0;
  overlapConflicts = 0;
  /** Segments beyond the window or after the FIN, dropped. */
  dropped = 0;
  private hasFin = false;
  private finSeq = 0;
  private pieces: Piece[] = [];
  private buffered = 0;
  private history: Buffer | null = null;
  private histLen = 0;
  private keepHistory: boolean;
  private quietData = false;
  /** In-order bytes still to count without delivering (`passOver`). */
  private skipLeft = 0;

  constructor(
    private readonly side: Direction,
    private readonly sink: StreamSink,
    private readonly budget: ConnBudget,
    private readonly historyBytes: number,
  ) {
    this.keepHistory = historyBytes > 0;
  }

  /** The SYN: data starts at ISN + 1. A repeated SYN with the same ISN changes nothing. */
  syn(isn: number): void {
    if (this.started) return;
    isn = seqNorm(isn);
    this.synSeen = true;
    this.isn = isn;
    this.started = true;
    this.next = seqAdd(isn, 1);
  }

  /** One segment's payload `buf[off, off+len)` at `seq`; `fin` when the segment carries FIN. */
  segment(seq: number, buf: Buffer, off: number, len: number, fin: boolean, ts: number): void {
    if (this.ended) {
      if (len > 0) this.dropped++;
      return;
    }
    seq = seqNorm(seq);
    if (!this.started) {
      this.started = true;
      this.next = seq;
      if (len > 0 || fin) this.sink.gap(this.side, 0, ts);
    }
    if (fin && !this.hasFin) {
      this.hasFin = true;
      this.finSeq = seqAdd(seq, len);
    }
    if (len > 0) this.payload(seq, buf, off, len, ts);
    if (this.hasFin && this.next === this.finSeq && !this.ended) this.end('fin', ts);
  }

  /** The other direction acknowledged `ack`: a hole below it was lost by the capture. */
  acked(ack: number, ts: number): void {
    if (this.ended || this.buffered === 0) return;
    ack = seqNorm(ack);
    while (this.pieces.length > 0 && seqDiff(this.pieces[0]!.seq, ack) <= 0 && seqDiff(ack, this.next) > 0) {
      this.skipTo(this.pieces[0]!.seq, ts);
      this.drain(ts);
    }
  }

  /** Delivers everything held, holes as gaps, then ends the direction. */
  finish(reason: EndReason, ts: number): void {
    if (this.ended) return;
    while (this.pieces.length > 0) {
      this.skipTo(this.pieces[0]!.seq, ts);
      this.drain(ts);
    }
    if (this.hasFin && this.started && seqDiff(this.finSeq, this.next) > 0) {
      this.skipTo(this.finSeq, ts);
    }
    this.end(reason, ts);
  }

  /** Nobody reads the bytes any more: count them only, drop the history. */
  quiet(): void {
    this.keepHistory = false;
    this.quietData = true;
    giveHistory(this.history);
    this.history = null;
    this.histLen = 0;
  }

  /**
   * The reader will not look at the next `n` in-order bytes (a body it steps over): count them,
   * neither deliver nor keep them; holes among them are counted as gaps but not reported.
   */
  passOver(n: number): void {
    this.skipLeft += n;
  }

  /** Bytes currently held out of order. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private payload(seq: number, buf: Buffer, off: number, len: number, ts: number): void {
    let rel = seqDiff(seq, this.next);
    // A keep-alive probe repeats one arbitrary byte just below `next` (RFC 9293 3.8.4): not a conflict.
    if (rel === -1 && len === 1) return;
    if (rel < 0) {
      const old = -rel < len ? -rel : len;
      this.checkHistory(seq, buf, off, old);
      off += old;
      len -= old;
      if (len === 0) return;
      seq = this.next;
      rel = 0;
    }
    if (this.hasFin && seqDiff(seqAdd(seq, len), this.finSeq) > 0) {
      const keep = seqDiff(this.finSeq, seq);
      if (keep <= 0) {
        this.dropped++;
        return;
      }
      len = keep;
    }
    if (rel > MAX_WINDOW) {
      this.dropped++;
      return;
    }
    if (rel === 0 && (this.buffered === 0 || seqDiff(this.pieces[0]!.seq, seq) >= len)) {
      this.deliver(buf, off, off + len, ts);
      if (this.buffered !== 0) this.drain(ts);
      return;
    }
    this.insert(rel, buf, off, len, ts);
    this.drain(ts);
  }

  /**
   * First wins: only the parts of the new segment that fall into holes are kept. When they do not
   * fit the budget, the stream skips ahead to the earliest byte it holds and reports the skipped
   * bytes as a gap, until they fit or become in-order.
   */
  private insert(rel: number, buf: Buffer, off: number, len: number, ts: number): void {
    // Holes of the held list covered by the new segment, as [start, end) offsets from `next`.
    const holes: number[] = [];
    let pos = rel;
    const end = rel + len;
    for (const p of this.pieces) {
      const ps = seqDiff(p.seq, this.next);
      const pe = ps + p.data.length;
      if (ps >= end) break;
      if (pe <= pos) continue;
      if (ps > pos) holes.push(pos, ps);
      const a = ps > pos ? ps : pos;
      const b = pe < end ? pe : end;
      if (buf.compare(p.data, a - ps, b - ps, off + a - rel, off + b - rel) !== 0) this.overlapConflicts++;
      pos = b;
    }
    if (pos < end) holes.push(pos, end);
    // Absolute sequence numbers: `next` moves while we make room.
    const base = this.next;
    let h = 0;
    while (h < holes.length && !this.ended) {
      const hs = seqAdd(base, holes[h]!);
      const from = off + holes[h]! - rel;
      const to = off + holes[h + 1]! - rel;
      if (seqDiff(hs, this.next) === 0) {
        this.deliver(buf, from, to, ts);
        this.drain(ts);
        h += 2;
        continue;
      }
      let need = 0;
      for (let k = h; k < holes.length; k += 2) need += holes[k + 1]! - holes[k]!;
      const count = this.pieces.length + (holes.length - h) / 2;
      if (count <= MAX_PIECES && this.budget.take(need)) {
        for (; h < holes.length; h += 2) {
          const data = Buffer.allocUnsafe(holes[h + 1]! - holes[h]!);
          buf.copy(data, 0, off + holes[h]! - rel, off + holes[h + 1]! - rel);
          this.pieces.push({ seq: seqAdd(base, holes[h]!), data });
        }
        this.buffered += need;
        this.pieces.sort((x, y) => seqDiff(x.seq, y.seq));
        return;
      }
      if (count > MAX_PIECES) this.budget.exhausted++;
      const held = this.pieces.length > 0 ? this.pieces[0]!.seq : hs;
      this.skipTo(seqDiff(held, hs) < 0 ? held : hs, ts);
      this.drain(ts);
    }
  }

  /** Delivers held pieces that have become contiguous. */
  private drain(ts: number): void {
    while (this.pieces.length > 0 && !this.ended) {
      const p = this.pieces[0]!;
      const rel = seqDiff(p.seq, this.next);
      if (rel > 0) break;
      this.pieces.shift();
      this.buffered -= p.data.length;
      this.budget.give(p.data.length);
      const skip = -rel;
      if (skip < p.data.length) this.deliver(p.data, skip, p.data.length, ts);
    }
    if (this.hasFin && this.next === this.finSeq && !this.ended) this.end('fin', ts);
  }

  private skipTo(seq: number, ts: number): void {
    const n = seqDiff(seq, this.next);
    if (n <= 0) return;
    this.missing += n;
    this.gaps++;
    this.next = seq;
    this.histLen = 0;
    if (this.skipLeft > 0) {
      const s = n < this.skipLeft ? n : this.skipLeft;
      this.skipLeft -= s;
      if (s === n) return;
      this.sink.gap(this.side, n - s, ts);
      return;
    }
    this.sink.gap(this.side, n, ts);
  }

  /** Delivers `buf[from, to)`, the next bytes of the stream. */
  private deliver(buf: Buffer, from: number, to: number, ts: number): void {
    if (this.skipLeft > 0) {
      const s = to - from < this.skipLeft ? to - from : this.skipLeft;
      this.skipLeft -= s;
      this.next = seqAdd(this.next, s);
      this.delivered += s;
      // The history ring no longer holds the bytes just before `next`.
      this.histLen = 0;
      from += s;
      if (from === to) return;
    }
    const len = to - from;
    if (this.quietData) {
      this.next = seqAdd(this.next, len);
      this.delivered += len;
      return;
    }
    const chunk = from === 0 && to === buf.length ? buf : buf.subarray(from, to);
    if (this.keepHistory) this.remember(chunk);
    this.next = seqAdd(this.next, len);
    this.delivered += len;
    this.sink.data(this.side, chunk, ts);
  }

  /** Keeps the last `historyBytes` delivered bytes; byte at sequence s lives at s & mask. */
  private remember(chunk: Buffer): void {
    const size = this.historyBytes;
    const h = this.history ?? (this.history = takeHistory(size));
    const mask = size - 1;
    let src = 0;
    let n = chunk.length;
    if (n > size) {
      src = n - size;
      n = size;
    }
    let at = seqAdd(this.next, src) & mask;
    if (src === 0 && at + n <= size) {
      // The usual case, one run: TypedArray#set is a memcpy without Buffer#copy's argument checks.
      h.set(chunk, at);
      n = 0;
    }
    while (n > 0) {
      const run = size - at < n ? size - at : n;
      chunk.copy(h, at, src, src + run);
      src += run;
      n -= run;
      at = 0;
    }
    this.histLen = this.histLen + chunk.length > size ? size : this.histLen + chunk.length;
  }

  /** A retransmission of delivered bytes: compare what the history still holds. */
  private checkHistory(seq: number, buf: Buffer, off: number, len: number): void {
    const h = this.history;
    if (h === null || this.histLen === 0) return;
    const oldest = seqAdd(this.next, -this.histLen);
    let skip = seqDiff(oldest, seq);
    if (skip < 0) skip = 0;
    if (skip >= len) return;
    const mask = this.historyBytes - 1;
    let s = seqAdd(seq, skip);
    let i = off + skip;
    const end = off + len;
    while (i < end) {
      const at = s & mask;
      const run = this.historyBytes - at < end - i ? this.historyBytes - at : end - i;
      if (buf.compare(h, at, at + run, i, i + run) !== 0) {
        this.overlapConflicts++;
        return;
      }
      i += run;
      s = seqAdd(s, run);
    }
  }

  private end(reason: EndReason, ts: number): void {
    this.ended = true;
    for (const p of this.pieces) this.budget.give(p.data.length);
    this.pieces = [];
    this.buffered = 0;
    giveHistory(this.history);
    this.history = null;
    this.sink.end(this.side, reason, ts);
  }
}
