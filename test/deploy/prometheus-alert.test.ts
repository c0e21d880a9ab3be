import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { exited, labUp, sleep, waitOutput, type Lab } from '../live/netns.js';

const run = promisify(execFile);

/** Two HTTP servers in the lab's server namespace: a kubelet read-only port and an apiserver without TLS. */
const SERVERS = `const h = require('http'); let n = 0;
for (const port of [10255, 6443]) h.createServer((q, s) => { q.resume(); q.on('end', () => s.end('{"kind":"PodList","items":[]}')); }).listen(port, process.argv[1], () => { if (++n === 2) console.log('listening'); });`;

interface Alert { labels: Record<string, string>; state: string; activeAt: string }
interface Rule { name: string; health: string; lastError?: string; type: string }
interface Series { metric: Record<string, string>; value: [number, string] }

/** Prometheus's HTTP API, asked from inside namespace `ns` where it listens on loopback. */
async function api<T>(ns: string, path: string, query?: string): Promise<T> {
  const args = ['netns', 'exec', ns, 'curl', '-sf', '--max-time', '5', `http://127.0.0.1:9090${path}`];
  if (query !== undefined) args.push('-G', '--data-urlencode', `query=${query}`);
  const { stdout } = await run('ip', args);
  const body = JSON.parse(stdout) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}

/** Polls `f` until it returns non-null; `what` is read only on timeout, when it says most. */
async function until<T>(f: () => Promise<T | null>, ms: number, what: string | (() => string)): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Every PromQL expression of the dashboard, with its variables as Grafana fills them for "All nodes". */
function dashboardQueries(): { panel: string; expr: string }[] {
  const d = JSON.parse(readFileSync('deploy/monitoring/grafana-dashboard.json', 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$node', '.*').replaceAll('$__rate_interval', '30s') })));
}

let lab: Lab | null = null;
const token = `cwt${randomBytes(24).toString('hex')}`;

test.after(() => lab?.down());

test('a real Prometheus with deploy/monitoring/alerts.yaml scraping a live comms-watch fires the finding alerts for lab traffic, and only those', async () => {
  lab = labUp('m', 30);
  const L = lab;
  const data = join(L.dir, 'prometheus');
  mkdirSync(data);
  const config = join(L.dir, 'prometheus.yml');
  // The `node` label is what the prometheus-operator overlay's ServiceMonitor relabels from the pod's node.
  writeFileSync(config, [
    'global: {scrape_interval: 1s, evaluation_interval: 1s}',
    `rule_files: [${JSON.stringify(resolve('deploy/monitoring/alerts.yaml'))}]`,
    'scrape_configs:',
    '  - job_name: comms-watch',
    '    static_configs: [{targets: ["127.0.0.1:9469"], labels: {node: "lab-node-a"}}]',
    '',
  ].join('\n'));

  const servers = L.run(L.b, process.execPath, ['-e', SERVERS, L.ipB]);
  const watch = L.run(L.a, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifA, '--no-tui', '--json', '-f', 'tcp', '--no-from-node', '--metrics', '127.0.0.1:9469']);
  let stdout = '';
  let firstFinding = 0;
  watch.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!firstFinding && stdout.includes('"type":"finding"')) firstFinding = Date.now();
  });
  const prom = L.run(L.a, 'prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${data}`, '--web.listen-address=127.0.0.1:9090']);
  await Promise.all([waitOutput(servers, 'listening', 10_000), waitOutput(watch, 'capturing on', 15_000), waitOutput(prom, 'Server is ready to receive web requests', 20_000)]);
  await until(async () => ((await api<{ result: Series[] }>(L.a, '/api/v1/query', 'up{job="comms-watch"} == 1')).result.length === 1 ? true : null), 30_000, 'the first scrape').catch(async (e: Error) => {
    throw new Error(`${e.message}; targets ${JSON.stringify(await api(L.a, '/api/v1/targets').catch((x: Error) => x.message))}`);
  });
  const before = await api<{ alerts: Alert[] }>(L.a, '/api/v1/alerts');
  assert.equal(before.alerts.filter((a) => a.state === 'firing'), [], 'nothing fires before the traffic');

  const sent = Date.now();
  const readonly = L.run(L.a, 'curl', ['-sf', `http://${L.ipB}:10255/pods`]);
  const apiserver = L.run(L.a, 'curl', ['-sf', '-H', `Authorization: Bearer ${token}`, `http://${L.ipB}:6443/api/v1/namespaces/default/pods`]);
  assert.is(await exited(readonly, 10_000), 0);
  assert.is(await exited(apiserver, 10_000), 0);

  const firing = (alerts: Alert[], name: string, rule: string) => alerts.find((a) => a.state === 'firing' && a.labels.alertname === name && a.labels.rule === rule);
  const alerts = await until(async () => {
    const { alerts } = await api<{ alerts: Alert[] }>(L.a, '/api/v1/alerts');
    return firing(alerts, 'CommsWatchCriticalFinding', 'cleartext-credentials') && firing(alerts, 'CommsWatchHighFinding', 'kubelet-readonly-port') ? alerts : null;
  }, 30_000, () => `the finding alerts; comms-watch wrote ${stdout.slice(0, 2000)}`);
  const latency = Date.now() - sent;
  console.log(`  after the traffic: first finding record ${firstFinding - sent} ms, finding alerts firing ${latency} ms`);
  assert.ok(latency < 15_000, `${latency} ms`);

  const crit = firing(alerts, 'CommsWatchCriticalFinding', 'cleartext-credentials')!;
  assert.equal({ severity: crit.labels.severity, node: crit.labels.node, instance: crit.labels.instance }, { severity: 'critical', node: 'lab-node-a', instance: '127.0.0.1:9469' });
  assert.ok(firing(alerts, 'CommsWatchCriticalFinding', 'cleartext-apiserver'), 'an apiserver spoken to over plain HTTP is critical too');
  assert.is(firing(alerts, 'CommsWatchHighFinding', 'kubelet-readonly-port')!.labels.severity, 'high');
  for (const a of alerts.filter((x) => x.state === 'firing')) {
    assert.ok(['CommsWatchCriticalFinding', 'CommsWatchHighFinding'].includes(a.labels.alertname!), `unexpected ${a.labels.alertname}`);
    assert.ok(['critical', 'high'].includes(a.labels.severity!), JSON.stringify(a.labels));
  }
  const { groups } = await api<{ groups: { rules: Rule[] }[] }>(L.a, '/api/v1/rules');
  const rules = groups.flatMap((g) => g.rules);
  assert.equal(rules.map((r) => r.name).sort(), ['CommsWatchCaptureStalled', 'CommsWatchCriticalFinding', 'CommsWatchFlowsEvicted', 'CommsWatchHighFinding', 'CommsWatchPacketDrops']);
  for (const r of rules) assert.is(r.health, 'ok', `${r.name}: ${r.lastError}`);

  const { stdout: metrics } = await run('ip', ['netns', 'exec', L.a, 'curl', '-sf', 'http://127.0.0.1:9469/metrics']);
  assert.not.ok(metrics.includes(token.slice(3)), 'the bearer token is not in the metrics');
  assert.not.ok(stdout.includes(token.slice(3)), 'nor in the JSON lines');
});

test('every PromQL expression of deploy/monitoring/grafana-dashboard.json returns series from that Prometheus', async () => {
  const L = lab!;
  const queries = dashboardQueries();
  assert.ok(queries.length >= 10, `${queries.length} queries`);
  // Rates over 30 s need two samples of a series that appeared with the traffic.
  await sleep(3000);
  for (const q of queries) {
    const result = await until(async () => {
      const r = await api<{ resultType: string; result: Series[] }>(L.a, '/api/v1/query', q.expr);
      return r.result.length > 0 ? r.result : null;
    }, 10_000, `series for "${q.panel}": ${q.expr}`);
    for (const s of result) assert.ok(Number.isFinite(Number(s.value[1])), `${q.panel}: ${JSON.stringify(s)}`);
    if (q.expr.includes('by (node)')) assert.equal(result.map((s) => s.metric.node), ['lab-node-a'], q.expr);
  }
  const byVerdict = await api<{ result: Series[] }>(L.a, '/api/v1/query', 'sum by (path, verdict) (comms_watch_connections_total)');
  const paths = byVerdict.result.map((s) => `${s.metric.path} ${s.metric.verdict}`).sort();
  assert.ok(paths.some((p) => p.startsWith('kubelet-readonly ')), paths.join(', '));
  const nodes = await api<string[]>(L.a, '/api/v1/label/node/values');
  assert.equal(nodes, ['lab-node-a'], 'the dashboard variable label_values(comms_watch_packets_total, node)');
});

test.run();
