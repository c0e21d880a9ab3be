/** Big-endian 32-bit read without Buffer.readUInt32BE's argument checks; callers have checked the bounds. */
export function be32(b: Buffer, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}
