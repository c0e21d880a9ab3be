/**
 * Start/stop soak of `comms-watch watch` on a veth (issue 16): each cycle starts a tcpdump
 * witness and a watch on the same end, replays captures/mixed.pcap into it, waits until the
 * witness has every packet, sends SIGTERM and reads the watch's last JSON line. A run is blind
 * when the watch's summary counts fewer packets than the witness saw. Run as root:
 *   node --import=tsx scripts/start-stop-soak.ts [CYCLES]   (default 50)
 * test/live/start-stop.test.ts runs it with fewer cycles.
 */
import type { ChildProcess } from 'node:child_process';
import { exited, labUp, sleep, waitOutput, type Lab } from '../test/live/netns.js';

export interface Cycle {
  witness: number;
  counted: number | null;
  exitMs: number;
  exitCode: number | null;
  /** The last stdout line is the summary record. */
  summaryLast: boolean;
  stderr: string;
}

export interface SoakResult {
  cycles: Cycle[];
  blind: number;
  slowExits: number;
  unflushed: number;
  exitMs: { min: number; median: number; max: number };
}

const CAPTURE = 'captures/mixed.pcap';
const EXIT_LIMIT_MS = 1000;

function collect(p: ChildProcess, stream: 'stdout' | 'stderr'): () => string {
  let text = '';
  p[stream]!.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return () => text;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

async function cycle(L: Lab): Promise<Cycle> {
  // Immediate mode: the witness holds nothing back in a buffer block; it only counts, so a short
  // snaplen keeps its ring's frames small (frames of a full snaplen overflow the ring at 2000 pps).
  const dump = L.run(L.b, 'tcpdump', ['-i', L.ifB, '-n', '-l', '-q', '--immediate-mode', '-s', '96', '-B', '16384', 'tcp']);
  const seen = collect(dump, 'stdout');
  await waitOutput(dump, 'listening on', 10_000);
  const watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node',
    '--config', 'captures/cluster.yaml']);
  const out = collect(watch, 'stdout');
  const err = collect(watch, 'stderr');
  await waitOutput(watch, 'capturing on', 15_000);
  const replay = L.run(L.a, 'tcpreplay', ['-i', L.ifA, '--pps=2000', CAPTURE]);
  const replayOut = collect(replay, 'stdout');
  const replayErr = collect(replay, 'stderr');
  const rc = await exited(replay, 20_000);
  if (rc !== 0) throw new Error(`tcpreplay exited ${rc}: ${replayErr()}`);
  const sent = Number(/Actual: (\d+) packets/.exec(replayOut())?.[1] ?? NaN);
  const lines = () => seen().split('\n').filter(Boolean).length;
  // SIGTERM as soon as the witness has every packet sent: what the watch has not read by then it
  // must still read before its summary.
  await until(() => lines() >= sent, 5000);
  const t0 = performance.now();
  process.kill(watch.pid!, 'SIGTERM');
  let exitCode: number | null = null;
  try {
    exitCode = await exited(watch, 10_000);
  } catch {
    process.kill(watch.pid!, 'SIGKILL');
    await exited(watch, 5000);
  }
  const exitMs = performance.now() - t0;
  process.kill(dump.pid!, 'SIGTERM');
  await exited(dump, 5000);
  const records = out().split('\n').filter(Boolean);
  let counted: number | null = null;
  let summaryLast = false;
  try {
    const rec = JSON.parse(records[records.length - 1] ?? '{}') as { type?: string; packets?: number };
    summaryLast = rec.type === 'summary';
    if (summaryLast) counted = rec.packets ?? null;
  } catch {
    // A cut line: not flushed.
  }
  return { witness: lines(), counted, exitMs, exitCode, summaryLast, stderr: err() };
}

export async function soak(cycles: number, log: (line: string) => void, tag = 'l', net = 51): Promise<SoakResult> {
  const lab = labUp(tag, net, { mtu: 65535 });
  const done: Cycle[] = [];
  try {
    for (let i = 0; i < cycles; i++) {
      const c = await cycle(lab);
      done.push(c);
      const bad = c.counted !== c.witness || c.exitMs >= EXIT_LIMIT_MS || !c.summaryLast || c.exitCode !== 0;
      log(`cycle ${i + 1}: witness ${c.witness}, counted ${c.counted ?? '-'}, exit ${c.exitMs.toFixed(0)} ms (code ${c.exitCode})${bad ? `  <-- ${c.stderr.trim().split('\n').slice(-6).join(' | ')}` : ''}`);
    }
  } finally {
    lab.down();
  }
  const ms = done.map((c) => c.exitMs).sort((x, y) => x - y);
  return {
    cycles: done,
    blind: done.filter((c) => c.counted !== c.witness).length,
    slowExits: done.filter((c) => c.exitMs >= EXIT_LIMIT_MS || c.exitCode !== 0).length,
    unflushed: done.filter((c) => !c.summaryLast).length,
    exitMs: { min: ms[0] ?? 0, median: ms[Math.floor(ms.length / 2)] ?? 0, max: ms[ms.length - 1] ?? 0 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 50);
  const r = await soak(n, (l) => console.log(l));
  console.log(`${n} cycles: ${r.blind} blind, ${r.slowExits} slow or failed exits, ${r.unflushed} without a final summary; ` +
    `exit after SIGTERM min ${r.exitMs.min.toFixed(0)} / median ${r.exitMs.median.toFixed(0)} / max ${r.exitMs.max.toFixed(0)} ms`);
  process.exitCode = r.blind + r.slowExits + r.unflushed === 0 ? 0 : 1;
}
