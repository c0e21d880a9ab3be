/**
 * CONNECT and Upgrade (RFC 9110 sections 9.3.6 and 7.8). Bytes the client sends after such a
 * request belong either to the tunnel / new protocol or, if the server refuses, to the next
 * request, so they are held (capped) until the answer is seen.
 */
export const MAX_HOLD = 65536;

export class Hold {
  private chunks: Buffer[] = [];
  bytes = 0;

  /** Copies `chunk` in; false when that would exceed MAX_HOLD. */
  add(chunk: Buffer): boolean {
    if (this.bytes + chunk.length > MAX_HOLD) return false;
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    return true;
  }

  take(): Buffer[] {
    const out = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

export type Switched = 'h2c' | 'websocket' | 'SPDY/3.1' | 'other';

/** The protocol a 101 switches to, from the Upgrade field (response first, then the request's offer). */
export function switchedTo(upgrade: string | null): { name: string; kind: Switched } {
  const v = (upgrade ?? '').trim();
  const first = (v.split(',')[0] ?? '').trim();
  const lower = first.toLowerCase();
  if (lower === 'h2c') return { name: 'h2c', kind: 'h2c' };
  if (lower === 'websocket') return { name: 'websocket', kind: 'websocket' };
  if (lower.startsWith('spdy/')) return { name: first.slice(0, 32), kind: 'SPDY/3.1' };
  return { name: first.length > 0 ? first.slice(0, 64) : 'unknown', kind: 'other' };
}
