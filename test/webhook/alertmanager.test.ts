import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookSink } from '../../src/outputs/webhook/index.js';
import type { FindingRecord } from '../../src/findings/finding.js';
import { finding } from './receiver.js';

const AM = '/usr/bin/prometheus-alertmanager';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

test('alertmanager format: a real Alertmanager stores the alerts with rule/severity/path/node/client/server labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-am-'));
  const config = join(dir, 'am.yml');
  writeFileSync(config, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  const am = spawn(
    AM,
    [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      ready = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ready, 'alertmanager became ready');

    // apiserver -> kubelet: the node is the server side. node -> apiserver over IPv6: the node is the client.
    const kubelet = finding(7, { revision: 3 });
    const { cis: _unused, ...base8 } = finding(8, { rule: 'node-apiserver-no-client-cert', severity: 'info', path: 'node-apiserver' });
    const v6: FindingRecord = {
      ...base8,
      client: '[fd00::21]:40112',
      server: '[fd00::10]:6443',
      id: 'node-apiserver-no-client-cert|fd00::21|[fd00::10]:6443',
      evidence: { client_auth: 'not-requested' },
    };
    assert.is(_unused?.length, 1);
    const sink = await createWebhookSink({ urls: [base], format: 'alertmanager', spoolDir: join(dir, 'spool'), timeoutSeconds: 10 });
    sink.write(kubelet);
    sink.write(v6);
    await sink.flush();
    assert.is(sink.stats.delivered, 2);
    await sink.close();

    const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
    assert.is(alerts.length, 2);
    const a = alerts.find((x) => x.labels.rule === 'kubelet-cert-unverifiable')!;
    assert.equal(a.labels, {
      alertname: 'kubelet-cert-unverifiable',
      rule: 'kubelet-cert-unverifiable',
      severity: 'high',
      path: 'apiserver-kubelet',
      node: '10.20.1.5',
      client: '10.20.0.17',
      server: '10.20.1.5:10250',
    });
    assert.equal(JSON.parse(a.annotations.evidence), { subject: 'CN=worker-7@1700000000', self_signed: true });
    assert.is(a.annotations.remediation, kubelet.remediation);
    assert.is(a.annotations.count, '3');
    assert.is(a.annotations.cis, '1.2.5');
    assert.is(a.status.state, 'active');
    assert.is(Date.parse(a.startsAt), Date.parse('2026-11-28T10:00:00.130Z'));
    assert.ok(Date.parse(a.endsAt) > Date.now(), 'still firing');

    const b = alerts.find((x) => x.labels.rule === 'node-apiserver-no-client-cert')!;
    assert.is(b.labels.node, 'fd00::21');
    assert.is(b.labels.client, 'fd00::21');
    assert.is(b.labels.server, '[fd00::10]:6443');
    assert.is(b.labels.severity, 'info');
    assert.equal(JSON.parse(b.annotations.evidence), { client_auth: 'not-requested' });
    assert.is(b.annotations.cis, undefined);
  } finally {
    if (am.exitCode === null && am.signalCode === null) {
      am.kill('SIGTERM');
      await new Promise((r) => am.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
