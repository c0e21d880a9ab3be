/** Interface Description Block options that change how packet times are read (pcapng §4.2). */

const OPT_ENDOFOPT = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface InterfaceTime {
  /** Raw timestamp units per second (10^n or 2^n). */
  unitsPerSec: number;
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
  out.unitsPerSec = 1e6;
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
      out.unitsPerSec = r & 0x80 ? 2 ** exp : 10 ** exp;
      out.microsPerUnit = 1e6 / out.unitsPerSec;
    } else if (code === IF_TSOFFSET && len >= 8) {
      const offset = le ? buf.readBigInt64LE(value) : buf.readBigInt64BE(value);
      out.offsetMicros = Number(offset) * 1e6;
    }
    off = value + ((len + 3) & ~3);
  }
}

/** Above this, 16-bit limb division below would lose exactness; such resolutions fall back to plain doubles. */
const EXACT_UNITS_MAX = 2 ** 36;

/**
 * Microseconds for a 64-bit timestamp `hi:lo` in the interface's units. hi * 2^32 + lo passes 2^53 for
 * nanosecond clocks, so the seconds are found by long division over 16-bit limbs (every step exact),
 * and only the remainder is scaled.
 */
export function unitsToMicros(hi: number, lo: number, t: InterfaceTime): number {
  const u = t.unitsPerSec;
  if (u === 1e6) return hi * 4294967296 + lo + t.offsetMicros;
  if (u > EXACT_UNITS_MAX || u % 1 !== 0) return (hi * 4294967296 + lo) * t.microsPerUnit + t.offsetMicros;
  let rem = 0;
  let sec = 0;
  for (let i = 0; i < 4; i++) {
    const limb = i === 0 ? hi >>> 16 : i === 1 ? hi & 0xffff : i === 2 ? lo >>> 16 : lo & 0xffff;
    const cur = rem * 65536 + limb;
    const q = Math.floor(cur / u);
    rem = cur - q * u;
    sec = sec * 65536 + q;
  }
  return sec * 1e6 + rem * t.microsPerUnit + t.offsetMicros;
}
