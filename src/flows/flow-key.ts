/**
 * Flow keys without strings: a symmetric 32-bit hash of protocol and both endpoints (the same
 * for both directions, as gopacket's FastHash), and an exact field compare to resolve collisions.
 */
import type { Frame } from '../core/frame.js';

/** murmur3's 32-bit finaliser: spreads every input bit over the result. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function endpoint4(addr: number, port: number): number {
  return fmix(Math.imul(addr, 0x9e3779b1) ^ (port * 0x10001));
}

function endpoint6(w: Uint32Array, port: number): number {
  let h = Math.imul(w[0]!, 0x9e3779b1);
  h = Math.imul(h ^ w[1]!, 0x85ebca6b) ^ Math.imul(w[2]!, 0xc2b2ae35);
  h = Math.imul(h ^ w[3]!, 0x27d4eb2f);
  return fmix(h ^ (port * 0x10001));
}

/**
 * Symmetric hash of the frame's flow: the two endpoint hashes are combined with `+`, which
 * does not depend on their order.
 */
export function flowHash(f: Frame): number {
  return f.ipVersion === 4 ? flowHash4(f.l4, f.src4, f.srcPort, f.dst4, f.dstPort) : flowHash6(f.l4, f.src6, f.srcPort, f.dst6, f.dstPort);
}

export function flowHash4(l4: number, a: number, aPort: number, b: number, bPort: number): number {
  // Signed: a small integer to V8, where an unsigned value over 2^31 would be a heap number per packet.
  return fmix(((endpoint4(a, aPort) + endpoint4(b, bPort)) | 0) ^ Math.imul(l4 + 4 * 256, 0x2545f491));
}

export function flowHash6(l4: number, a: Uint32Array, aPort: number, b: Uint32Array, bPort: number): number {
  return fmix(((endpoint6(a, aPort) + endpoint6(b, bPort)) | 0) ^ Math.imul(l4 + 6 * 256, 0x2545f491));
}

/** The stored endpoints of a flow: side A is whoever sent the first packet seen. */
export interface FlowEndpoints {
  ipVersion: 4 | 6;
  l4: number;
  a4: number;
  b4: number;
  a6: Uint32Array | null;
  b6: Uint32Array | null;
  aPort: number;
  bPort: number;
}

function eq6(x: Uint32Array, y: Uint32Array): boolean {
  return x[0] === y[0] && x[1] === y[1] && x[2] === y[2] && x[3] === y[3];
}

/** 0 when the frame goes A -> B, 1 when B -> A, -1 when it is another flow. */
export function matchSide(k: FlowEndpoints, f: Frame): -1 | 0 | 1 {
  if (k.l4 !== f.l4 || k.ipVersion !== f.ipVersion) return -1;
  if (f.ipVersion === 4) {
    if (k.a4 === f.src4 && k.aPort === f.srcPort && k.b4 === f.dst4 && k.bPort === f.dstPort) return 0;
    if (k.b4 === f.src4 && k.bPort === f.srcPort && k.a4 === f.dst4 && k.aPort === f.dstPort) return 1;
    return -1;
  }
  if (k.aPort === f.srcPort && k.bPort === f.dstPort && eq6(k.a6!, f.src6) && eq6(k.b6!, f.dst6)) return 0;
  if (k.bPort === f.srcPort && k.aPort === f.dstPort && eq6(k.b6!, f.src6) && eq6(k.a6!, f.dst6)) return 1;
  return -1;
}
