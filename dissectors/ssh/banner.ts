/**
 * Identification lines (RFC 4253 section 4.2): `SSH-protoversion-softwareversion SP comments CR LF`,
 * at most 255 characters. A server may send other lines first; implementations also end lines with
 * a bare LF. Lines are kept raw (outputs sanitize) but capped.
 */
export const MAX_LINE = 255;
/** Lines tolerated before the version line; RFC 4253 sets no limit, so this one is ours. */
export const MAX_PRE_BANNER_LINES = 128;

/** Collects one line at a time from a byte stream without keeping more than MAX_LINE bytes. */
export class LineReader {
  private readonly buf = Buffer.allocUnsafe(MAX_LINE);
  private len = 0;
  private over = false;
  /** Set by `feed` when a line was completed: its text without CR LF. */
  line: string | null = null;
  /** The completed line was longer than MAX_LINE and was cut. */
  truncated = false;

  /** Consumes bytes from `chunk` at `off` up to and including the next LF; returns the new offset. */
  feed(chunk: Buffer, off: number): number {
    this.line = null;
    const lf = chunk.indexOf(0x0a, off);
    const stop = lf < 0 ? chunk.length : lf;
    const room = MAX_LINE - this.len;
    const n = Math.min(room, stop - off);
    if (n > 0) {
      chunk.copy(this.buf, this.len, off, off + n);
      this.len += n;
    }
    if (stop - off > n) this.over = true;
    if (lf < 0) return chunk.length;
    let end = this.len;
    if (end > 0 && this.buf[end - 1] === 0x0d && !this.over) end--;
    this.line = this.buf.toString('latin1', 0, end);
    this.truncated = this.over;
    this.len = 0;
    this.over = false;
    return lf + 1;
  }

  /** The unfinished line is already longer than MAX_LINE. */
  get overflowing(): boolean {
    return this.over;
  }
}

/** The protoversion of a version line (`2.0`, `1.99`, `1.5`), or null when it is not one. */
export function protoVersionOf(line: string): string | null {
  if (!line.startsWith('SSH-')) return null;
  const dash = line.indexOf('-', 4);
  const v = dash < 0 ? line.slice(4) : line.slice(4, dash);
  return /^[0-9]+\.[0-9]+$/.test(v) ? v : null;
}

/** SSH-1 only (1.x other than 1.99, which announces 2.0 compatibility). */
export function isSsh1Only(version: string | null): boolean {
  return version !== null && version.startsWith('1.') && version !== '1.99';
}

/** Version of the session from the two banners: SSH-1 if either side speaks only 1.x, else 2.0. */
export function sessionVersion(client: string | null, server: string | null): string | null {
  if (isSsh1Only(client)) return client;
  if (isSsh1Only(server)) return server;
  if (client === null && server === null) return null;
  const known = client ?? server;
  if (known === '1.99' && (client === null || server === null)) return '1.99';
  return '2.0';
}
