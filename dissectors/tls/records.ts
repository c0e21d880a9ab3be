import { giveBuffer, takeBuffer } from '../../src/core/buffer-pool.js';
import type { Direction } from '../../src/core/stream.js';

export const CT_CHANGE_CIPHER_SPEC = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPLICATION_DATA = 23;
export const CT_HEARTBEAT = 24;

/** TLSCiphertext may carry 2^14 + 2048 bytes (RFC 5246 section 6.2.3); anything longer is not TLS. */
export const MAX_RECORD_BODY = 16384 + 2048;
/** Handshake messages above this are skipped (certificate chains of real clusters stay far below it). */
export const MAX_HANDSHAKE_MESSAGE = 64 * 1024;

const HEADER = 5;

export interface RecordEvents {
  /**
   * One record; its body is `buf[start, end)` (a view per record was most of the record layer's
   * garbage). `buf` is null for a record whose body was not wanted: then only its length,
   * `end - start`, is known, and the record is reported as soon as its header is.
   */
  record(dir: Direction, type: number, version: number, buf: Buffer | null, start: number, end: number): void;
  /** Whether a record of `type` starting now needs its body (false: its length is enough). */
  wantsBody(dir: Direction, type: number): boolean;
  /** An SSLv2-framed CLIENT-HELLO (body starts at the message type byte). */
  sslv2ClientHello(dir: Direction, body: Buffer): void;
  anomaly(code: string, detail: string, dir: Direction): void;
  /** True once the session wants no more records. */
  stopped(): boolean;
}

function plausibleHeader(type: number, major: number): boolean {
  return type >= CT_CHANGE_CIPHER_SPEC && type <= CT_HEARTBEAT && major === 3;
}

/**
 * Cuts one direction's byte stream into TLS records. Records that arrive whole in a chunk are handed
 * over as subarrays of that chunk; only a record split across chunks is copied (once) into `pend`,
 * which is sized to that record and let go once it is complete (a buffer of the largest record size
 * kept per direction was most of the memory of a capture full of TLS connections).
 */
export class RecordReader {
  private pend: Buffer | null = null;
  private pendLen = 0;
  /** Length of the record consume() found cut by the end of its chunk. */
  private incomplete = 0;
  /** Bytes still to discard of a record damaged by a gap. */
  private skip = 0;
  private dead = false;
  private first = true;
  recordsSeen = 0;

  constructor(
    private readonly dir: Direction,
    private readonly ev: RecordEvents,
  ) {}

  get desynced(): boolean {
    return this.dead;
  }

  /**
   * Bytes of the current record still to come that nobody reads (an unwanted body, or a record
   * damaged by a gap): handed to the caller to count instead of delivering.
   */
  takeSkip(): number {
    const n = this.dead ? 0 : this.skip;
    this.skip -= n;
    return n;
  }

  push(chunk: Buffer): void {
    if (this.dead) return;
    let off = 0;
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      off = n;
    }
    while (this.pendLen > 0 && off < chunk.length && !this.dead) {
      off = this.fillPending(chunk, off);
    }
    if (this.dead || off >= chunk.length) return;
    const used = this.consume(chunk, off);
    if (this.dead || used >= chunk.length) return;
    this.stash(chunk, used);
  }

  /** `len` bytes are missing: drop the record they fall into, or give up when the framing is lost. */
  gap(len: number): void {
    if (this.dead || len <= 0) return;
    if (this.skip >= len) {
      this.skip -= len;
      return;
    }
    if (this.skip === 0 && this.pendLen >= HEADER && this.pend !== null) {
      const total = HEADER + this.pend.readUInt16BE(3);
      const missingInRecord = total - this.pendLen;
      if (len <= missingInRecord) {
        this.skip = missingInRecord - len;
        this.dropPending();
        this.ev.anomaly('tls.gap_in_record', `${len} bytes missing inside a record`, this.dir);
        return;
      }
    }
    this.dead = true;
    this.dropPending();
    this.ev.anomaly('tls.gap_desync', `${len} bytes missing, record framing lost`, this.dir);
  }

  private dropPending(): void {
    if (this.pend !== null) giveBuffer(this.pend);
    this.pend = null;
    this.pendLen = 0;
  }

  private fail(code: string, detail: string): void {
    this.dead = true;
    this.dropPending();
    this.ev.anomaly(code, detail, this.dir);
  }

  /** Whether a header is acceptable; on the first bytes, an SSLv2 ClientHello is recognised too. */
  private checkHeader(b: Buffer, at: number): 'tls' | 'sslv2' | 'bad' {
    const type = b[at]!;
    if (plausibleHeader(type, b[at + 1]!)) {
      const len = b.readUInt16BE(at + 3);
      if (len > MAX_RECORD_BODY) {
        this.fail('tls.record_too_long', `record of ${len} bytes (type ${type})`);
        return 'bad';
      }
      return 'tls';
    }
    if (this.first && (type & 0x80) !== 0 && b[at + 2] === 1 && b[at + 3] === 3) {
      const len = ((type & 0x7f) << 8) | b[at + 1]!;
      if (len + 2 <= HEADER + MAX_RECORD_BODY) return 'sslv2';
      this.fail('tls.record_too_long', `SSLv2 record of ${len} bytes`);
      return 'bad';
    }
    this.fail('tls.bad_record_header', `type ${type} version 0x${b.readUInt16BE(at + 1).toString(16)}`);
    return 'bad';
  }

  private recordLength(b: Buffer, at: number, kind: 'tls' | 'sslv2'): number {
    if (kind === 'sslv2') return 2 + (((b[at]! & 0x7f) << 8) | b[at + 1]!);
    return HEADER + b.readUInt16BE(at + 3);
  }

  private emit(b: Buffer, at: number, total: number, kind: 'tls' | 'sslv2'): void {
    this.first = false;
    this.recordsSeen++;
    if (kind === 'sslv2') {
      this.ev.sslv2ClientHello(this.dir, b.subarray(at + 2, at + total));
      return;
    }
    this.ev.record(this.dir, b[at]!, (b[at + 1]! << 8) | b[at + 2]!, b, at + HEADER, at + total);
  }

  /**
   * A record cut by the end of its chunk whose body nobody reads: reported now by its length, the
   * rest of it skipped. Returns false when the body is wanted (the caller stashes the record).
   */
  private passUnwanted(hdr: Buffer, at: number, total: number, have: number): boolean {
    const type = hdr[at]!;
    if (!this.ev.wantsBody(this.dir, type)) {
      this.first = false;
      this.recordsSeen++;
      this.skip = total - have;
      this.ev.record(this.dir, type, (hdr[at + 1]! << 8) | hdr[at + 2]!, null, 0, total - HEADER);
      return true;
    }
    return false;
  }

  /** Parses whole records in place from `at`; returns the offset up to which bytes were used. */
  private consume(b: Buffer, at: number): number {
    while (b.length - at >= HEADER && !this.ev.stopped()) {
      const kind = this.checkHeader(b, at);
      if (kind === 'bad') return b.length;
      const total = this.recordLength(b, at, kind);
      if (b.length - at < total) {
        if (kind === 'tls' && this.passUnwanted(b, at, total, b.length - at)) return b.length;
        this.incomplete = total;
        break;
      }
      this.emit(b, at, total, kind);
      at += total;
    }
    return this.ev.stopped() ? b.length : at;
  }

  private stash(b: Buffer, from: number): void {
    const n = b.length - from;
    // consume() stopped at a partial header, or at a valid header whose record is `incomplete` bytes long.
    this.pend = takeBuffer(n < HEADER ? HEADER : this.incomplete);
    b.copy(this.pend, 0, from);
    this.pendLen = n;
  }

  /** Completes the pending record from `chunk`; returns the new offset in `chunk`. */
  private fillPending(chunk: Buffer, off: number): number {
    const pend = this.pend!;
    if (this.pendLen < HEADER) {
      const n = Math.min(HEADER - this.pendLen, chunk.length - off);
      chunk.copy(pend, this.pendLen, off, off + n);
      this.pendLen += n;
      off += n;
      if (this.pendLen < HEADER) return off;
    }
    const kind = this.checkHeader(pend, 0);
    if (kind === 'bad') return chunk.length;
    const total = this.recordLength(pend, 0, kind);
    const avail = chunk.length - off;
    if (kind === 'tls' && this.pendLen + avail < total && this.passUnwanted(pend, 0, total, this.pendLen + avail)) {
      this.dropPending();
      return chunk.length;
    }
    let rec = pend;
    if (rec.length < total) {
      rec = takeBuffer(total);
      pend.copy(rec, 0, 0, this.pendLen);
      giveBuffer(pend);
      this.pend = rec;
    }
    const n = Math.min(total - this.pendLen, chunk.length - off);
    chunk.copy(rec, this.pendLen, off, off + n);
    this.pendLen += n;
    off += n;
    if (this.pendLen === total) {
      this.pendLen = 0;
      this.pend = null;
      // The record's consumers copy what they keep: its buffer can serve the next one.
      if (!this.ev.stopped()) this.emit(rec, 0, total, kind);
      giveBuffer(rec);
    }
    return off;
  }
}

/**
 * Emits the whole handshake messages at the start of `data[start, end)`; returns where the first
 * message cut by `end` begins (`end` when none is). Messages that arrive whole need no assembler.
 */
export function wholeMessages(dir: Direction, data: Buffer, start: number, end: number, ev: HandshakeEvents): number {
  let off = start;
  while (end - off >= 4) {
    const len = (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!;
    if (end - off - 4 < len) break;
    ev.message(dir, data[off]!, data.subarray(off + 4, off + 4 + len), len);
    off += 4 + len;
  }
  return off;
}

export interface HandshakeEvents {
  /** `fullLength` > body.length when an oversized message was cut to its first MAX_HANDSHAKE_MESSAGE bytes. */
  message(dir: Direction, type: number, body: Buffer, fullLength: number): void;
  /** The bytes of an oversized message past the head given to `message`, in order. */
  rest(dir: Direction, data: Buffer, start: number, end: number): void;
  anomaly(code: string, detail: string, dir: Direction): void;
}

/**
 * Reassembles handshake messages from handshake-record payloads (several messages per record,
 * one message over several records). Input is plaintext, whether seen in the clear or decrypted.
 */
export class HandshakeAssembler {
  private buf: Buffer | null = null;
  private have = 0;
  private need = -1;
  private type = 0;
  private fullLength = 0;
  private skipBody = 0;
  /** Bytes of oversized messages that were not kept. */
  droppedBytes = 0;
  droppedMessages = 0;
  /** A message header split across records, as a number (a Buffer per connection cost more than its bytes). */
  private hdr = 0;
  private hdrLen = 0;

  constructor(
    private readonly dir: Direction,
    private readonly ev: HandshakeEvents,
  ) {}

  /** Forget a partial message (its record was lost). */
  reset(): void {
    if (this.buf !== null) giveBuffer(this.buf);
    this.buf = null;
    this.have = 0;
    this.need = -1;
    this.hdrLen = 0;
    this.skipBody = 0;
  }

  get partial(): boolean {
    return this.hdrLen > 0 || this.need >= 0 || this.skipBody > 0;
  }

  /** Handshake-record plaintext `data[start, end)`. */
  push(data: Buffer, start: number, end: number): void {
    let off = start;
    if (!this.partial) off = wholeMessages(this.dir, data, start, end, this.ev);
    while (off < end) {
      if (this.skipBody > 0) {
        const n = Math.min(this.skipBody, end - off);
        this.ev.rest(this.dir, data, off, off + n);
        this.skipBody -= n;
        this.droppedBytes += n;
        off += n;
        continue;
      }
      if (this.need < 0) {
        if (this.hdrLen === 0) {
          const whole = wholeMessages(this.dir, data, off, end, this.ev);
          if (whole > off) {
            off = whole;
            continue;
          }
        }
        while (this.hdrLen < 4 && off < end) {
          this.hdr = (this.hdr << 8) | data[off++]!;
          this.hdrLen++;
        }
        if (this.hdrLen < 4) return;
        this.hdrLen = 0;
        this.startMessage(this.hdr >>> 24, this.hdr & 0xffffff);
        continue;
      }
      const n = Math.min(this.need - this.have, end - off);
      data.copy(this.buf!, this.have, off, off + n);
      this.have += n;
      off += n;
      this.finishIfComplete();
    }
  }

  private startMessage(type: number, len: number): void {
    this.fullLength = len;
    if (len > MAX_HANDSHAKE_MESSAGE) {
      // Keep the head (a Certificate's leaf is at its start), skip the rest after it.
      this.droppedMessages++;
      this.ev.anomaly('tls.handshake_too_long', `handshake type ${type} of ${len} bytes cut to ${MAX_HANDSHAKE_MESSAGE}`, this.dir);
      len = MAX_HANDSHAKE_MESSAGE;
    }
    this.type = type;
    this.need = len;
    this.have = 0;
    this.buf = takeBuffer(len);
    this.finishIfComplete();
  }

  private finishIfComplete(): void {
    if (this.have !== this.need) return;
    const buf = this.buf!;
    const body = buf.subarray(0, this.need);
    // Let go of the buffer: a connection assembles a handshake message or two and then lives on.
    this.buf = null;
    this.need = -1;
    this.have = 0;
    this.skipBody = this.fullLength - body.length;
    this.ev.message(this.dir, this.type, body, this.fullLength);
    // Message handlers copy what they keep.
    giveBuffer(buf);
  }
}
