import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './netns.js';
import { TmuxScreen } from './tmux.js';
import { KUBELET_CONFIG, PKI, kubeadmApiserver, nodeRoot, opensslKey, pemBodyLines } from '../node/roots.js';

/** The screen as one line of text: box borders gone, wrapped lines joined, runs of spaces one. */
const flat = (screen: string) => screen.replace(/[│┌┐└┘─]/g, ' ').replace(/\s+/g, ' ');

/**
 * The dashboard of a live `watch` (loopback, a filter no traffic matches) on a kubeadm node root
 * made from a real PKI: the header names the node, `n` shows what its files say, and a SIGHUP
 * after the kubelet's configuration changed shows the new answer. Expectations come from the
 * files the test wrote and from OpenSSL's reading of the certificate.
 */
test('dashboard: n shows the node files, the header names the node, SIGHUP refreshes the view, the key never shows', async () => {
  const key = opensslKey();
  const root = nodeRoot({
    '/var/lib/kubelet/config.yaml': KUBELET_CONFIG,
    '/var/lib/kubelet/pki/kubelet.crt': PKI.node1SelfSignedTls13,
    '/var/lib/kubelet/pki/kubelet.key': key,
    '/etc/kubernetes/manifests/kube-apiserver.yaml': kubeadmApiserver([]),
  });
  chmodSync(root, 0o755);
  const dir = mkdtempSync(join(tmpdir(), 'cwt-dash-node-'));
  const pidFile = join(dir, 'pid');
  const exitFile = join(dir, 'exit');
  let pid: number | null = null;
  const screen = new TmuxScreen('cwt-dash-node', flat, true);
  try {
    // `exec` makes the shell's pid the watch's own, the pid the test signals.
    const watch = `sh -c 'echo $$ > ${pidFile}; exec env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 ${process.execPath} bin/comms-watch.mjs -i lo -f "tcp port 9" --node-root ${root} --user nobody'`;
    screen.start(120, 40, `${watch}; echo $? > ${exitFile}; sleep 30`);
    const header = await screen.shows(/node: kubeadm control plane \(n\)/, 15_000);
    assert.match(header, /paths/);
    pid = Number(readFileSync(pidFile, 'utf8').trim());

    screen.keys('n');
    const view = await screen.shows(/this node .*kubelet :10250/, 10_000);
    assert.match(view, /kubeadm layout under \S+, control-plane node/, view);
    assert.match(view, /anonymous auth off, webhook authn on, client CA \/etc\/kubernetes\/pki\/ca\.crt, authorization Webhook, read-only port off/, view);
    assert.match(view, /serving cert \/var\/lib\/kubelet\/pki\/kubelet\.crt: CN=node1@1796532180 issued by CN=node1-ca@1796532179/, view);
    assert.match(view, /until 2027-12-06T03:42:59/, view);
    assert.match(view, /sha256 d7ae70b8394d036f/, view);
    assert.match(view, /kube-apiserver \(\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml\): sets [^;]*; lacks --kubelet-certificate-authority/, view);

    writeFileSync(join(root, 'var/lib/kubelet/config.yaml'), KUBELET_CONFIG.replace('readOnlyPort: 0', 'readOnlyPort: 10255').replace('enabled: false', 'enabled: true'));
    process.kill(pid, 'SIGHUP');
    const after = await screen.shows(/anonymous auth on, .*read-only port 10255/, 10_000);
    assert.match(after, /this node/, 'the node view stays open across the reload');
    // What the reload says goes to the status line: written to the terminal it would break the screen.
    const status = await screen.shows(/drops: kernel 0 interface 0 \| \d\d:\d\d:\d\d reloaded the cluster model/, 10_000);
    assert.match(status, /^comms-watch lo "tcp port 9" packets/, status);
    assert.not.match(status, /comms-watch: learnt from/, status);

    screen.keys('Escape');
    await screen.shows(/ paths .* findings /, 10_000);
    screen.keys('?');
    await screen.shows(/n\s+this node: what its files say/, 10_000);
    screen.keys('Escape');
    await sleep(300);
    screen.keys('q');
    const end = Date.now() + 10_000;
    while (!existsSync(exitFile) && Date.now() < end) await sleep(100);
    assert.is(readFileSync(exitFile, 'utf8').trim(), '0', 'q exits 0');
    // Once the terminal is back, the notes the screen showed are written out, for the log of the run.
    const closing = await screen.shows(/comms-watch: learnt from this kubeadm node .*comms-watch: reloaded the cluster model/, 10_000);
    assert.match(closing, /comms-watch: stopped: \d+ packets/);
    const shown = screen.pane().replace(/\s+/g, '') + view.replace(/\s+/g, '') + after.replace(/\s+/g, '');
    for (const line of pemBodyLines(key)) assert.not.ok(shown.includes(line.slice(0, 24)), 'no line of the private key on screen');
  } finally {
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited with q.
      }
    }
    screen.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
