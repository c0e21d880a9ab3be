import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, kubeletPki, labUp, sleep, waitOutput, type Lab } from './netns.js';
import { TmuxScreen } from './tmux.js';

const screen = new TmuxScreen('cwt-dash');

const HOSTILE_SNI = '\x1b]0;pwned\x07\x1b[31mevil';
/** Node's TLS client sends the hostile SNI as given (OpenSSL's s_client is not needed for that). */
const CLIENT = `const s = require('tls').connect({ host: process.argv[1], port: 10250, servername: process.argv[2], rejectUnauthorized: false }, () => s.end()); s.on('error', () => {}); s.on('close', () => console.log('closed'));`;

test('dashboard in tmux on live veth traffic: the path appears, a hostile SNI is shown stripped and never reaches the terminal, ? shows help, q exits 0 and restores the terminal', async () => {
  let lab: Lab | null = null;
  try {
    lab = labUp('d', 3);
    const L = lab;
    const pki = kubeletPki(L.dir);
    const kubelet = L.run(L.b, 'openssl', ['s_server', '-accept', `${L.ipB}:10250`, '-cert', pki.cert, '-key', pki.key, '-cert_chain', pki.ca, '-no_tls1_3', '-naccept', '1']);
    await waitOutput(kubelet, 'ACCEPT', 10_000);
    const exitFile = join(L.dir, 'exit');
    const cmd = `ip netns exec ${L.a} env TERM=xterm-256color NCURSES_NO_UTF8_ACS=1 ${process.execPath} bin/comms-watch.mjs -i ${L.ifA} -f tcp --no-from-node; echo $? > ${exitFile}; sleep 30`;
    screen.start(120, 40, cmd);
    screen.tmux('set-option', '-t', 'dash', 'set-titles', 'on');
    await screen.shows(/paths/, 15_000);

    const client = L.run(L.a, process.execPath, ['-e', CLIENT, L.ipB, HOSTILE_SNI]);
    await exited(client, 10_000);
    // Closed connections are reported once the flow has lingered (5 s) and the expiry timer ran.
    await screen.shows(/apiserver-kubelet/, 15_000);
    const main = screen.pane();
    assert.ok(main.includes(`${L.ipB}:10250`), main);

    screen.keys('Enter');
    // "path detail" is the detail pane's title (the paths table's header also says SNI).
    const detail = await screen.shows(/path detail[\s\S]* SNI /, 15_000);
    // The TLS dissector spells non-printable SNI bytes as \xNN text: visible, inert.
    assert.match(detail, /SNI +observed +\\x1b\]0;pwned\\x07\\x1b\[31mevil/, `control characters shown as text:\n${detail}`);
    const raw = screen.pane(true);
    assert.not.ok(raw.includes('pwned\x07'), 'no OSC sequence reached the terminal');
    assert.not.match(raw, /\x1b\[31mevil/, 'the injected colour did not reach the terminal');
    assert.is.not(screen.display('#{pane_title}'), 'pwned');

    screen.keys('Escape');
    screen.keys('?');
    await screen.shows(/Keys[\s\S]*q\s+quit/, 15_000);
    screen.keys('Escape');
    await sleep(300);
    screen.keys('q');
    const end = Date.now() + 10_000;
    while (!existsSync(exitFile) && Date.now() < end) await sleep(100);
    assert.is(readFileSync(exitFile, 'utf8').trim(), '0', 'q exits 0');
    assert.is(screen.display('#{alternate_on}'), '0', 'alternate screen left');
    assert.is(screen.display('#{cursor_flag}'), '1', 'cursor visible again');
  } finally {
    screen.end();
    lab?.down();
  }
});

test.run();
