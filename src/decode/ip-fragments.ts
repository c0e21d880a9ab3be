/**
 * Bounded IP fragment reassembly (IPv4 and IPv6). Pieces are copied; a datagram completes when its last
 * piece is known and the pieces cover it without holes. Caps: bytes per datagram, pieces per datagram,
 * pending datagrams, bytes overall; a timeout on packet time. Whatever a cap throws away is counted.
 */

export const FRAG_MAX_DATAGRAM = 65535;
export const FRAG_MAX_PIECES = 256;
export const FRAG_MAX_PENDING = 1024;
export const FRAG_MAX_BYTES = 8 * 1024 * 1024;
export const FRAG_TIMEOUT_MICROS = 30e6;

interface Piece {
  offset: number;
  data: Buffer;
}

interface Pending {
  firstTs: number;
  /** Total payload length once the last piece (no more-fragments flag) arrived, else -1. */
  total: number;
  proto: number;
  bytes: number;
  pieces: Piece[];
}

export interface FragmentLimits {
  maxDatagram: number;
  maxPieces: number;
  maxPending: number;
  maxBytes: number;
  timeoutMicros: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxDatagram: FRAG_MAX_DATAGRAM,
  maxPieces: FRAG_MAX_PIECES,
  maxPending: FRAG_MAX_PENDING,
  maxBytes: FRAG_MAX_BYTES,
  timeoutMicros: FRAG_TIMEOUT_MICROS,
};

export class FragmentReassembler {
  /** Datagrams or pieces discarded: timeout, caps, inconsistent pieces. */
  drops = 0;
  /** Protocol of the last datagram returned by `add`. */
  proto = 0;
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  get pendingBytes(): number {
    return this.bytes;
  }

  get pendingDatagrams(): number {
    return this.pending.size;
  }

  /**
   * Adds one piece (`data[start, end)` at byte `offset` of the datagram payload). Returns the whole
   * payload when this piece completes the datagram, else null.
   */
  add(key: string, ts: number, proto: number, offset: number, more: boolean, data: Buffer, start: number, end: number): Buffer | null {
    this.expire(ts);
    const len = end - start;
    const lim = this.limits;
    let p = this.pending.get(key);
    if (offset + len > lim.maxDatagram || (more && (len === 0 || len % 8 !== 0))) {
      this.drops++;
      if (p !== undefined) this.discard(key, p);
      return null;
    }
    if (p === undefined) {
      if (this.pending.size >= lim.maxPending) this.evictOldest();
      p = { firstTs: ts, total: -1, proto, bytes: 0, pieces: [] };
      this.pending.set(key, p);
    }
    const end2 = offset + len;
    if (p.pieces.length >= lim.maxPieces || (p.total >= 0 && end2 > p.total) || (!more && p.total >= 0 && end2 !== p.total)) {
      this.drops++;
      this.discard(key, p);
      return null;
    }
    if (!more) {
      for (const q of p.pieces) {
        if (q.offset + q.data.length > end2) {
          this.drops++;
          this.discard(key, p);
          return null;
        }
      }
      p.total = end2;
    }
    if (offset === 0) p.proto = proto;
    p.pieces.push({ offset, data: Buffer.from(data.subarray(start, end)) });
    p.bytes += len;
    this.bytes += len;
    while (this.bytes > lim.maxBytes && this.pending.size > 0) this.evictOldest();
    if (!this.pending.has(key) || p.total < 0) return null;
    return this.complete(key, p);
  }

  private complete(key: string, p: Pending): Buffer | null {
    const sorted = p.pieces.slice().sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const q of sorted) {
      if (q.offset > covered) return null;
      covered = Math.max(covered, q.offset + q.data.length);
    }
    if (covered < p.total) return null;
    const out = Buffer.allocUnsafe(p.total);
    // Arrival order: a later overlapping piece overwrites an earlier one.
    for (const q of p.pieces) q.data.copy(out, q.offset);
    this.proto = p.proto;
    this.discard(key, p);
    return out;
  }

  private expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.firstTs < this.limits.timeoutMicros) break;
      this.drops++;
      this.discard(key, p);
    }
  }

  private evictOldest(): void {
    for (const [key, p] of this.pending) {
      this.drops++;
      this.discard(key, p);
      return;
    }
  }

  private discard(key: string, p: Pending): void {
    this.bytes -= p.bytes;
    this.pending.delete(key);
  }
}
