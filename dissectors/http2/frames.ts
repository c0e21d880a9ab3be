/*
 * HTTP/2 framing (RFC 9113 4.1) for one direction of a connection. DATA payloads are skipped by
 * length and never copied; other frames are collected (bounded) and handed over whole.
 * After lost bytes or a mid-stream start the reader looks for a plausible frame boundary.
 */

export const T_DATA = 0;
export const T_HEADERS = 1;
export const T_PRIORITY = 2;
export const T_RST_STREAM = 3;
export const T_SETTINGS = 4;
export const T_PUSH_PROMISE = 5;
export const T_PING = 6;
export const T_GOAWAY = 7;
export const T_WINDOW_UPDATE = 8;
export const T_CONTINUATION = 9;

export const F_END_STREAM = 0x1;
export const F_ACK = 0x1;
export const F_END_HEADERS = 0x4;
export const F_PADDED = 0x8;
export const F_PRIORITY = 0x20;

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const DEFAULT_MAX_FRAME_SIZE = 16384;
/** Largest non-DATA frame we copy; larger ones are skipped and reported. */
export const COLLECT_CAP = 64 * 1024;
/** Bytes kept while looking for a frame boundary. */
const RESYNC_CAP = 64 * 1024;

/** Flags each known type may carry; anything else is implausible when resynchronising. */
const FLAG_MASK = [0x09, 0x2d, 0, 0, 0x01, 0x0c, 0x01, 0, 0, 0x04];

export interface FrameEvents {
  /** A collected frame; `payload[0, len)` is valid only during the call. */
  frame(dir: 0 | 1, type: number, flags: number, streamId: number, payload: Buffer, len: number): void;
  /** A DATA frame's header; its payload is skipped. */
  dataFrame(dir: 0 | 1, flags: number, streamId: number, length: number): void;
  /** A non-DATA frame too large to collect, skipped. */
  oversize(dir: 0 | 1, type: number, streamId: number, length: number): void;
  /** The client preface was (true) or was not (false) at the start of direction 0. */
  preface(ok: boolean): void;
  /** Frames were lost (gap or unparseable bytes): header-block state of this direction is unknown. */
  desync(dir: 0 | 1, why: string): void;
  anomaly(code: string, detail: string, dir: 0 | 1): void;
}

/** Length rules of RFC 9113 section 6 for the fixed-size frame types. */
export function lengthOk(type: number, flags: number, len: number): boolean {
  switch (type) {
    case T_SETTINGS: return len % 6 === 0 && ((flags & F_ACK) === 0 || len === 0);
    case T_PING: return len === 8;
    case T_GOAWAY: return len >= 8;
    case T_WINDOW_UPDATE:
    case T_RST_STREAM: return len === 4;
    case T_PRIORITY: return len === 5;
    default: return true;
  }
}

const enum S { Preface, Header, Payload, DataPad, Skip, Resync }

export class FrameReader {
  /** SETTINGS_MAX_FRAME_SIZE advertised by the receiving side. */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  frames = 0;
  private state: S;
  private readonly hdr = Buffer.alloc(9);
  private hdrFill = 0;
  private len = 0;
  private type = 0;
  private flags = 0;
  private sid = 0;
  private pay: Buffer = Buffer.alloc(0);
  private payFill = 0;
  private skip = 0;
  /** The next header must look like a real frame, else we resynchronise (start of a direction). */
  private strict = true;
  private prefaceFill = 0;
  private scan: Buffer | null = null;
  private scanFill = 0;

  constructor(private readonly dir: 0 | 1, private readonly ev: FrameEvents) {
    this.state = dir === 0 ? S.Preface : S.Header;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case S.Preface: {
          while (i < n && this.prefaceFill < PREFACE.length && chunk[i] === PREFACE[this.prefaceFill]) { i++; this.prefaceFill++; }
          if (this.prefaceFill === PREFACE.length) { this.ev.preface(true); this.state = S.Header; break; }
          if (i < n) {
            this.ev.preface(false);
            this.state = S.Resync;
            this.addScan(PREFACE, 0, this.prefaceFill);
          }
          break;
        }
        case S.Header: {
          const take = Math.min(9 - this.hdrFill, n - i);
          chunk.copy(this.hdr, this.hdrFill, i, i + take);
          this.hdrFill += take;
          i += take;
          if (this.hdrFill === 9) this.onHeader();
          break;
        }
        case S.Payload: {
          const take = Math.min(this.len - this.payFill, n - i);
          chunk.copy(this.pay, this.payFill, i, i + take);
          this.payFill += take;
          i += take;
          if (this.payFill === this.len) this.emit();
          break;
        }
        case S.DataPad: {
          const pad = chunk[i++]!;
          if (pad >= this.len) this.ev.anomaly('http2.bad_padding', `DATA pad length ${pad} of ${this.len}-byte frame`, this.dir);
          this.toSkip(this.len - 1);
          break;
        }
        case S.Skip: {
          const take = Math.min(this.skip, n - i);
          this.skip -= take;
          i += take;
          if (this.skip === 0) this.state = S.Header;
          break;
        }
        case S.Resync: {
          const take = Math.min(RESYNC_CAP - this.scanFill, n - i);
          this.addScan(chunk, i, i + take);
          i += take;
          this.resync();
          break;
        }
      }
    }
  }

  /**
   * The rest of the payload being stepped over (DATA, unknown types, oversized frames), taken as
   * read at once: the caller counts those bytes instead of pushing them.
   */
  takeSkip(): number {
    if (this.state !== S.Skip) return 0;
    const n = this.skip;
    this.skip = 0;
    this.state = S.Header;
    return n;
  }

  /** `len` bytes of this direction are missing. */
  gap(len: number): void {
    if (this.state === S.Skip && len < this.skip) { this.skip -= len; return; }
    if (this.state === S.Skip && len === this.skip) { this.skip = 0; this.state = S.Header; return; }
    if (this.state === S.Preface) this.ev.preface(false);
    if (this.state !== S.Resync) this.ev.desync(this.dir, `gap of ${len} bytes`);
    this.state = S.Resync;
    this.scanFill = 0;
    this.hdrFill = 0;
  }

  private onHeader(): void {
    const h = this.hdr;
    this.hdrFill = 0;
    this.len = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
    this.type = h[3]!;
    this.flags = h[4]!;
    this.sid = h.readUInt32BE(5) & 0x7fffffff;
    if (this.strict) {
      this.strict = false;
      if (!this.plausible(h, 0)) {
        this.ev.desync(this.dir, 'no frame boundary at the start');
        this.state = S.Resync;
        this.addScan(h, 0, 9);
        this.resync();
        return;
      }
    }
    this.frames++;
    if (this.len > this.maxFrameSize) {
      this.ev.anomaly('http2.frame_too_large', `type ${this.type} length ${this.len} over SETTINGS_MAX_FRAME_SIZE ${this.maxFrameSize}`, this.dir);
    }
    if (this.type === T_DATA) {
      this.ev.dataFrame(this.dir, this.flags, this.sid, this.len);
      if ((this.flags & F_PADDED) !== 0 && this.len > 0) { this.state = S.DataPad; return; }
      if ((this.flags & F_PADDED) !== 0) this.ev.anomaly('http2.bad_padding', 'padded DATA frame without a pad length', this.dir);
      this.toSkip(this.len);
      return;
    }
    if (this.type > T_CONTINUATION) { this.toSkip(this.len); return; }
    if (this.len > COLLECT_CAP) {
      this.ev.oversize(this.dir, this.type, this.sid, this.len);
      this.toSkip(this.len);
      return;
    }
    if (this.pay.length < this.len) this.pay = Buffer.alloc(Math.max(this.len, Math.min(COLLECT_CAP, this.pay.length * 2), 1024));
    this.payFill = 0;
    if (this.len === 0) { this.emit(); return; }
    this.state = S.Payload;
  }

  private emit(): void {
    this.state = S.Header;
    this.ev.frame(this.dir, this.type, this.flags, this.sid, this.pay, this.len);
  }

  private toSkip(n: number): void {
    this.skip = n;
    this.state = n > 0 ? S.Skip : S.Header;
  }

  private addScan(src: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.scan === null) this.scan = Buffer.alloc(RESYNC_CAP);
    src.copy(this.scan, this.scanFill, start, end);
    this.scanFill += end - start;
  }

  /**
   * Accepts an offset where a plausible header is followed by another plausible header; if the
   * second one is not buffered yet we wait, unless the buffer is full.
   */
  private resync(): void {
    const b = this.scan!;
    const fill = this.scanFill;
    let off = 0;
    for (; off + 9 <= fill; off++) {
      if (!this.plausible(b, off)) continue;
      const next = off + 9 + ((b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!);
      if (next + 9 <= fill) {
        if (this.plausible(b, next)) break;
        continue;
      }
      if (fill < RESYNC_CAP) { this.keepFrom(off); return; }
      break;
    }
    if (off + 9 > fill) {
      // Keep the last 8 bytes: a header may start there.
      this.keepFrom(Math.max(0, fill - 8));
      return;
    }
    this.state = S.Header;
    this.strict = false;
    const rest = this.scan!.subarray(off, fill);
    this.scanFill = 0;
    this.push(Buffer.from(rest));
  }

  private keepFrom(off: number): void {
    if (off === 0) return;
    this.scan!.copy(this.scan!, 0, off, this.scanFill);
    this.scanFill -= off;
  }

  private plausible(b: Buffer, off: number): boolean {
    const len = (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!;
    const type = b[off + 3]!;
    const flags = b[off + 4]!;
    const r = b[off + 5]!;
    if (type > T_CONTINUATION || (r & 0x80) !== 0 || (flags & ~FLAG_MASK[type]!) !== 0) return false;
    if (len > Math.max(this.maxFrameSize, DEFAULT_MAX_FRAME_SIZE)) return false;
    if (!lengthOk(type, flags, len)) return false;
    const sid = b.readUInt32BE(off + 5) & 0x7fffffff;
    const connectionLevel = type === T_SETTINGS || type === T_PING || type === T_GOAWAY;
    return type === T_WINDOW_UPDATE || connectionLevel === (sid === 0);
  }
}
