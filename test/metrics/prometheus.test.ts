import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, freePort, sleep, waitOutput } from '../live/netns.js';

const PROMETHEUS = '/usr/bin/prometheus';

interface Sample { metric: Record<string, string>; value: [number, string] }

async function query(base: string, q: string): Promise<Sample[]> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: Sample[] } };
  return body.status === 'success' ? body.data.result : [];
}

const total = (s: Sample[]) => s.reduce((a, x) => a + Number(x.value[1]), 0);

test('a real Prometheus scrapes --metrics: packets, connections by path and verdict, findings and their occurrences by rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwt-prom-'));
  const procs: ChildProcess[] = [];
  let api: Server | null = null;
  try {
    const [apiPort, metricsPort, promPort] = [await freePort(), await freePort(), await freePort()];
    api = createServer((q, s) => { q.resume(); q.on('end', () => s.end('{}')); });
    await new Promise<void>((r) => api!.listen(apiPort, '127.0.0.1', () => r()));
    // Capture only the test's cleartext API port on loopback: Prometheus' own scrapes stay out of it.
    const watch = spawn(process.execPath, ['bin/comms-watch.mjs', '-i', 'lo', '--no-tui', '--json', '--no-from-node', '-f', `tcp port ${apiPort}`, '--metrics', `127.0.0.1:${metricsPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(watch);
    watch.stdout!.resume();
    await waitOutput(watch, 'metrics on http://', 15_000);

    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: comms-watch\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`);
    const prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    procs.push(prom);
    const base = `http://127.0.0.1:${promPort}`;

    // Three connections from one client with a bearer token: one finding of each rule, three occurrences.
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${apiPort}/api/v1/namespaces/default/pods`, { headers: { authorization: 'Bearer cwt-metrics-test-token-000000000000', connection: 'close' } });
      assert.is(r.status, 200);
      await r.text();
    }

    let occurrences: Sample[] = [];
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      occurrences = await query(base, 'comms_watch_finding_occurrences_total{rule="cleartext-credentials"}').catch(() => []);
      if (total(occurrences) >= 3) break;
      await sleep(500);
    }
    assert.is(total(occurrences), 3, 'occurrences follow the finding count (3 connections), not records written');

    const packets = await query(base, 'comms_watch_packets_total');
    assert.ok(total(packets) >= 3 * 8, `packets ${JSON.stringify(packets)}`);
    const conns = await query(base, 'sum by (path, verdict) (comms_watch_connections_total)');
    assert.is(conns.length, 1, JSON.stringify(conns));
    assert.is(conns[0]!.metric.path, 'node-apiserver');
    assert.is(conns[0]!.metric.verdict, 'insecure');
    assert.is(Number(conns[0]!.value[1]), 3);
    const distinct = await query(base, 'comms_watch_findings');
    const byRule = Object.fromEntries(distinct.map((s) => [s.metric.rule, Number(s.value[1])]));
    assert.is(byRule['cleartext-credentials'], 1);
    assert.is(byRule['cleartext-apiserver'], 1);
    assert.is(total(await query(base, 'comms_watch_kernel_drops_total')), 0);

    watch.kill('SIGTERM');
    assert.is(await exited(watch, 10_000), 0);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    api?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
