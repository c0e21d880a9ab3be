import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Chunk } from './record-proxy.js';

/**
 * Both byte streams of TCP connections of a capture, via `tshark -z follow,tcp,raw` (independent of our
 * pipeline), one tshark run for all of them. Node 0 is the client; its peer's lines are indented with a tab.
 */
export async function followTcp(capture: string, streams: number[]): Promise<Map<number, Chunk[]>> {
  const args = ['-n', '-r', capture, '-q'];
  for (const s of streams) args.push('-z', `follow,tcp,raw,${s}`);
  const { stdout: out } = await promisify(execFile)('tshark', args, { maxBuffer: 256 << 20 });
  const result = new Map<number, Chunk[]>();
  let current: Chunk[] | null = null;
  let body = false;
  for (const line of out.split('\n')) {
    const filter = /^Filter: tcp\.stream eq (\d+)/.exec(line);
    if (filter !== null) {
      current = [];
      result.set(Number(filter[1]), current);
      body = false;
      continue;
    }
    if (line.startsWith('Node 1:')) {
      body = true;
      continue;
    }
    if (line.startsWith('=')) {
      body = false;
      continue;
    }
    const hex = line.trim();
    if (!body || current === null || !/^[0-9a-f]+$/.test(hex)) continue;
    current.push({ dir: line.startsWith('\t') ? 1 : 0, data: Buffer.from(hex, 'hex') });
  }
  return result;
}

/** tshark's JA3S per TCP stream, from the last ServerHello of each stream (after a HelloRetryRequest, the real one). */
export async function tsharkJa3s(capture: string): Promise<Map<number, string>> {
  const { stdout } = await promisify(execFile)('tshark', ['-n', '-r', capture, '-Y', 'tls.handshake.type == 2', '-T', 'fields',
    '-e', 'tcp.stream', '-e', 'tls.handshake.ja3s'], { maxBuffer: 16 << 20 });
  const out = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const [stream, hashes] = line.split('\t');
    if (stream && hashes) out.set(Number(stream), hashes.split(',').pop()!);
  }
  return out;
}
