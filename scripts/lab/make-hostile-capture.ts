/**
 * Records captures/hostile-strings.pcap (root; not run in CI): real programs whose wire strings
 * try to attack the terminal that shows them. Run: NODE_OPTIONS=--import=tsx node scripts/lab/make-hostile-capture.ts
 *
 * In a two-namespace lab (test/live/netns.ts, tag k, net 61; client 10.77.61.1 / fd00:77:61::1,
 * server 10.77.61.2 / fd00:77:61::2), tcpdump on the server's veth records:
 *   1. :10250 TLS 1.2, `openssl s_server` with a self-signed certificate whose subject carries
 *      ESC/OSC/CSI sequences, a C1 CSI, CJK, a combining accent, a bidi override, an emoji and a
 *      385-character description; the client is Node's `tls` with a hostile SNI (ESC, BEL,
 *      CSI, 203 characters).
 *   2. :6443 TLS 1.3, the same server certificate, the server asks for a client certificate
 *      and Node presents one; no key log is kept (client auth can only be inferred).
 *   3. :10255 plain HTTP over IPv4, curl with a hostile, 300-character Host header.
 *   4. :10250 plain HTTP over IPv6, curl with a hostile Host header and a 200-character path.
 */
import { execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, labUp, sleep, waitOutput } from '../../test/live/netns.js';

const OUT = 'captures/hostile-strings.pcap';
const ESC = '\x1b';
const SUBJECT = [
  `/CN=${ESC}]0;pwned\x07${ESC}[31mkubelet\u009b2J 漢字テスト e\u0301 evil\u202egnp 🔥`,
  `/O=${ESC}[2J${ESC}[H screen-cleared-by-the-organisation-name-field`,
  `/OU=${'unit-'.repeat(12)}`,
  `/description=${'a-very-long-subject-description-that-goes-on-and-on-'.repeat(7)}`,
].join('');
const SNI = `${ESC}]0;pwned-by-sni\x07${ESC}[41m${'long-label-'.repeat(17)}.example`;
const HOST = `${ESC}]0;pwned-by-host\x07${ESC}[2J${ESC}[5m${'host-header-'.repeat(24)}`;

const TLS_CLIENT = `
const tls = require('tls'), fs = require('fs');
const [host, port, sni, cert, key] = process.argv.slice(1);
const opts = { host, port: Number(port), servername: sni, rejectUnauthorized: false };
if (cert) Object.assign(opts, { cert: fs.readFileSync(cert), key: fs.readFileSync(key), minVersion: 'TLSv1.3' });
const s = tls.connect(opts, () => { s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'); setTimeout(() => s.end(), 300); });
s.on('data', () => {}); s.on('error', (e) => console.error(e.message)); s.on('close', () => console.log('closed'));`;

/** Answers any request with 200 and closes, so a request with a hostile Host is still answered. */
const HTTP_SERVER = `
const net = require('net');
for (const [host, port] of [[process.argv[1], 10255], [process.argv[2], 10250]]) {
  net.createServer((c) => { c.once('data', () => c.end('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\n{}')); }).listen(port, host);
}
console.log('listening');`;

/** s_server ends the connection when its stdin closes. */
const KEEP_STDIN: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'] };

async function main(): Promise<void> {
  const lab = labUp('k', 61);
  const procs: ChildProcess[] = [];
  try {
    const L = lab;
    const ip6A = 'fd00:77:61::1';
    const ip6B = 'fd00:77:61::2';
    execFileSync('ip', ['-n', L.a, 'addr', 'add', `${ip6A}/64`, 'dev', L.ifA, 'nodad']);
    execFileSync('ip', ['-n', L.b, 'addr', 'add', `${ip6B}/64`, 'dev', L.ifB, 'nodad']);
    const o = (args: string[]) => execFileSync('openssl', args, { cwd: L.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-days', '365', '-utf8', '-subj', SUBJECT, '-addext', 'subjectAltName=DNS:node-hostile']);
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.crt', '-days', '365', '-subj', '/CN=system:node:hostile/O=system:nodes']);

    const pcap = join(L.dir, 'hostile.pcap');
    const dump = L.run(L.b, 'tcpdump', ['-i', L.ifB, '-U', '-w', pcap, 'tcp']);
    procs.push(dump);
    await waitOutput(dump, 'listening on', 10_000);

    // 1. TLS 1.2 on the kubelet port, hostile SNI.
    const s1 = L.run(L.b, 'openssl', ['s_server', '-accept', `${L.ipB}:10250`, '-cert', join(L.dir, 'server.crt'), '-key', join(L.dir, 'server.key'), '-no_tls1_3', '-naccept', '1'], KEEP_STDIN);
    await waitOutput(s1, 'ACCEPT', 10_000);
    await exited(L.run(L.a, process.execPath, ['-e', TLS_CLIENT, L.ipB, '10250', SNI]), 10_000);
    await exited(s1, 10_000);

    // 2. TLS 1.3 on the apiserver port, a client certificate asked for and presented.
    const s2 = L.run(L.b, 'openssl', ['s_server', '-accept', `${L.ipB}:6443`, '-cert', join(L.dir, 'server.crt'), '-key', join(L.dir, 'server.key'), '-tls1_3', '-verify', '1', '-CAfile', join(L.dir, 'client.crt'), '-naccept', '1'], KEEP_STDIN);
    await waitOutput(s2, 'ACCEPT', 10_000);
    await exited(L.run(L.a, process.execPath, ['-e', TLS_CLIENT, L.ipB, '6443', SNI, join(L.dir, 'client.crt'), join(L.dir, 'client.key')]), 10_000);
    await exited(s2, 10_000);

    // 3 and 4. Plain HTTP with a hostile Host header, over IPv4 and IPv6.
    const http = L.run(L.b, process.execPath, ['-e', HTTP_SERVER, L.ipB, ip6B]);
    procs.push(http);
    await waitOutput(http, 'listening', 10_000);
    const curl = async (url: string) => {
      const c = L.run(L.a, 'curl', ['-sS', '-g', '-o', '/dev/null', '-w', '%{http_code}\n', '-H', `Host: ${HOST}`, url]);
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      if ((await exited(c, 10_000)) !== 0 || out.trim() !== '200') throw new Error(`curl ${url}: ${out}`);
    };
    await curl(`http://${L.ipB}:10255/pods`);
    await curl(`http://[${ip6B}]:10250/containerLogs/${'very-long-namespace-'.repeat(10)}/pod/container`);

    await sleep(500);
    process.kill(dump.pid!, 'SIGINT');
    await exited(dump, 10_000);
    copyFileSync(pcap, OUT);
    writeFileSync(join(L.dir, 'done'), '');
    console.log(`wrote ${OUT}`);
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    lab.down();
  }
}

await main();
