import { LineReader, MAX_HEADERS } from './message.js';

/**
 * Message bodies are skipped, never buffered (RFC 9112 section 6, 7.1): by Content-Length, by
 * chunked framing (chunk sizes checked, trailers read and dropped) or until the connection closes.
 */
export type BodyMode = 'length' | 'chunked' | 'close';

/** Largest chunk size accepted (2^53 - 1 keeps the arithmetic exact). */
const MAX_CHUNK_HEX_DIGITS = 13;

type ChunkState = 'size' | 'data' | 'data-crlf' | 'trailer';

export class BodyReader {
  private mode: BodyMode = 'length';
  private left = 0;
  private chunk: ChunkState = 'size';
  private trailers = 0;
  private readonly lines: LineReader;
  /** The body ended (for `close`: never, the connection end finishes it). */
  complete = false;
  /** Framing is broken; the stream cannot be followed. Holds a reason without message bytes. */
  error: string | null = null;

  constructor(lines: LineReader) {
    this.lines = lines;
  }

  start(mode: BodyMode, length = 0): void {
    this.mode = mode;
    this.left = length;
    this.chunk = 'size';
    this.trailers = 0;
    this.complete = mode === 'length' && length === 0;
    this.error = null;
    this.lines.reset();
  }

  /** Consumes body bytes from `chunk` at `off`; returns the offset after them. */
  feed(chunk: Buffer, off: number): number {
    while (off < chunk.length && !this.complete && this.error === null) {
      if (this.mode === 'close') return chunk.length;
      if (this.mode === 'length' || this.chunk === 'data') {
        const n = Math.min(this.left, chunk.length - off);
        this.consume(n);
        off += n;
        continue;
      }
      off = this.lines.feed(chunk, off);
      if (this.lines.overflow) {
        this.error = 'chunk framing line too long';
        break;
      }
      if (this.lines.done) this.chunkLine();
    }
    return off;
  }

  /** Body bytes that follow and need no parsing (sized body or chunk data; the rest of the stream for `close`). */
  get skippable(): number {
    if (this.complete || this.error !== null) return 0;
    if (this.mode === 'close') return Number.MAX_SAFE_INTEGER;
    return this.mode === 'length' || this.chunk === 'data' ? this.left : 0;
  }

  /** `n` (at most `skippable`) body bytes are taken as read without being seen. */
  skip(n: number): void {
    if (this.mode !== 'close') this.consume(n);
  }

  /** `len` body bytes are missing; returns false when the gap breaks the framing. */
  gap(len: number): boolean {
    if (this.mode === 'close') return true;
    if ((this.mode === 'length' || this.chunk === 'data') && len <= this.left) {
      this.consume(len);
      return true;
    }
    return false;
  }

  /** `n` bytes of the sized body or of the current chunk's data are behind us (read, skipped or lost). */
  private consume(n: number): void {
    this.left -= n;
    if (this.left === 0) {
      if (this.mode === 'length') this.complete = true;
      else this.chunk = 'data-crlf';
    }
  }

  private chunkLine(): void {
    const lines = this.lines;
    switch (this.chunk) {
      case 'size': {
        const text = lines.text();
        const semi = text.indexOf(';');
        const hex = (semi < 0 ? text : text.slice(0, semi)).trim();
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.replace(/^0+(?=.)/, '').length > MAX_CHUNK_HEX_DIGITS) {
          this.error = `bad chunk size line (${Math.min(text.length, 9999)} bytes)`;
          return;
        }
        this.left = parseInt(hex, 16);
        this.chunk = this.left === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-crlf':
        if (lines.lineLength !== 0) this.error = 'chunk data not followed by CRLF';
        else this.chunk = 'size';
        return;
      case 'trailer':
        if (lines.lineLength === 0) this.complete = true;
        else if (++this.trailers > MAX_HEADERS) this.error = `more than ${MAX_HEADERS} trailer fields`;
        return;
      default:
        return;
    }
  }
}
