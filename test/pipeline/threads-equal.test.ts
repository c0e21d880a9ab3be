import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Issue 14's contract: `analyze FILE --json --threads N` prints the same records in the same
// order for every N, byte for byte once the summary's own `threads` field is dropped, unless the
// flow cap or a reassembly budget ran out (those are per shard). Each file is analysed as its
// README says it should be (cluster model, key logs, trust bundle), so the shards also have to
// agree on classification, decryption and findings, not only on connection bookkeeping.

/** `stdin`: the capture goes to `analyze -`, which shards over one reader handing packets to the workers. */
interface Case { files: string[]; args: string[]; threads: number[]; stdin?: string }

const CAPTURES = 'captures';
const DECRYPT = 'captures/decrypt';
const CORPUS = '../shared/corpus';
const BENCH = 'bench-files/bench-200k.pcap';

const isCapture = (name: string): boolean => name.endsWith('.pcap') || name.endsWith('.pcapng');
const keylogOf = (dir: string, name: string): string | undefined => {
  const k = join(dir, name.replace(/\.pcap(ng)?$/, '.keylog'));
  return existsSync(k) ? k : undefined;
};

const cases: Case[] = [];
// The lab captures and the bench file are the ones that carry many paths and findings: every N.
// The corpus files are small and many; 1 against 2 already puts each connection through the
// shard hash and the merge, and keeps the whole file within a few minutes on two cores.
for (const name of readdirSync(CAPTURES).filter(isCapture).sort()) {
  const k = keylogOf(CAPTURES, name);
  cases.push({ files: [join(CAPTURES, name)], args: ['--config', 'captures/cluster.yaml', ...(k ? ['--keylog', k] : [])], threads: [1, 2, 3, 4] });
}
for (const name of readdirSync(DECRYPT).filter(isCapture).sort()) {
  const k = keylogOf(DECRYPT, name);
  cases.push({ files: [join(DECRYPT, name)], args: ['--ca', 'captures/decrypt/pki/ca.crt', '--decrypt-app', ...(k ? ['--keylog', k] : [])], threads: [1, 2, 3, 4] });
}
const corpus = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as { files: { path: string; keylog?: string }[] };
for (const f of corpus.files) {
  const args = f.keylog ? ['--keylog', join(CORPUS, f.keylog), '--decrypt-app'] : [];
  cases.push({ files: [join(CORPUS, f.path)], args, threads: [1, 2] });
}
if (!existsSync(BENCH)) {
  // bench-files/ is not in the repository: a clean clone has no such directory yet.
  mkdirSync(dirname(BENCH), { recursive: true });
  execFileSync('python3', ['../shared/bench/make-bench-pcap.py', BENCH, '--packets', '200000'], { stdio: 'ignore' });
}
cases.push({ files: [BENCH], args: [], threads: [1, 2, 3, 4] });
// Read twice, the same 4-tuple opens again after its FIN: a second connection, wherever it is sharded.
const get = join(CORPUS, 'zeek/http/get.pcap');
cases.push({ files: [get, get], args: [], threads: [1, 2, 3, 4] });
// Standard input takes the other way into the shards: one reader routes each packet to its shard.
// bench-200k is large enough for the reader to wait on a shard that falls behind.
for (const [file, args] of [
  [BENCH, []],
  ['captures/mixed.pcap', ['--config', 'captures/cluster.yaml', '--keylog', 'captures/mixed.keylog']],
  ['captures/ip-fragments.pcap', ['--config', 'captures/cluster.yaml']],
  ['captures/decrypt/o13-keyupdate-chacha.pcap', ['--ca', 'captures/decrypt/pki/ca.crt', '--decrypt-app', '--keylog', 'captures/decrypt/o13-keyupdate-chacha.keylog']],
  [join(CORPUS, 'ja4/http2-with-cookies.pcapng'), ['--decrypt-app']],
  [join(CORPUS, 'zeek/ssh/ssh.pcap'), []],
  [join(CORPUS, 'zeek/http/ipv6-http-atomic-frag.pcap'), []],
  [join(CORPUS, 'zeek/tls/tls-fragmented-handshake.pcap'), []],
  [join(CORPUS, 'suricata-verify/http2-h2c-prior-knowledge.pcap'), []],
  [join(CORPUS, 'zeek/link/pcapng-multi-interface.pcapng'), []],
] as [string, string[]][]) {
  cases.push({ files: ['-'], args, threads: [1, 2, 3, 4], stdin: file });
}

// What ships is the tsc build, and bin/comms-watch.mjs only runs it when it is current: build once
// so every run below measures the same code, and without the tsx start-up in each of ~500 runs.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
// uvu runs under NODE_OPTIONS=--import=tsx; the CLI must start as a user's would (and its workers too).
const env = { ...process.env };
delete env.NODE_OPTIONS;

interface Run { code: number | string; stdout: string; stderr: string }

// The slowest run (bench-200k, 4 threads, two runs at once) takes a few seconds.
const RUN_TIMEOUT_MS = 30_000;
// Two cores: at most two analyses at once (each may itself start N workers).
let running = 0;
const waiting: (() => void)[] = [];
async function analyze(c: Case, threads: number): Promise<Run> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  const input = c.stdin === undefined ? 'ignore' : openSync(c.stdin, 'r');
  try {
    return await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, ['bin/comms-watch.mjs', 'analyze', ...c.files, ...c.args, '--json', '--threads', String(threads)],
        { env, stdio: [input, 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => err.push(b));
      let hung = false;
      const timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, RUN_TIMEOUT_MS);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        // A run that never ends is killed at the timeout: say so, it is a hang and not a crash.
        const how = hung ? `no exit within ${RUN_TIMEOUT_MS / 1000} s (killed)` : signal ? `signal ${signal}` : code!;
        resolve({ code: how, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  } finally {
    if (typeof input === 'number') closeSync(input);
    running--;
    waiting.shift()?.();
  }
}

interface Records { lines: string[]; types: Record<string, number>; summary: Record<string, unknown> }

function records(file: string, threads: number, r: Run): Records {
  const where = `${file} --threads ${threads}`;
  const raw = r.stdout.split('\n');
  assert.is(raw.pop(), '', `${where}: output ends with a newline`);
  const lines: string[] = [];
  const types: Record<string, number> = {};
  let summary: Record<string, unknown> | undefined;
  let last = '';
  raw.forEach((line, i) => {
    let rec: Record<string, unknown> = {};
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.unreachable(`${where}: line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    const type = String(rec.type);
    last = type;
    types[type] = (types[type] ?? 0) + 1;
    if (type === 'summary') {
      summary = rec;
      const { threads: _n, ...rest } = rec;
      lines.push(JSON.stringify(rest));
    } else {
      lines.push(line);
    }
  });
  if (!summary) {
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    assert.unreachable(`${where}: no summary record (exit: ${r.code}; ${raw.length} records before it; stderr: ${tail})`);
  }
  assert.is(types.summary, 1, `${where}: exactly one summary`);
  assert.is(last, 'summary', `${where}: the summary comes last`);
  return { lines, types, summary: summary! };
}

function budgetsUntouched(file: string, threads: number, s: Record<string, unknown>): void {
  const evicted = s.flows_evicted;
  const exhausted = (s.reassembly as { budget_exhausted?: unknown } | undefined)?.budget_exhausted;
  assert.ok(evicted === 0 && exhausted === 0,
    `${file} --threads ${threads}: flows_evicted ${String(evicted)}, budget_exhausted ${String(exhausted)}; ` +
    'past the flow cap or a reassembly budget the contract allows differences, so this file cannot prove it: choose another');
}

// Names the fields that differ, so a 2 kB connection record does not have to be diffed by eye.
function firstDifference(a: string[], b: string[], threads: number): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const show = (s: string | undefined): string => (s === undefined ? '(no record)' : s.length > 600 ? `${s.slice(0, 600)}…` : s);
    let fields = '';
    if (a[i] !== undefined && b[i] !== undefined) {
      const x = JSON.parse(a[i]!) as Record<string, unknown>;
      const y = JSON.parse(b[i]!) as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      const diff = keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
      fields = `\n  fields that differ: ${diff.map((k) => `${k}: ${JSON.stringify(x[k])?.slice(0, 120)} vs ${JSON.stringify(y[k])?.slice(0, 120)}`).join('; ') || '(key order only)'}`;
    }
    return `record ${i + 1} of ${a.length} vs ${b.length}${fields}\n  threads 1: ${show(a[i])}\n  threads ${threads}: ${show(b[i])}`;
  }
  return undefined;
}

for (const c of cases) {
  const name = c.stdin === undefined ? c.files.join(' ') : `- < ${c.stdin}`;
  test(`${name}: --threads ${c.threads.join(', ')} print the same records`, async () => {
    const runs = await Promise.all(c.threads.map((n) => analyze(c, n)));
    const got = runs.map((r, i) => records(name, c.threads[i]!, r));
    got.forEach((g, i) => {
      // Without this a build that ignores the flag would pass: every N would be the same run.
      assert.is(g.summary.threads, c.threads[i], `${name}: the summary of --threads ${c.threads[i]} says threads ${String(g.summary.threads)}`);
      budgetsUntouched(name, c.threads[i]!, g.summary);
    });
    const ref = got[0]!;
    for (let i = 1; i < got.length; i++) {
      const n = c.threads[i];
      assert.is(runs[i]!.code, runs[0]!.code, `${name}: exit code of --threads ${n} vs 1`);
      assert.equal(got[i]!.types, ref.types, `${name}: records per type, --threads ${n} vs 1`);
      const d = firstDifference(ref.lines, got[i]!.lines, n!);
      if (d) assert.unreachable(`${name}: --threads ${n} differs from --threads 1 at ${d}`);
    }
  });
}

test.run();
