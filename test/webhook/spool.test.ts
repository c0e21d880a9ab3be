import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookSink, type WebhookOptions } from '../../src/outputs/webhook/index.js';
import { Receiver, finding } from './receiver.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cw-spool-'));
}

/** A port nothing listens on: a receiver that is down. */
async function downUrl(): Promise<{ rx: Receiver; url: string }> {
  const rx = new Receiver();
  await rx.start();
  const url = rx.url;
  await rx.stop();
  return { rx, url };
}

function opts(url: string, spoolDir: string, extra: Partial<WebhookOptions> = {}): WebhookOptions {
  return { urls: [url], format: 'json', spoolDir, timeoutSeconds: 5, retryBaseMs: 20, retryMaxMs: 100, ...extra };
}

/** Spools findings with the receiver down and closes: what a crashed or stopped process leaves behind. */
async function spoolWhileDown(dir: string, url: string, records: ReturnType<typeof finding>[], extra: Partial<WebhookOptions> = {}) {
  const sink = await createWebhookSink(opts(url, dir, { timeoutSeconds: 0.2, ...extra }));
  for (const r of records) sink.write(r);
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  return stats;
}

function spoolFiles(dir: string): string[] {
  const [recv] = readdirSync(dir).filter((n) => n.startsWith('r-'));
  return readdirSync(join(dir, recv)).map((n) => join(dir, recv, n));
}

test('a torn last line (crash mid-write) and a garbage line are skipped; complete lines are delivered', async () => {
  const dir = tmp();
  const { rx, url } = await downUrl();
  await spoolWhileDown(dir, url, [0, 1, 2, 3, 4].map((i) => finding(i)));
  const files = spoolFiles(dir);
  assert.is(files.length, 1);
  const text = readFileSync(files[0], 'utf8');
  assert.is(text.split('\n').length, 6, 'five JSON lines');
  // Garbage in the middle, and the last line cut in half, as if the process died inside write(); left as .tmp.
  const lines = text.split('\n');
  const torn = lines.slice(0, 2).join('\n') + '\n{"v":1,"finding":{garbage\n' + lines.slice(2, 4).join('\n') + '\n' + lines[4].slice(0, 40);
  writeFileSync(files[0] + '.tmp', torn);
  renameSync(files[0], files[0] + '.old');
  writeFileSync(files[0] + '.old', '');

  await rx.start(Number(new URL(url).port));
  const sink = await createWebhookSink(opts(rx.url, dir));
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  await rx.stop();
  const ids = rx.envelopes().map((e) => e.finding.id).sort();
  assert.equal(ids, [0, 1, 2, 3].map((i) => finding(i).id).sort());
  assert.is(stats.corrupt, 2);
  assert.is(stats.spooled, 0);
  rmSync(dir, { recursive: true, force: true });
});

test('spool cap: info entries are dropped first, oldest first, and counted; the spool stays under the cap', async () => {
  const dir = tmp();
  const { rx, url } = await downUrl();
  const line = Buffer.byteLength(JSON.stringify({ v: 1, finding: finding(0) })) + 1;
  const cap = line * 12 + line / 2;
  const first = [0, 1, 2, 3, 4, 5].map((i) => finding(i, { severity: 'info' }));
  const then = [10, 11, 12, 13, 14, 15, 16, 17].map((i) => finding(i, { severity: 'high' }));
  const s1 = await spoolWhileDown(dir, url, first, { maxSpoolBytes: cap });
  assert.is(s1.droppedSpoolFull, 0);
  const s2 = await spoolWhileDown(dir, url, then, { maxSpoolBytes: cap });
  assert.is(s2.droppedBySeverity.info, 2);
  assert.is(s2.droppedBySeverity.high, 0);
  assert.is(s2.droppedSpoolFull, 2);
  const bytes = spoolFiles(dir).reduce((n, f) => n + statSync(f).size, 0);
  assert.ok(bytes <= cap, `spool ${bytes} bytes <= cap ${cap}`);

  await rx.start(Number(new URL(url).port));
  const sink = await createWebhookSink(opts(rx.url, dir, { maxSpoolBytes: cap }));
  await sink.flush();
  await sink.close();
  await rx.stop();
  const got = new Set(rx.envelopes().map((e) => e.finding.id));
  for (const f of then) assert.ok(got.has(f.id), 'every high finding delivered');
  // The two oldest info findings went.
  assert.not.ok(got.has(first[0].id));
  assert.not.ok(got.has(first[1].id));
  for (const f of first.slice(2)) assert.ok(got.has(f.id));
  rmSync(dir, { recursive: true, force: true });
});

test('count updates are coalesced: only the latest revision of a spooled finding is sent', async () => {
  const dir = tmp();
  const { rx, url } = await downUrl();
  await spoolWhileDown(dir, url, [finding(1, { revision: 1 }), finding(2)]);
  const s = await spoolWhileDown(dir, url, [finding(1, { revision: 2 }), finding(1, { revision: 3 })]);
  assert.ok(s.coalesced >= 2);
  await rx.start(Number(new URL(url).port));
  const sink = await createWebhookSink(opts(rx.url, dir));
  await sink.flush();
  await sink.close();
  await rx.stop();
  const keys = rx.envelopes().map((e) => e.idempotency_key).sort();
  assert.equal(keys, [`${finding(1).id}#3`, `${finding(2).id}#1`].sort());
  rmSync(dir, { recursive: true, force: true });
});

test('per-rule rate limit holds back a storm of one rule without delaying others', async () => {
  const dir = tmp();
  const rx = new Receiver();
  await rx.start();
  const sink = await createWebhookSink(opts(rx.url, dir, { ratePerRulePerMinute: 3, timeoutSeconds: 0.5 }));
  for (let i = 0; i < 10; i++) sink.write(finding(i, { rule: 'handshake-not-observed', severity: 'info' }));
  for (let i = 0; i < 2; i++) sink.write(finding(100 + i, { rule: 'etcd-cleartext', severity: 'critical' }));
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  await rx.stop();
  const rules = rx.envelopes().map((e) => e.finding.rule);
  assert.is(rules.filter((r) => r === 'handshake-not-observed').length, 3);
  assert.is(rules.filter((r) => r === 'etcd-cleartext').length, 2);
  assert.is(stats.heldBack, 7);
  assert.is(stats.spooled, 7, 'held-back findings stay spooled for later');
  rmSync(dir, { recursive: true, force: true });
});

test('bounded memory queue: a burst beyond it drops the oldest lowest-severity findings, counted', async () => {
  const dir = tmp();
  const rx = new Receiver();
  await rx.start();
  const sink = await createWebhookSink(opts(rx.url, dir, { maxQueue: 4 }));
  for (let i = 0; i < 3; i++) sink.write(finding(i, { severity: 'info' }));
  for (let i = 10; i < 13; i++) sink.write(finding(i, { severity: 'critical' }));
  sink.write(finding(20, { severity: 'info' }));
  await sink.flush();
  const stats = sink.stats;
  await sink.close();
  await rx.stop();
  assert.is(stats.droppedQueueFull, 3);
  const ids = rx.envelopes().map((e) => e.finding.id).sort();
  // Same severity: the newer info finding replaces the older one.
  assert.equal(ids, [finding(20).id, finding(10).id, finding(11).id, finding(12).id].sort());
  rmSync(dir, { recursive: true, force: true });
});

test.run();
