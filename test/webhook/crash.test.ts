import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Receiver, finding, waitFor } from './receiver.js';

const DRIVER = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'crash-driver.ts');

function driver(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, out: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

test('kill -9 while the receiver is down and again mid-delivery: the restarted process delivers every finding', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-crash-'));
  const rx = new Receiver();
  rx.behaviour = () => ({ status: 200, delayMs: 60 });
  await rx.start();
  const port = rx.port;
  await rx.stop();
  const N = 40;

  const first = driver([dir, rx.url, 'write', String(N)]);
  assert.ok(await waitFor(() => first.out().includes('SPOOLED'), 8000), 'driver spooled its findings');
  // Receiver comes back; kill the sender while requests are in flight and most alerts are still unsent.
  await rx.start(port);
  assert.ok(await waitFor(() => rx.requests.length >= 3, 8000), 'delivery started');
  first.child.kill('SIGKILL');
  await exited(first.child);
  const beforeKill = new Set(rx.envelopes().map((e) => e.finding.id)).size;
  assert.ok(beforeKill < N, `killed mid-delivery (${beforeKill}/${N} delivered)`);
  assert.ok(existsSync(join(dir, 'lock')), 'the dead process left its lock behind');

  const second = driver([dir, rx.url, 'resume']);
  assert.is(await exited(second.child), 0);
  const stats = JSON.parse(second.out().trim());
  await rx.stop();

  const ids = new Set(rx.envelopes().map((e) => e.finding.id));
  for (let i = 0; i < N; i++) assert.ok(ids.has(finding(i).id), `finding ${i} delivered`);
  assert.is(stats.spooled, 0);
  assert.is(stats.corrupt, 0);
  assert.ok(stats.delivered >= N - beforeKill, 'the restart sent what the killed process had not');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
