/**
 * Buffers by power-of-two size class for parsers that hold bytes only until a unit is whole (a TLS
 * record or handshake message split over segments) and that copy whatever they keep: a buffer goes
 * back once its bytes are parsed. Every handshake used to allocate and drop a few of them, and the
 * allocator and the garbage collector saw every one. Each class keeps at most PER_CLASS spare
 * buffers (about 8 MiB in all); sizes above the largest class are plain allocations.
 */
const MIN_SHIFT = 9;
const MAX_SHIFT = 16;
const PER_CLASS = 64;

const spare: Buffer[][] = [];
for (let s = MIN_SHIFT; s <= MAX_SHIFT; s++) spare.push([]);

function classOf(size: number): number {
  let s = MIN_SHIFT;
  while (1 << s < size) s++;
  return s;
}

/** A buffer of at least `size` bytes, contents undefined. */
export function takeBuffer(size: number): Buffer {
  if (size > 1 << MAX_SHIFT) return Buffer.allocUnsafeSlow(size);
  const s = classOf(size);
  return spare[s - MIN_SHIFT]!.pop() ?? Buffer.allocUnsafeSlow(1 << s);
}

/** Returns a buffer from takeBuffer; no view of it may be used afterwards. */
export function giveBuffer(b: Buffer): void {
  const n = b.length;
  if (n < 1 << MIN_SHIFT || n > 1 << MAX_SHIFT || (n & (n - 1)) !== 0 || b.byteOffset !== 0 || b.buffer.byteLength !== n) return;
  const list = spare[classOf(n) - MIN_SHIFT]!;
  if (list.length < PER_CLASS) list.push(b);
}
