/**
 * TCP sequence arithmetic modulo 2^32 (RFC 793 section 3.3; RFC 1982 serial numbers).
 * Every sequence comparison in the project goes through here so wrap-around is handled once.
 * Results are only meaningful when the two numbers are less than 2^31 apart.
 */

/** Signed distance a - b, in [-2^31, 2^31). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
