import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { exited, kubeletPki, labUp, sleep, waitOutput, type Lab } from './netns.js';

/** Collects a child's stdout as JSON lines. */
function jsonLines(p: ChildProcess): { records: Record<string, unknown>[]; raw: () => string } {
  const records: Record<string, unknown>[] = [];
  let buf = '';
  let all = '';
  p.stdout!.on('data', (d: Buffer) => {
    all += d.toString('latin1');
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return { records, raw: () => all };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const HTTP_SERVER = `require('http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{"kind":"PodList"}')); }).listen(8080, process.argv[1], () => console.log('listening'));`;

test('watch on a veth: kubelet TLS and a cleartext bearer request become connection and finding records; SIGTERM exits 0 with a summary', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('w', 1);
    const L = lab;
    const token = `cwt${randomBytes(24).toString('hex')}`;
    const pki = kubeletPki(L.dir);
    // TLS 1.2 so the kubelet's certificate is on the wire without a key log (as many kubelets still negotiate).
    const kubelet = L.run(L.b, 'openssl', ['s_server', '-accept', `${L.ipB}:10250`, '-cert', pki.cert, '-key', pki.key, '-cert_chain', pki.ca, '-www', '-no_tls1_3', '-naccept', '2']);
    const api = L.run(L.b, process.execPath, ['-e', HTTP_SERVER, L.ipB]);
    const watch = L.run(L.a, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifA, '--no-tui', '--json', '-f', 'tcp', '--no-from-node']);
    const out = jsonLines(watch);
    let stderr = '';
    watch.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await Promise.all([waitOutput(kubelet, 'ACCEPT', 10_000), waitOutput(api, 'listening', 10_000), waitOutput(watch, 'capturing on', 15_000)]);

    const sclient = L.run(L.a, 'openssl', ['s_client', '-connect', `${L.ipB}:10250`, '-servername', 'node1']);
    const curlTls = L.run(L.a, 'curl', ['-sk', `https://${L.ipB}:10250/pods`]);
    const curlHttp = L.run(L.a, 'curl', ['-s', '-H', `Authorization: Bearer ${token}`, `http://${L.ipB}:8080/api/v1/namespaces/default/pods`]);
    assert.is(await exited(curlHttp, 10_000), 0, 'curl over cleartext succeeded');
    assert.is(await exited(curlTls, 10_000), 0, 'curl -k to the kubelet port succeeded');
    await exited(sclient, 10_000);

    const conn = (port: string) => out.records.find((r) => r.type === 'connection' && String(r.server) === `${L.ipB}:${port}`);
    const finding = (rule: string) => out.records.find((r) => r.type === 'finding' && r.rule === rule);
    try {
      await until(() => Boolean(conn('10250') && conn('8080') && finding('kubelet-cert-unverifiable') && finding('cleartext-credentials')), 12_000, 'records');
    } catch (e) {
      watch.kill('SIGTERM');
      await exited(watch, 5000).catch(() => null);
      throw new Error(`${(e as Error).message}: ${out.raw().slice(0, 3000)} stderr ${stderr}`);
    }

    const kc = conn('10250')!;
    assert.is(kc.path, 'apiserver-kubelet');
    assert.is(kc.proto, 'tls');
    assert.is(String(kc.client).split(':')[0], L.ipA);
    const chain = (kc.tls as { server_chain: { subject: string; issuer: string }[] }).server_chain;
    assert.ok(chain[0]!.subject.includes('node1@1700000000'), chain[0]!.subject);
    assert.ok(chain[0]!.issuer.includes('node1-ca@1700000000'), chain[0]!.issuer);
    const hc = conn('8080')!;
    assert.is(hc.proto, 'http');
    assert.is(hc.verdict, 'insecure');
    assert.is(finding('kubelet-cert-unverifiable')!.server, `${L.ipB}:10250`);
    assert.ok(finding('cleartext-apiserver'), 'cleartext-apiserver for an apiserver path over HTTP');
    assert.is(finding('cleartext-credentials')!.server, `${L.ipB}:8080`);

    watch.kill('SIGTERM');
    assert.is(await exited(watch, 10_000), 0, `exit code; stderr ${stderr}`);
    const summary = out.records.find((r) => r.type === 'summary') as { packets: number; drops: { kernel: number }; findings: Record<string, number> } | undefined;
    assert.ok(summary, 'summary record at the end');
    assert.ok(summary!.packets > 20, `packets ${summary!.packets}`);
    assert.is(summary!.drops.kernel, 0);
    const distinct = new Set(out.records.filter((r) => r.type === 'finding').map((r) => r.id));
    const bySeverity = Object.values(summary!.findings).reduce((a, b) => a + b, 0);
    assert.is(bySeverity, distinct.size, 'summary counts every distinct finding once');
    assert.ok(stderr.includes('dropped privileges to nobody'), stderr);
    assert.not.ok(out.raw().includes(token.slice(3)), 'the bearer token is not in the JSON output');
    assert.not.ok(stderr.includes(token.slice(3)), 'nor on stderr');
  } finally {
    lab?.down();
  }
});

test.run();
