import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, labUp, sleep, type Lab } from './netns.js';

/**
 * The real dashboard (`comms-watch watch` on a terminal) in tmux on its own socket, fed by
 * tcpreplay of captures/mixed.pcap and captures/hostile-strings.pcap through a veth, read back
 * with capture-pane at 200x60, 120x40 and 80x24. Expectations are written by hand: the mixed
 * findings from captures/EXPECTED.json, the hostile ones from captures/README.md.
 */
const SOCKET = 'cwt-k-layout';
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const pane = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'layout');

interface Raise { rule: string; client_ip: string; server: string }
const mixed = (JSON.parse(readFileSync('captures/EXPECTED.json', 'utf8')) as { captures: { file: string; must_raise: Raise[] }[] })
  .captures.find((c) => c.file === 'mixed.pcap')!.must_raise;
const hostile: Raise[] = [
  { rule: 'kubelet-cleartext', client_ip: '[fd00:77:61::1]', server: '[fd00:77:61::2]:10250' },
  { rule: 'kubelet-cert-unverifiable', client_ip: '10.77.61.1', server: '10.77.61.2:10250' },
  { rule: 'kubelet-client-auth-disabled', client_ip: '10.77.61.1', server: '10.77.61.2:10250' },
  { rule: 'apiserver-kubelet-no-client-cert', client_ip: '10.77.61.1', server: '10.77.61.2:10250' },
  { rule: 'kubelet-readonly-port', client_ip: '10.77.61.1', server: '10.77.61.2:10255' },
];
const FINDINGS = [...mixed, ...hostile];
const PAIRS = new Set(FINDINGS.map((f) => `${f.client_ip} -> ${f.server}`));

/** Columns per line as Python's unicodedata sees them (East Asian Width W/F = 2): a measure independent of ours. */
function widths(lines: string[]): number[] {
  const py = `import sys, unicodedata
for line in sys.stdin.read().split('\\n'):
    print(sum(0 if unicodedata.combining(c) or unicodedata.category(c) == 'Cf' else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in line))`;
  // The system's python3 (scripts/setup-system.sh installs it), not a version manager's slow shim.
  return execFileSync('/usr/bin/python3', ['-c', py], { input: lines.join('\n'), encoding: 'utf8' }).trim().split('\n').map(Number);
}

async function until<T>(what: string, ms: number, probe: () => T | null): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    try {
      const v = probe();
      if (v !== null) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`${what} not within ${ms} ms ${last}\n${pane()}`);
}

/** The body lines of the box whose top border carries `label`, without the borders. */
function box(lines: string[], label: string): string[] {
  const top = lines.findIndex((l) => l.startsWith('┌') && l.includes(` ${label} `));
  if (top < 0) return [];
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('└'));
  return lines.slice(top + 1, bottom < 0 ? undefined : bottom).map((l) => l.slice(1, -1));
}

function findingRows(lines: string[]): string[] {
  return box(lines, 'findings').slice(1).filter((l) => /^(CRIT|HIGH|MED|LOW|INFO)/.test(l));
}

/** Every line of the screen: as wide as the terminal at most, every box line closed by its border. */
function checkGeometry(lines: string[], w: number, h: number): void {
  assert.is(lines.length, h, 'one line per row');
  const ws = widths(lines);
  for (const [i, l] of lines.entries()) {
    assert.ok(ws[i]! <= w, `line ${i} is ${ws[i]} columns wide, the terminal ${w}: ${l}`);
    if (l.startsWith('│')) {
      assert.ok(l.endsWith('│'), `line ${i} lost its right border: ${l}`);
      assert.is(ws[i], w, `line ${i} of a box is not exactly the terminal's width: ${l}`);
    }
  }
  const text = lines.join('\n');
  assert.not.ok(text.includes('\ufffd'), 'no replacement character on screen');
  assert.not.ok(text.includes('\u202e'), 'no raw bidi override on screen');
}

/** Only SGR sequences (tmux re-emits blessed's colours) may be in the pane; nothing a wire string carried. */
function checkEscapes(): void {
  const raw = pane(true);
  const rest = raw.replace(/\x1b\[[0-9;:]*m/g, '');
  assert.not.ok(rest.includes('\x1b'), `an escape other than SGR reached the pane: ${JSON.stringify(rest.slice(Math.max(0, rest.indexOf('\x1b') - 40), rest.indexOf('\x1b') + 40))}`);
  assert.not.ok(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/.test(rest), 'no control character in the pane');
  assert.not.match(tmux('display-message', '-p', '-t', 'layout', '#{pane_title}'), /pwned/, 'no OSC title change');
}

/** The pane once it stopped changing (blessed writes a frame in several chunks). */
async function settled(h: number): Promise<string[]> {
  let prev = pane();
  for (;;) {
    await sleep(120);
    const now = pane();
    if (now === prev) return now.split('\n').slice(0, h);
    prev = now;
  }
}

async function resize(w: number, h: number): Promise<string[]> {
  tmux('resize-window', '-t', 'layout', '-x', String(w), '-y', String(h));
  // Repainted at the new size: the top border of the first box spans the whole width.
  await until(`repaint at ${w}x${h}`, 5_000, () => {
    const top = pane().split('\n').find((l) => l.startsWith('┌'));
    return top && widths([top])[0] === w && top.endsWith('┐') ? true : null;
  });
  return settled(h);
}

const key = async (...keys: string[]) => {
  tmux('send-keys', '-t', 'layout', ...keys);
  // A lone ESC is only a key once blessed's escape-sequence timeout passed.
  if (keys.includes('Escape')) await sleep(300);
};

/** Opens the detail of the only path matching `filter` and reads it whole, scrolling down to its last line. */
async function detail(filter: string, w: number, h: number): Promise<string[]> {
  await key('Escape');
  await key('/');
  tmux('send-keys', '-t', 'layout', '-l', filter);
  await key('Enter');
  await until(`filter ${filter}`, 5_000, () => (pane().includes(`filter: ${filter}`) ? true : null));
  await key('Enter');
  await until('detail view', 5_000, () => (pane().includes(' path detail ') ? true : null));
  let screen = await settled(h);
  // The view shows lines [scroll, scroll + rows); while more follow, its last row is a "… more" note.
  const real = (body: string[]) => body.filter((l) => !l.startsWith('… '));
  const seen = real(box(screen, 'path detail'));
  for (let scroll = 1; !seen.some((l) => l.startsWith('Esc to go back')); scroll++) {
    checkGeometry(screen, w, h);
    assert.ok(scroll < 80, 'the detail view ends');
    const before = pane();
    await key('Down');
    await until('scroll', 5_000, () => (pane() !== before ? true : null));
    screen = await settled(h);
    seen.push(...real(box(screen, 'path detail')).slice(seen.length - scroll));
  }
  checkGeometry(screen, w, h);
  await key('Escape');
  await key('Escape');
  return seen.filter((l) => !l.startsWith('Esc to go back'));
}

/** The answer row for `label` (e.g. "server chain") as [source, value]: label in columns 2-14, source 16-25, value from 27. */
function answer(lines: string[], label: string): [string, string] {
  const row = lines.find((l) => l.startsWith(`  ${label} `));
  assert.ok(row, `no "${label}" answer in:\n${lines.join('\n')}`);
  return [row!.slice(16, 26).trim(), row!.slice(27).trim()];
}

test('dashboard layout at 200x60, 120x40 and 80x24 on replayed traffic with hostile wire strings', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('k', 60, { mtu: 65535 });
    const L = lab;
    const keylog = join(L.dir, 'mixed.keylog');
    copyFileSync('captures/mixed.keylog', keylog);
    chmodSync(keylog, 0o600);
    const cmd = `ip netns exec ${L.b} env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 ${process.execPath} bin/comms-watch.mjs -i ${L.ifB} -f tcp --no-from-node --config captures/cluster.yaml --keylog ${keylog}; sleep 30`;
    tmux('new-session', '-d', '-s', 'layout', '-x', '200', '-y', '60', cmd);
    await until('the dashboard', 15_000, () => (pane().includes(' paths ') ? true : null));

    const replay = L.run(L.a, 'tcpreplay', ['-i', L.ifA, '--pps=2000', 'captures/mixed.pcap', 'captures/hostile-strings.pcap']);
    assert.is(await exited(replay, 30_000), 0, 'tcpreplay');
    const full = await until(`all ${FINDINGS.length} findings`, 45_000, () => {
      const rows = findingRows(pane().split('\n'));
      return rows.length === FINDINGS.length ? rows : null;
    });
    for (const f of FINDINGS) {
      assert.ok(full.some((r) => r.includes(f.rule) && r.includes(`${f.client_ip} -> ${f.server}`)), `${f.rule} ${f.client_ip} -> ${f.server} in one row:\n${full.join('\n')}`);
    }
    // Findings go out at their proof; a path row comes with the connection record, when the connection ends.
    const lastPaths = ['[fd00:77:61::1] -> [fd00:77:61::2]:10250', 'pod-apiserver', 'kubelet-readonly', 'apiserver-proxy'];
    await until('every path row', 60_000, () => (lastPaths.every((p) => box(pane().split('\n'), 'paths').some((l) => l.includes(p))) ? true : null));

    for (const [w, h] of [[200, 60], [120, 40], [80, 24]] as const) {
      const lines = await resize(w, h);
      checkGeometry(lines, w, h);
      checkEscapes();
      const title = box(lines, 'findings')[0]!;
      for (const col of ['RULE', 'CLIENT -> SERVER']) assert.ok(title.includes(col), `${w}x${h}: findings column ${col}: ${title}`);
      const rows = findingRows(lines);
      assert.ok(rows.length >= Math.min(FINDINGS.length, 4), `${w}x${h}: ${rows.length} finding rows`);
      for (const r of rows) {
        // One row per finding, on one line, with its whole client -> server pair.
        const m = /(\S+) -> (\S+)/.exec(r);
        assert.ok(m && PAIRS.has(`${m[1]} -> ${m[2]}`), `${w}x${h}: a row whose addresses are not a whole expected pair: ${r}`);
      }
      const more = box(lines, 'findings').find((l) => l.startsWith('+'));
      assert.is(rows.length + (more ? Number(/^\+(\d+) more/.exec(more)![1]) : 0), FINDINGS.length, `${w}x${h}: every finding shown or counted`);
      if (w >= 120) assert.ok(title.includes('COUNT') && title.includes('AGE'), `${w}x${h}: count and age: ${title}`);
      const paths = box(lines, 'paths');
      assert.ok(paths.some((l) => l.includes('[fd00:77:61::1] -> [fd00:77:61::2]:10250')), `${w}x${h}: the IPv6 path whole on one line:\n${paths.join('\n')}`);

      // The hostile kubelet: TLS 1.2, so chain and client auth were seen in the clear.
      const kubelet = await detail('10.77.61.2:10250', w, h);
      assert.is(answer(kubelet, 'server chain')[0], 'observed', 'chain source');
      assert.equal(answer(kubelet, 'client auth'), ['observed', 'not-requested']);
      const text = kubelet.map((l) => l.trim()).join(' ');
      assert.ok(text.includes('漢字テスト'), 'the wide characters are shown');
      assert.ok(text.includes('evil\\u{202e}gnp'), 'the bidi override is spelled out');
      assert.ok(text.includes('\\x1b]0;pwned-by-sni\\x07\\x1b[41mlong-label-'), 'the SNI escapes are shown as text');
      // Wrapped at word boundaries: the words of the remediation come back whole once the lines are joined.
      assert.ok(text.includes('authentication.anonymous.enabled: false and authorization.mode: Webhook in the KubeletConfiguration.'), `remediation wrapped whole:\n${kubelet.join('\n')}`);
      // The hostile TLS 1.3 apiserver without a key log: client auth inferred, the chain not seen.
      const tls13 = await detail('10.77.61.2:6443', w, h);
      assert.equal(answer(tls13, 'client auth')[0], 'inferred');
      assert.equal(answer(tls13, 'server chain'), ['not seen', 'unknown']);
      // The mixed capture's node -> apiserver, TLS 1.3 with its key log: decrypted.
      const decrypted = await detail('10.20.0.10:6443', w, h);
      assert.equal(answer(decrypted, 'server chain'), ['decrypted', 'trusted']);
      assert.equal(answer(decrypted, 'client auth'), ['decrypted', 'presented']);
      const host = await detail('10.77.61.2:10255', w, h);
      assert.is(answer(host, 'HTTP')[0], 'observed');
      assert.ok(host.map((l) => l.trim()).join('').includes(']0;pwned-by-host[2J[5mhost-header-'), 'the Host header is shown without its escapes');
      checkEscapes();
    }
    await key('q');
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // Our server was already down.
    }
    lab?.down();
  }
});

test.run();
