import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real command line as a user runs it: exit codes, stderr lines and stdin (SPEC "Command line"). */
const tmp = mkdtempSync(join(tmpdir(), 'cw-cli-'));
const TLS12 = '../shared/corpus/zeek/tls/tls1.2.pcap';

function cw(args: string[], input?: Buffer) {
  const r = spawnSync('node', ['bin/comms-watch.mjs', ...args], { input, encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const records = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);

test('usage errors: exit 2 with one line on stderr', () => {
  for (const args of [['analyze'], ['analyze', 'x.pcap', '--fail-on', 'severe'], ['analyze', TLS12, '--bogus'], ['analyze', TLS12, '--max-flows', '0'], ['analyze', TLS12, '--max-flows', '1e3x']]) {
    const r = cw(args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(lines(r.stderr).length, 1, r.stderr);
  }
});

test('--max-flows: a smaller flow table evicts and counts it; every connection is still reported', () => {
  // zeek/ssh/ssh.pcap: 23 TCP connections per tshark -z conv,tcp (test/pipeline/data/tshark-conv.json), several at once.
  const SSH = '../shared/corpus/zeek/ssh/ssh.pcap';
  const full = records(cw(['analyze', SSH, '--json']).stdout);
  const small = records(cw(['analyze', SSH, '--json', '--max-flows', '2']).stdout);
  const summary = (rs: Record<string, unknown>[]) => rs.find((r) => r.type === 'summary')!;
  const conns = (rs: Record<string, unknown>[]) => rs.filter((r) => r.type === 'connection');
  assert.is(summary(full).flows_evicted, 0);
  assert.ok((summary(small).flows_evicted as number) > 0, 'evictions counted');
  // An evicted connection is reported when it leaves the table; its later packets start another record.
  const key = (r: Record<string, unknown>) => `${r.client} ${r.server}`;
  assert.equal([...new Set(conns(small).map(key))].sort(), [...new Set(conns(full).map(key))].sort());
  assert.ok(conns(small).length >= conns(full).length);
});

test('an unreadable file: exit 2 naming the file', () => {
  const r = cw(['analyze', join(tmp, 'missing.pcap')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'missing.pcap');
  assert.match(r.stderr, 'ENOENT');
});

test('a bad cluster config: exit 2 naming the key', () => {
  const cfg = join(tmp, 'bad.yaml');
  writeFileSync(cfg, 'apiservers: ["10.0.0.1:6443"]\nnodez: ["10.0.1.0/24"]\n');
  const r = cw(['analyze', TLS12, '--config', cfg]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'nodez');
});

test('a truncated capture: everything before the damage is reported, then exit 2 with file and offset', () => {
  // The first five records end where editcap's copy of them ends (classic pcap, same header).
  const five = join(tmp, 'five.pcap');
  execFileSync('editcap', ['-F', 'pcap', '-r', TLS12, five, '1-5']);
  const boundary = statSync(five).size;
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(cut, readFileSync(TLS12).subarray(0, boundary + 10));
  const r = cw(['analyze', cut, '--json']);
  assert.is(r.code, 2);
  assert.is(lines(r.stderr).length, 1);
  assert.match(r.stderr, `cut.pcap: damaged at byte offset ${boundary}`);
  const recs = records(r.stdout);
  const summary = recs.find((x) => x.type === 'summary')!;
  assert.is(summary.packets, 5);
  assert.is((summary.damage as { offset: number }).offset, boundary);
  assert.ok(recs.some((x) => x.type === 'connection' && x.server === '68.233.76.12:443'), 'the connection before the damage is reported');
});

test('--fail-on: exit 3 when a finding at or above the severity exists, 0 otherwise', () => {
  assert.is(cw(['analyze', 'captures/mixed.pcap', '--config', 'captures/cluster.yaml', '--fail-on', 'critical', '--json']).code, 3);
  assert.is(cw(['analyze', 'captures/kubelet-casigned-mtls-tls12.pcap', '--config', 'captures/cluster.yaml', '--fail-on', 'low', '--json']).code, 0);
  assert.is(cw(['analyze', 'captures/mixed.pcap', '--config', 'captures/cluster.yaml', '--json']).code, 0);
});

test('"-" reads the capture from standard input, with the same records as the file', () => {
  const viaFile = records(cw(['analyze', TLS12, '--json']).stdout).filter((x) => x.type !== 'summary');
  const viaStdin = records(cw(['analyze', '-', '--json'], readFileSync(TLS12)).stdout).filter((x) => x.type !== 'summary');
  assert.ok(viaFile.length > 0);
  assert.equal(viaStdin, viaFile);
});

test('the report is plain text without colour under NO_COLOR, and --help reads like a man page', () => {
  const r = cw(['analyze', 'captures/mixed.pcap', '--config', 'captures/cluster.yaml']);
  assert.is(r.code, 0);
  assert.not.match(r.stdout, '\x1b[');
  assert.match(r.stdout, 'Control plane to node');
  assert.match(r.stdout, 'kubelet-cert-unverifiable');
  const h = cw(['--help']);
  assert.is(h.code, 0);
  for (const section of ['USAGE', 'EXIT STATUS', 'EXAMPLES']) assert.match(h.stdout, section);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
