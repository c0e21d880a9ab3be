/** A parse error with a stable anomaly code; caught at the message boundary, never thrown outward. */
export class TlsParseError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** Bounds-checked big-endian reader over one message. Every read checks what remains first. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public off = 0,
    readonly end = buf.length,
    private readonly code = 'tls.truncated',
  ) {}

  get remaining(): number {
    return this.end - this.off;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.off) {
      throw new TlsParseError(this.code, `${what}: need ${n} bytes, ${this.end - this.off} left at offset ${this.off}`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.off++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const v = this.buf.readUIntBE(this.off, 3);
    this.off += 3;
    return v;
  }

  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  /** A sub-cursor over a length-prefixed vector (prefix of 1, 2 or 3 bytes); `code` for its own errors. */
  vector(prefix: 1 | 2 | 3, what: string, code = this.code): Cursor {
    const len = prefix === 1 ? this.u8(what) : prefix === 2 ? this.u16(what) : this.u24(what);
    this.need(len, what);
    const c = new Cursor(this.buf, this.off, this.off + len, code);
    this.off += len;
    return c;
  }

  /** A vector of 16-bit codes, capped at `cap` entries (the rest is counted as read but not kept). */
  u16List(prefix: 1 | 2, what: string, cap = 512): number[] {
    const v = this.vector(prefix, what);
    if (v.remaining % 2 !== 0) throw new TlsParseError('tls.bad_vector_length', `${what}: odd length ${v.remaining}`);
    const out: number[] = [];
    while (v.remaining > 0) {
      const code = v.u16(what);
      if (out.length < cap) out.push(code);
    }
    return out;
  }

  u8List(what: string, cap = 256): number[] {
    const v = this.vector(1, what);
    const out: number[] = [];
    while (v.remaining > 0) {
      const code = v.u8(what);
      if (out.length < cap) out.push(code);
    }
    return out;
  }
}
