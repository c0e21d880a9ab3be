import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

/*
 * Canonical decoding: the RFC 7541 code is canonical (codes of one length are consecutive and
 * ordered by symbol), so per bit length we keep the first code and where its symbols start.
 * No tree, no per-call allocation beyond the output buffer.
 */
const MAX_LEN = 30;
const EOS = 256;
const firstCode = new Int32Array(MAX_LEN + 1).fill(-1);
const count = new Int32Array(MAX_LEN + 1);
const firstIndex = new Int32Array(MAX_LEN + 1);
const symbols = new Uint16Array(HUFFMAN_CODES.length);

(() => {
  const order = HUFFMAN_CODES.map((_, s) => s).sort((a, b) => (HUFFMAN_LENGTHS[a]! - HUFFMAN_LENGTHS[b]!) || (a - b));
  order.forEach((sym, i) => {
    const len = HUFFMAN_LENGTHS[sym]!;
    symbols[i] = sym;
    if (firstCode[len] === -1) { firstCode[len] = HUFFMAN_CODES[sym]!; firstIndex[len] = i; }
    count[len]!++;
  });
})();

/** Error results (numbers, so no decoded string can be mistaken for one). */
export const HUFFMAN_EOS = 1;
export const HUFFMAN_PADDING = 2;

let out = Buffer.allocUnsafe(4096);

/**
 * Decodes `src[start, end)` into a latin1 string, or returns the error: an EOS symbol in the data,
 * or padding that is longer than 7 bits or not a prefix of EOS (all ones) (RFC 7541 5.2).
 */
export function huffmanDecode(src: Buffer, start: number, end: number): string | typeof HUFFMAN_EOS | typeof HUFFMAN_PADDING {
  // Shortest code is 5 bits, so at most 8/5 output bytes per input byte.
  const need = Math.ceil(((end - start) * 8) / 5);
  if (out.length < need) out = Buffer.allocUnsafe(need);
  let n = 0;
  let code = 0;
  let len = 0;
  let ones = true;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1;
      code = (code << 1) | bit;
      len++;
      if (bit === 0) ones = false;
      const f = firstCode[len]!;
      if (f !== -1 && code - f < count[len]! && code >= f) {
        const sym = symbols[firstIndex[len]! + code - f]!;
        if (sym === EOS) return HUFFMAN_EOS;
        out[n++] = sym;
        code = 0; len = 0; ones = true;
      } else if (len >= MAX_LEN) {
        return HUFFMAN_EOS;
      }
    }
  }
  if (len > 7 || !ones) return HUFFMAN_PADDING;
  return out.toString('latin1', 0, n);
}
