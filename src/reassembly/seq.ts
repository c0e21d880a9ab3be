/**
 * TCP sequence arithmetic modulo 2^32 (RFC 793 section 3.3; RFC 1982 serial numbers).
 * Every sequence comparison in the project goes through here so wrap-around is handled once.
 * Results are only meaningful when the two numbers are less than 2^31 apart.
 * Sequence numbers are kept as SIGNED 32-bit values: V8 stores those as small integers, while an
 * unsigned value above 2^31 is a heap number, allocated each time it is passed or returned (half
 * of all sequence numbers, on every packet). Compare them only through these functions or `===`
 * after `seqNorm`.
 */

/** The signed 32-bit form of a sequence number given either way. */
export function seqNorm(a: number): number {
  return a | 0;
}

/** Signed distance a - b, in [-2^31, 2^31). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to a (signed) 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) | 0;
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
