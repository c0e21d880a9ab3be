import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const promtool = (...args: string[]) => spawnSync('promtool', args, { encoding: 'utf8' });

test('promtool check rules: deploy/monitoring/alerts.yaml is valid, five rules', () => {
  const r = promtool('check', 'rules', 'deploy/monitoring/alerts.yaml');
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 5 rules found/);
});

test('promtool test rules: the hand-computed expectations of alerts.test.yaml hold', () => {
  const r = promtool('test', 'rules', 'deploy/monitoring/alerts.test.yaml');
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('promtool rejects a broken rule and a wrong expectation (both checks above can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-promtool-'));
  try {
    const rules = readFileSync('deploy/monitoring/alerts.yaml', 'utf8');
    writeFileSync(join(dir, 'alerts.yaml'), rules.replace('rate(comms_watch_flows_evicted_total[10m])', 'rate(comms_watch_flows_evicted_total)'));
    const bad = promtool('check', 'rules', join(dir, 'alerts.yaml'));
    assert.is.not(bad.status, 0, 'a range function without a range is an error');
    copyFileSync('deploy/monitoring/alerts.yaml', join(dir, 'alerts.yaml'));
    // One minute early: n1's drop alert is still pending at 10m.
    const tests = readFileSync('deploy/monitoring/alerts.test.yaml', 'utf8').replace('eval_time: 11m', 'eval_time: 10m');
    writeFileSync(join(dir, 'alerts.test.yaml'), tests);
    const wrong = promtool('test', 'rules', join(dir, 'alerts.test.yaml'));
    assert.is.not(wrong.status, 0, wrong.stdout);
    assert.match(wrong.stdout + wrong.stderr, /alertname: CommsWatchPacketDrops, time: 10m/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
