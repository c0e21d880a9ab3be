import { execFileSync } from 'node:child_process';

export interface Chunk { dir: 0 | 1; data: Buffer }

/**
 * The payload chunks of TCP stream `n` of a capture, in order, from `tshark -z follow,tcp,raw`.
 * Node 0 (the first talker, the client here) is direction 0; tshark indents node 1's lines.
 */
export function followTcp(path: string, n: number): Chunk[] {
  const out = execFileSync('tshark', ['-r', path, '-q', '-z', `follow,tcp,raw,${n}`], {
    encoding: 'latin1', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Chunk[] = [];
  let started = false;
  for (const line of out.split('\n')) {
    if (/^Node 1: /.test(line)) { started = true; continue; }
    if (!started || line.startsWith('====') || line.trim() === '') continue;
    const dir = line.startsWith('\t') ? 1 : 0;
    const hex = line.trim();
    if (!/^[0-9a-f]+$/.test(hex)) continue;
    chunks.push({ dir, data: Buffer.from(hex, 'hex') });
  }
  return chunks;
}
