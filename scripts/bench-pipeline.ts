/**
 * Throughput of the whole engine (read + decode + flows + reassembly + dispatch + dissectors)
 * on one capture: `node --import tsx scripts/bench-pipeline.ts FILE`. Prints packets/s, MB/s and
 * CPU seconds and peak RSS (sampled every 50 ms and at the end) as one JSON line. `--no-dissect` attaches no
 * dissector (detection still runs): the read + decode + flows + reassembly floor.
 */
import { statSync } from 'node:fs';
import { analyzeFiles } from '../src/pipeline/analyze.js';

const args = process.argv.slice(2);
const noDissect = args.includes('--no-dissect');
const file = args.find((a) => !a.startsWith('--'));
if (file === undefined) {
  process.stderr.write('usage: node --import tsx scripts/bench-pipeline.ts [--no-dissect] FILE\n');
  process.exit(2);
}
let peak = process.memoryUsage.rss();
const timer = setInterval(() => {
  const r = process.memoryUsage.rss();
  if (r > peak) peak = r;
}, 50);
let connections = 0;
const protos: Record<string, number> = {};
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const { stats, damage } = await analyzeFiles([file], {
  ...(noDissect ? { registry: {} } : {}),
  onConnection(c) {
    connections++;
    protos[c.proto] = (protos[c.proto] ?? 0) + 1;
  },
});
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
const size = statSync(file).size;
process.stdout.write(`${JSON.stringify({
  file,
  dissectors: !noDissect,
  seconds: +secs.toFixed(3),
  /** user+system CPU of the loop: the figure to compare when the machine is shared and busy. */
  cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(3),
  packets: stats.packets,
  packetsPerSec: Math.round(stats.packets / secs),
  mbPerSec: +(size / 1e6 / secs).toFixed(1),
  peakRssMiB: +(peak / 1048576).toFixed(1),
  connections,
  protos,
  tcpConnections: stats.tcpConnections,
  udpFlows: stats.udpFlows,
  gaps: stats.gaps,
  missingBytes: stats.missingBytes,
  overlapConflicts: stats.overlapConflicts,
  flowsEvicted: stats.flowsEvicted,
  budgetExhausted: stats.budgetExhausted,
  anomalies: stats.anomalies,
  damage,
})}\n`);
