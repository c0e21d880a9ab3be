import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { sshFactory } from '../../dissectors/ssh/index.js';
import type { SshFacts } from '../../src/core/facts.js';
import { recordProxy } from './helpers/record-proxy.js';
import { runChunks } from './helpers/run.js';

// Real OpenSSH on 127.0.0.1: our own sshd with throw-away host keys, the handshake recorded by a proxy.
const dir = mkdtempSync(join(tmpdir(), 'cw-sshd-'));
let sshd: ChildProcess | null = null;
let sshdPort = 0;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof a === 'object' && a !== null ? a.port : 0;
}

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20000 }, (err, _out, stderr) => resolve({ code: err ? 1 : 0, stderr: String(stderr) }));
  });
}

test.before(async () => {
  for (const t of ['ed25519', 'rsa']) {
    const r = await run('ssh-keygen', ['-q', '-t', t, ...(t === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', join(dir, `hk_${t}`)]);
    assert.is(r.code, 0, `ssh-keygen ${t}`);
  }
  writeFileSync(join(dir, 'sshd_config'), [
    `HostKey ${join(dir, 'hk_ed25519')}`, `HostKey ${join(dir, 'hk_rsa')}`, 'ListenAddress 127.0.0.1', 'PidFile none',
    'UsePAM no', 'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication no',
    'HostKeyAlgorithms +ssh-rsa', 'KexAlgorithms +diffie-hellman-group14-sha1', 'Ciphers +aes256-cbc', '',
  ].join('\n'));
  // sshd refuses to start without its privilege separation directory. Debian's service creates it
  // when it starts, but the set-up stops that service and /run is emptied at every boot.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  sshdPort = await freePort();
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(sshdPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd = child;
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${said}`)), 5000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}): ${said}`));
    });
    child.stderr?.on('data', (d: Buffer) => {
      said += d.toString();
      if (d.toString().includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
});

test.after(() => {
  // ChildProcess.kill, unlike process.kill, does not throw when sshd has already died.
  sshd?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

interface Case { name: string; kex: string; hostKey: string; cipher: string; mac: string; weak: string[]; aead: boolean }

/** `ssh -vv` lines that state what was sent and chosen: a second source besides the options we passed. */
function vv(stderr: string, re: RegExp): string {
  const m = re.exec(stderr);
  assert.ok(m, `ssh -vv shows ${re}`);
  return (m as RegExpExecArray)[1] ?? '';
}

async function handshake(c: Case): Promise<{ facts: SshFacts; stderr: string; anomalies: number }> {
  const proxy = await recordProxy(sshdPort);
  const r = await run('ssh', ['-vv', '-p', String(proxy.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', `Ciphers=${c.cipher}`, '-o', `MACs=${c.mac}`, '-o', `KexAlgorithms=${c.kex}`,
    '-o', `HostKeyAlgorithms=${c.hostKey}`, 'nobody@127.0.0.1', 'true']);
  await proxy.connections[0]?.closed;
  await proxy.close();
  const rec = proxy.connections[0];
  assert.ok(rec, 'one connection recorded');
  const out = runChunks<SshFacts>(sshFactory, rec?.chunks ?? []);
  return { facts: out.facts, stderr: r.stderr, anomalies: out.anomalies.length };
}

const cases: Case[] = [
  { name: 'weak: group14-sha1 / ssh-rsa / aes128-ctr / hmac-sha1', kex: 'diffie-hellman-group14-sha1', hostKey: 'ssh-rsa',
    cipher: 'aes128-ctr', mac: 'hmac-sha1', aead: false,
    // ssh-audit: group14-sha1 FAIL (SHA-1), ssh-rsa FAIL (SHA-1), aes128-ctr fine, hmac-sha1 FAIL (SHA-1).
    weak: ['kex:diffie-hellman-group14-sha1', 'hostkey:ssh-rsa', 'mac:hmac-sha1'] },
  { name: 'strong: curve25519 / ed25519 / chacha20-poly1305', kex: 'curve25519-sha256', hostKey: 'ssh-ed25519',
    cipher: 'chacha20-poly1305@openssh.com', mac: 'hmac-sha2-256-etm@openssh.com', aead: true, weak: [] },
  { name: 'mixed: nistp256 / rsa-sha2-512 / aes256-cbc / hmac-sha2-256', kex: 'ecdh-sha2-nistp256', hostKey: 'rsa-sha2-512',
    cipher: 'aes256-cbc', mac: 'hmac-sha2-256', aead: false,
    // ssh-audit: nistp256 FAIL (NIST curve), CBC WARN, hmac-sha2-256 WARN (encrypt-and-MAC).
    weak: ['kex:ecdh-sha2-nistp256', 'cipher:aes256-cbc', 'mac:hmac-sha2-256'] },
];

for (const c of cases) {
  test(`OpenSSH ${c.name}`, async () => {
    const { facts, stderr, anomalies } = await handshake(c);
    assert.is(anomalies, 0);
    assert.is(facts.clientBanner, vv(stderr, /Local version string (\S+ ?\S*)/));
    assert.is(facts.serverBanner, `SSH-${vv(stderr, /Remote protocol version ([0-9.]+)/)}-${vv(stderr, /remote software version (.+)/)}`);
    assert.is(facts.protoVersion, '2.0');
    assert.is(facts.kex, c.kex);
    assert.is(facts.kex, vv(stderr, /kex: algorithm: (\S+)/));
    assert.is(facts.hostKey, c.hostKey);
    assert.is(facts.hostKey, vv(stderr, /kex: host key algorithm: (\S+)/));
    assert.is(facts.cipherC2s, c.cipher);
    assert.is(facts.cipherS2c, vv(stderr, /kex: server->client cipher: (\S+)/));
    assert.is(facts.cipherC2s, vv(stderr, /kex: client->server cipher: (\S+)/));
    assert.is(facts.macC2s, c.mac);
    assert.is(vv(stderr, /kex: client->server cipher: \S+ MAC: (\S+)/), c.aead ? '<implicit>' : c.mac);
    assert.is(facts.compressionC2s, 'none');
    assert.equal(facts.newKeys, [true, true]);
    assert.equal(facts.weak, c.weak);
    // HASSH by hand from the client's proposal as ssh -vv prints it (first proposal block).
    const ours = stderr.slice(stderr.indexOf('local client KEXINIT proposal'));
    const line = (k: string): string => vv(ours, new RegExp(`${k}: (.*)`));
    const hs = `${line('KEX algorithms')};${line('ciphers ctos')};${line('MACs ctos')};${line('compression ctos')}`;
    assert.is(facts.hasshString, hs);
    assert.is(facts.hassh, createHash('md5').update(hs).digest('hex'));
    const peer = stderr.slice(stderr.indexOf('peer server KEXINIT proposal'));
    const serverKex = vv(peer, /KEX algorithms: (.*)/);
    assert.is(facts.serverKexInit?.kex.join(','), serverKex);
    assert.is(facts.strictKex, serverKex.split(',').includes('kex-strict-s-v00@openssh.com'));
  });
}

test.run();
