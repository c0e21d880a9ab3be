import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const run = (args: string[]) => spawnSync(process.execPath, ['bin/comms-watch.mjs', ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });

test('probe --probe-dry-run names each target, its path by port and what would be sent, and sends nothing', () => {
  // 192.0.2.0/24 is TEST-NET-1: were anything sent it would go nowhere, and the command would take seconds.
  const t0 = Date.now();
  const r = run(['probe', '192.0.2.10:10250', '192.0.2.11:2379', '[2001:db8::1]:6443', '--probe-dry-run', '--json']);
  assert.is(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 < 20_000);
  const plans = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; server: string; path: string; would_send: string[] });
  assert.equal(plans.map((p) => [p.type, p.server, p.path]), [
    ['probe_planned', '192.0.2.10:10250', 'apiserver-kubelet'],
    ['probe_planned', '192.0.2.11:2379', 'etcd'],
    ['probe_planned', '[2001:db8::1]:6443', 'node-apiserver'],
  ]);
  assert.ok(plans[0]!.would_send.some((s) => s.startsWith('GET /pods')));
  assert.not.ok(plans[1]!.would_send.some((s) => s.includes('GET')));
});

test('probe: bad targets and paths are usage errors (exit 2, one line)', () => {
  for (const args of [['probe'], ['probe', '10.0.0.1'], ['probe', '10.0.0.1:99999'], ['probe', '[10.0.0.1]:443'], ['probe', '10.0.0.1:443', '--path', 'ssh-tunnel']]) {
    const r = run(args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('analyze --probe cannot read standard input twice: a usage error, nothing probed', () => {
  const r = spawnSync(process.execPath, ['bin/comms-watch.mjs', 'analyze', '-', '--probe'], { input: Buffer.alloc(0), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.is(r.status, 2);
  assert.match(r.stderr, 'cannot read stdin');
});

test('--probe-interval and --probe-timeout are bounded', () => {
  assert.is(run(['watch', '--probe', '--probe-interval', '10s', '-i', 'lo']).status, 2);
  assert.is(run(['probe', '192.0.2.1:443', '--probe-timeout', '60']).status, 2);
});

test.run();
