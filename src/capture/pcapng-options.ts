/** Interface Description Block options that change how packet times are read (pcapng §4.2). */

const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface InterfaceTime {
  /** Multiply raw timestamp units by this to get microseconds. */
  microsPerUnit: number;
  /** Seconds added to every timestamp of the interface, as microseconds. */
  offsetMicros: number;
}

/**
 * Reads if_tsresol (10^-n or, with the top bit set, 2^-n seconds; default 10^-6) and if_tsoffset
 * from the option list in `buf[start, end)`. A malformed option list ends the scan; defaults stay.
 */
export function readInterfaceTime(buf: Buffer, start: number, end: number, le: boolean, out: InterfaceTime): void {
  out.microsPerUnit = 1;
  out.offsetMicros = 0;
  let off = start;
  while (end - off >= 4) {
    const code = le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
    const len = le ? buf.readUInt16LE(off + 2) : buf.readUInt16BE(off + 2);
    if (code === OPT_ENDOFOPT) return;
    const value = off + 4;
    if (len > end - value) return;
    if (code === IF_TSRESOL && len >= 1) {
      const r = buf[value]!;
      const exp = r & 0x7f;
      // 2^-n for n up to 127 and 10^-n for n up to 127 are both representable as doubles.
      out.microsPerUnit = r & 0x80 ? 1e6 / 2 ** exp : 1e6 / 10 ** exp;
    } else if (code === IF_TSOFFSET && len >= 8) {
      const offset = le ? buf.readBigInt64LE(value) : buf.readBigInt64BE(value);
      out.offsetMicros = Number(offset) * 1e6;
    }
    off = value + ((len + 3) & ~3);
  }
}
