import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookSink, defaultSpoolDir } from '../../src/outputs/webhook/index.js';
import { Receiver, finding, verifySignature, waitFor } from './receiver.js';

const SECRET = 'correct horse battery staple';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cw-webhook-'));
}

test('flaky receiver (500s, hangs, 429 Retry-After, outage): every finding arrives, signed, repeats keep their key', async () => {
  const dir = tmp();
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, SECRET + '\n');
  const rx = new Receiver();
  const retryAfterDate = { n: 0, until: 0 };
  rx.behaviour = (n) => {
    if (n === 3) return { status: 429, headers: { 'retry-after': '1' } };
    if (n === 6) {
      retryAfterDate.n = n;
      retryAfterDate.until = Date.now() + 2000;
      return { status: 429, headers: { 'retry-after': new Date(retryAfterDate.until).toUTCString() } };
    }
    if (n % 5 === 0) return 'hang';
    return n % 2 === 1 ? { status: 500 } : { status: 200 };
  };
  await rx.start();
  const logs: string[] = [];
  const sink = await createWebhookSink({
    urls: [rx.url.replace('http://', 'http://user:pw@')],
    format: 'json',
    secretFile,
    spoolDir: join(dir, 'spool'),
    timeoutSeconds: 20,
    requestTimeoutMs: 300,
    retryBaseMs: 20,
    retryMaxMs: 200,
    batchMax: 4,
    log: (l) => logs.push(l),
  });
  const N = 30;
  for (let i = 0; i < N; i++) sink.write(finding(i));
  sink.write({ type: 'path', path: 'etcd' });
  sink.write({ type: 'finding', rule: 'etcd-cleartext' });
  // The receiver goes away for a while, then comes back on the same port.
  assert.ok(await waitFor(() => rx.requests.length >= 8, 8000), 'receiver saw traffic');
  const port = rx.port;
  await rx.stop();
  for (let i = 0; i < 5; i++) sink.write(finding(i, { revision: 2 }));
  await new Promise((r) => setTimeout(r, 400));
  await rx.start(port);
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  await rx.stop();

  const env = rx.envelopes();
  const latest = new Map<string, number>();
  const byKey = new Map<string, string>();
  for (const e of env) {
    latest.set(e.finding.id, Math.max(latest.get(e.finding.id) ?? 0, e.finding.revision));
    assert.is(e.idempotency_key, `${e.finding.id}#${e.finding.revision}`);
    const body = JSON.stringify(e.finding);
    if (byKey.has(e.idempotency_key)) assert.is(body, byKey.get(e.idempotency_key), 'a repeat is the same alert');
    byKey.set(e.idempotency_key, body);
  }
  for (let i = 0; i < N; i++) assert.is(latest.get(finding(i).id), i < 5 ? 2 : 1, `finding ${i} delivered`);
  assert.ok(env.length > byKey.size, 'hung requests were retried, so some keys arrived twice');
  for (const r of rx.requests) {
    assert.ok(verifySignature(SECRET, r), 'HMAC of the raw body with the trimmed secret');
    assert.is(r.headers.authorization, 'Basic ' + Buffer.from('user:pw').toString('base64'));
    assert.is(r.url, '/hook');
  }
  // Retry-After: 1 (seconds) and an HTTP-date two seconds out were both waited for.
  assert.ok(rx.requests[3].at - rx.requests[2].at >= 950, `waited ${rx.requests[3].at - rx.requests[2].at} ms after Retry-After: 1`);
  // HTTP-date has one-second resolution: the wait is at least the whole seconds left.
  const gap = rx.requests[6].at - rx.requests[5].at;
  assert.ok(gap >= 950, `waited ${gap} ms after a Retry-After date`);
  assert.is(stats.spooled, 0);
  assert.is(stats.queued, 0);
  assert.is(stats.received, N + 5);
  assert.is(stats.invalid, 1, 'a finding without id/revision is counted, not sent');
  assert.ok(stats.retries > 0);
  assert.ok(logs.length > 0);
  for (const l of logs) {
    assert.not.ok(l.includes('pw'), 'no URL credentials in logs');
    assert.not.ok(l.includes(SECRET));
    assert.not.ok(l.includes('/hook'), 'no URL path in logs');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('slack format: one message of mrkdwn section blocks, control characters escaped', async () => {
  const dir = tmp();
  const rx = new Receiver();
  await rx.start();
  const sink = await createWebhookSink({ urls: [rx.url], format: 'slack', spoolDir: dir, timeoutSeconds: 5 });
  const f = { ...finding(3), remediation: 'Use <tls> & verify' };
  sink.write(f);
  await sink.flush();
  await sink.close();
  await rx.stop();
  assert.is(rx.requests.length, 1);
  const msg = JSON.parse(rx.requests[0].body.toString());
  assert.is(msg.text, '[high] kubelet-cert-unverifiable: 10.20.0.13:50003 -&gt; 10.20.1.5:10250');
  assert.is(msg.blocks[0].type, 'section');
  assert.is(msg.blocks[0].text.type, 'mrkdwn');
  assert.ok(msg.blocks[0].text.text.includes('fix: Use &lt;tls&gt; &amp; verify'));
  assert.ok(msg.blocks[0].text.text.startsWith('*[HIGH] kubelet-cert-unverifiable* (new finding)'));
  assert.is(msg.blocks[1].elements[0].text, `key ${f.id}#1`);
  assert.not.ok('x-comms-watch-signature' in rx.requests[0].headers, 'no signature without a secret');
  rmSync(dir, { recursive: true, force: true });
});

test('write() returns immediately while the receiver hangs', async () => {
  const dir = tmp();
  const rx = new Receiver();
  rx.behaviour = () => 'hang';
  await rx.start();
  const sink = await createWebhookSink({ urls: [rx.url], format: 'json', spoolDir: dir, timeoutSeconds: 1, requestTimeoutMs: 5000 });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) sink.write(finding(i));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 500, `2000 writes took ${ms} ms`);
  const f0 = Date.now();
  await sink.flush();
  const waited = Date.now() - f0;
  assert.ok(waited >= 900 && waited < 3000, `flush bounded by the timeout (${waited} ms)`);
  assert.is(sink.stats.spooled, 2000, 'undelivered alerts stay spooled');
  await sink.close();
  await rx.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a hanging receiver delays only itself: the other receiver gets everything at once', async () => {
  const dir = tmp();
  const slow = new Receiver();
  slow.behaviour = () => 'hang';
  const fast = new Receiver();
  await slow.start();
  await fast.start();
  const sink = await createWebhookSink({ urls: [slow.url, fast.url], format: 'json', spoolDir: dir, timeoutSeconds: 1, requestTimeoutMs: 10_000, ratePerRulePerMinute: 0 });
  for (let i = 0; i < 120; i++) sink.write(finding(i));
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  await slow.stop();
  await fast.stop();
  assert.is(new Set(fast.envelopes().map((e) => e.idempotency_key)).size, 120);
  assert.is(stats.receivers.length, 2);
  assert.is(stats.receivers.find((r) => r.target.includes(String(fast.port)))!.pending, 0);
  assert.is(stats.receivers.find((r) => r.target.includes(String(slow.port)))!.pending, 120);
  rmSync(dir, { recursive: true, force: true });
});

test('a second process cannot share a live spool', async () => {
  const dir = tmp();
  const sink = await createWebhookSink({ urls: ['http://127.0.0.1:9/x'], format: 'json', spoolDir: dir, timeoutSeconds: 1 });
  try {
    await createWebhookSink({ urls: ['http://127.0.0.1:9/x'], format: 'json', spoolDir: dir, timeoutSeconds: 1 });
    assert.unreachable('second sink on the same spool');
  } catch (e) {
    assert.match((e as Error).message, /in use by process/);
  }
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

test('default spool directory: /var/lib as root, XDG state dir otherwise', () => {
  assert.is(defaultSpoolDir({}, 0), '/var/lib/comms-watch/spool');
  assert.is(defaultSpoolDir({ XDG_STATE_HOME: '/srv/state' }, 1000), '/srv/state/comms-watch/spool');
  assert.ok(defaultSpoolDir({}, 1000).endsWith('/.local/state/comms-watch/spool'));
});

test.run();
