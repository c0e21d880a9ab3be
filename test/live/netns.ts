/**
 * A two-namespace lab for the live tests: `cwt-<tag>a` (10.77.<net>.1) and `cwt-<tag>b`
 * (10.77.<net>.2) joined by one veth pair, loopback up, no default route, so nothing leaves.
 * Every process started through the lab is remembered by PID and killed in `down()`.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Lab {
  a: string;
  b: string;
  /** The veth ends: `ifA` lives in namespace a, `ifB` in b. */
  ifA: string;
  ifB: string;
  ipA: string;
  ipB: string;
  dir: string;
  run(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  down(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // Teardown of something that is already gone.
  }
}

/**
 * `mtu` (optional) widens both veth ends, e.g. for replaying captures whose segments exceed 1500
 * bytes (taken on hosts with GSO); without it the kernel default stays.
 */
export function labUp(tag: string, net: number, opts: { mtu?: number } = {}): Lab {
  const a = `cwt-${tag}a`;
  const b = `cwt-${tag}b`;
  const ifA = `cwt${tag}0`;
  const ifB = `cwt${tag}1`;
  const ipA = `10.77.${net}.1`;
  const ipB = `10.77.${net}.2`;
  // A lab left by a killed earlier run would make `ip netns add` fail.
  for (const ns of [a, b]) quietly(() => ip(['netns', 'del', ns]));
  const procs: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), `cwt-${tag}-`));
  const lab: Lab = {
    a, b, ifA, ifB, ipA, ipB, dir,
    run(ns, cmd, args, opts = {}) {
      const p = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
      procs.push(p);
      return p;
    },
    down() {
      for (const p of procs) {
        if (p.exitCode === null && p.signalCode === null && p.pid !== undefined) quietly(() => process.kill(p.pid!, 'SIGKILL'));
      }
      for (const ns of [a, b]) quietly(() => ip(['netns', 'del', ns]));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    ip(['netns', 'add', a]);
    ip(['netns', 'add', b]);
    ip(['link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
    for (const [ns, dev, addr] of [[a, ifA, ipA], [b, ifB, ipB]] as const) {
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      if (opts.mtu !== undefined) ip(['-n', ns, 'link', 'set', dev, 'mtu', String(opts.mtu)]);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (e) {
    lab.down();
    throw e;
  }
  return lab;
}

/** Resolves when `p` printed `marker` on stdout or stderr; rejects on exit or after `ms`. */
export function waitOutput(p: ChildProcess, marker: string | RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${marker}" within ${ms} ms; got: ${seen.slice(-500)}`)), ms);
    const on = (d: Buffer) => {
      seen += d.toString('latin1');
      if (typeof marker === 'string' ? seen.includes(marker) : marker.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before "${marker}": ${seen.slice(-500)}`));
    });
  });
}

/** Resolves with the exit code once the process exited and its output was fully read ('close'). */
export function exited(p: ChildProcess, ms: number): Promise<number | null> {
  const done = p.exitCode !== null || p.signalCode !== null;
  if (done && (p.stdout?.closed ?? true) && (p.stderr?.closed ?? true)) return Promise.resolve(p.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pid ${p.pid} still running after ${ms} ms`)), ms);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A kubelet-style self-signed pair as the kubelet makes it: `node1-ca@…` signs `node1@…`; kubelet.crt serves both. */
export function kubeletPki(dir: string): { cert: string; key: string; ca: string } {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '365', '-subj', '/CN=node1-ca@1700000000', '-addext', 'basicConstraints=critical,CA:TRUE']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'kubelet.key', '-out', 'kubelet.csr', '-subj', '/CN=node1@1700000000']);
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:node1\n');
  o(['x509', '-req', '-in', 'kubelet.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'kubelet.crt', '-days', '365', '-extfile', 'leaf.ext']);
  return { cert: join(dir, 'kubelet.crt'), key: join(dir, 'kubelet.key'), ca: join(dir, 'ca.crt') };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
