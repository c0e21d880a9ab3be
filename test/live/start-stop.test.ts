import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { soak } from '../../scripts/start-stop-soak.js';
import { exited, labUp, sleep, waitOutput, type Lab } from './netns.js';

/**
 * Issue 16, a capture that never goes blind: start/stop cycles with a tcpdump witness (the soak
 * script, fewer cycles), and a capture broken under the watch (link down and up, veth deleted
 * and re-created) that is reported, re-established and counted in /metrics.
 */
test('8 start/stop cycles on a veth: no blind run, every exit within 1 s of SIGTERM with its summary last', async () => {
  const r = await soak(8, (l) => console.log(`  ${l}`));
  console.log(`  exit after SIGTERM: min ${r.exitMs.min.toFixed(0)} / median ${r.exitMs.median.toFixed(0)} / max ${r.exitMs.max.toFixed(0)} ms`);
  assert.is(r.blind, 0, 'blind runs (fewer packets counted than the witness saw)');
  assert.is(r.slowExits, 0, 'exits later than 1 s or not 0');
  assert.is(r.unflushed, 0, 'runs whose last line is not the summary');
});

function stderrOf(p: ChildProcess): () => string {
  let t = '';
  p.stderr!.on('data', (d: Buffer) => (t += d.toString()));
  return () => t;
}

async function replay(L: Lab): Promise<number> {
  const p = L.run(L.a, 'tcpreplay', ['-i', L.ifA, '--pps=2000', 'captures/mixed.pcap']);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  assert.is(await exited(p, 20_000), 0, 'tcpreplay');
  return Number(/Actual: (\d+) packets/.exec(out)?.[1]);
}

function reopens(L: Lab, port: number): Record<string, number> {
  const text = execFileSync('ip', ['netns', 'exec', L.b, 'curl', '-s', `http://127.0.0.1:${port}/metrics`], { encoding: 'utf8' });
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^comms_watch_capture_reopens_total\{how="(\w+)"\} (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function summaryPackets(watch: ChildProcess, lines: string[]): Promise<number> {
  process.kill(watch.pid!, 'SIGTERM');
  assert.is(await exited(watch, 5000), 0, 'watch exit');
  const last = JSON.parse(lines[lines.length - 1]!) as { type: string; packets: number };
  assert.is(last.type, 'summary');
  return last.packets;
}

function stdoutLines(p: ChildProcess): string[] {
  const lines: string[] = [];
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      if (nl > 0) lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return lines;
}

function metric(L: Lab, port: number, name: string): number {
  const text = execFileSync('ip', ['netns', 'exec', L.b, 'curl', '-s', `http://127.0.0.1:${port}/metrics`], { encoding: 'utf8' });
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** Both veth ends carry again (the kernel's link watch can take up to a second to say so). */
async function carrier(L: Lab): Promise<void> {
  for (const [ns, dev] of [[L.a, L.ifA], [L.b, L.ifB]] as const) {
    await until(() => /state UP/.test(execFileSync('ip', ['-n', ns, 'link', 'show', dev], { encoding: 'utf8' })), 5000, `${dev} up`);
  }
}

test('link set down and up under the watch (unprivileged): said on stderr, resumed, counted, and the next replay is seen', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('l', 53, { mtu: 65535 });
    const L = lab;
    const watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node', '--metrics', '127.0.0.1:9465']);
    const err = stderrOf(watch);
    const lines = stdoutLines(watch);
    await waitOutput(watch, 'capturing on', 15_000);
    let sent = await replay(L);
    // Down once the first replay is read, so the socket's error is a wake-up of its own.
    await until(() => metric(L, 9465, 'comms_watch_packets_total') === sent, 3000, 'first replay read');
    execFileSync('ip', ['-n', L.b, 'link', 'set', L.ifB, 'down']);
    await until(() => /broken/.test(err()) && /resumed/.test(err()), 3000, `broken and resumed said on stderr: ${err()}`);
    execFileSync('ip', ['-n', L.b, 'link', 'set', L.ifB, 'up']);
    await carrier(L);
    sent += await replay(L);
    await until(() => metric(L, 9465, 'comms_watch_packets_total') === sent, 3000, 'second replay read');
    assert.equal(reopens(L, 9465), { resumed: 1 }, 'comms_watch_capture_reopens_total');
    assert.is(await summaryPackets(watch, lines), sent, `packets of both replays counted; stderr ${err()}`);
  } finally {
    lab?.down();
  }
});

test('veth deleted and re-created under the watch: said, re-opened on the new interface, counted, and the next replay is seen', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('l', 54, { mtu: 65535 });
    const L = lab;
    // A new session needs CAP_NET_RAW, which dropping to nobody gives up: this run keeps root.
    const watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node', '--metrics', '127.0.0.1:9466', '--user', 'root']);
    const err = stderrOf(watch);
    const lines = stdoutLines(watch);
    await waitOutput(watch, 'capturing on', 15_000);
    let sent = await replay(L);
    // Packets still in the old socket when its interface goes are gone with it: read them first.
    await until(() => metric(L, 9466, 'comms_watch_packets_total') === sent, 3000, 'first replay read');
    execFileSync('ip', ['-n', L.a, 'link', 'del', L.ifA]);
    await until(() => /broken/.test(err()), 3000, `a broken capture said on stderr: ${err()}`);
    execFileSync('ip', ['link', 'add', L.ifA, 'netns', L.a, 'type', 'veth', 'peer', 'name', L.ifB, 'netns', L.b]);
    for (const [ns, dev, addr] of [[L.a, L.ifA, L.ipA], [L.b, L.ifB, L.ipB]] as const) {
      execFileSync('ip', ['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'mtu', '65535', 'up']);
    }
    await until(() => /reopened/.test(err()), 5000, `re-opened: ${err()}`);
    await until(() => execFileSync('ip', ['-n', L.b, 'link', 'show', L.ifB], { encoding: 'utf8' }).includes('LOWER_UP'), 5000, 'carrier');
    sent += await replay(L);
    await until(() => metric(L, 9466, 'comms_watch_packets_total') === sent, 3000, `second replay read (${metric(L, 9466, 'comms_watch_packets_total')} of ${sent}): ${err()}`);
    assert.equal(reopens(L, 9466), { reopened: 1 }, 'comms_watch_capture_reopens_total');
    assert.is(await summaryPackets(watch, lines), sent, `packets of both replays counted; stderr ${err()}`);
  } finally {
    lab?.down();
  }
});

test('the same without privileges to re-open: said on stderr, and the watch stops (exit 1) with its summary rather than going blind', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('l', 55, { mtu: 65535 });
    const L = lab;
    const watch = L.run(L.b, process.execPath, ['bin/comms-watch.mjs', '-i', L.ifB, '--no-tui', '--json', '-f', 'tcp', '--no-from-node']);
    const err = stderrOf(watch);
    const lines = stdoutLines(watch);
    await waitOutput(watch, 'capturing on', 15_000);
    const sent = await replay(L);
    execFileSync('ip', ['-n', L.a, 'link', 'del', L.ifA]);
    execFileSync('ip', ['link', 'add', L.ifA, 'netns', L.a, 'type', 'veth', 'peer', 'name', L.ifB, 'netns', L.b]);
    execFileSync('ip', ['-n', L.b, 'link', 'set', L.ifB, 'up']);
    assert.is(await exited(watch, 5000), 1, `exit code; stderr ${err()}`);
    assert.match(err(), /lost: cannot re-open/);
    const last = JSON.parse(lines[lines.length - 1]!) as { type: string; packets: number };
    assert.is(last.type, 'summary');
    assert.is(last.packets, sent);
  } finally {
    lab?.down();
  }
});

test.run();
