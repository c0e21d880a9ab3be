import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Endpoint { ip: string; port: number }
export interface FollowedStream {
  index: number;
  /** tshark's Node 0 (sender of the first packet it saw) and Node 1. */
  node0: Endpoint;
  node1: Endpoint;
  /** Payload chunks in capture order; dir 0 = sent by node0. */
  chunks: Array<{ dir: 0 | 1; data: Buffer }>;
}

function endpoint(s: string): Endpoint {
  const i = s.lastIndexOf(':');
  return { ip: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
}

function followArgs(path: string, idsText: string): string[] | null {
  const unique = [...new Set(idsText.split('\n').filter((l) => l.trim() !== '').map(Number))].sort((a, b) => a - b);
  if (unique.length === 0) return null;
  const args = ['-n', '-r', path, '-q'];
  for (const id of unique) args.push('-z', `follow,tcp,raw,${id}`);
  return args;
}

/** Every TCP stream of a capture as tshark reassembles it (`-z follow,tcp,raw,N`). */
export function followTcp(path: string): FollowedStream[] {
  const args = followArgs(path, execFileSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  if (args === null) return [];
  return parseFollow(execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
}

/** The same without blocking, so several captures can be followed at once. */
export async function followTcpAsync(path: string): Promise<FollowedStream[]> {
  const ids = await run('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' });
  const args = followArgs(path, ids.stdout);
  if (args === null) return [];
  return parseFollow((await run('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 })).stdout);
}

function parseFollow(out: string): FollowedStream[] {
  const streams: FollowedStream[] = [];
  let cur: FollowedStream | null = null;
  for (const line of out.split('\n')) {
    const filter = /^Filter: tcp\.stream eq (\d+)/.exec(line);
    if (filter) {
      cur = { index: Number(filter[1]), node0: { ip: '', port: 0 }, node1: { ip: '', port: 0 }, chunks: [] };
      streams.push(cur);
      continue;
    }
    if (cur === null) continue;
    const node = /^Node ([01]): (.+)$/.exec(line);
    if (node) {
      if (node[1] === '0') cur.node0 = endpoint(node[2] ?? '');
      else cur.node1 = endpoint(node[2] ?? '');
      continue;
    }
    const hex = /^(\t?)([0-9a-f]+)$/.exec(line);
    if (hex) cur.chunks.push({ dir: hex[1] === '\t' ? 1 : 0, data: Buffer.from(hex[2] ?? '', 'hex') });
  }
  return streams;
}

/** Chunks with directions flipped so that dir 0 is the side at `client`. */
export function orient(s: FollowedStream, clientPort: number): Array<{ dir: 0 | 1; data: Buffer }> {
  if (s.node0.port === clientPort) return s.chunks;
  return s.chunks.map((c) => ({ dir: (1 - c.dir) as 0 | 1, data: c.data }));
}
