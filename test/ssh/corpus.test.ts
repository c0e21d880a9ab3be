import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { sshFactory } from '../../dissectors/ssh/index.js';
import type { SshFacts } from '../../src/core/facts.js';
import { followTcp, orient, type FollowedStream } from './helpers/follow.js';
import { runChunks } from './helpers/run.js';

const CORPUS = '../shared/corpus';
interface SshExpect { [k: string]: unknown }
interface FileRec { path: string; ssh?: SshExpect[]; tshark?: { ssh?: Array<{ tcp_stream: number; kexinit?: Array<Record<string, string>> }> } }
const files = (JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: FileRec[] }).files
  .filter((f) => (f.ssh?.length ?? 0) > 0);

const cache = new Map<string, FollowedStream[]>();
function streams(path: string): FollowedStream[] {
  let s = cache.get(path);
  if (!s) cache.set(path, (s = followTcp(`${CORPUS}/${path}`)));
  return s;
}

function byPorts(path: string, e: SshExpect): { facts: SshFacts; stream: FollowedStream } {
  const cp = e['client_port'] as number;
  const sp = e['server_port'] as number;
  const s = streams(path).find((x) => (x.node0.port === cp && x.node1.port === sp) || (x.node0.port === sp && x.node1.port === cp));
  assert.ok(s, `${path}: stream ${cp}->${sp} present`);
  return { facts: runChunks<SshFacts>(sshFactory, orient(s, cp)).facts, stream: s };
}

function allFacts(path: string): SshFacts[] {
  return streams(path).map((s) => runChunks<SshFacts>(sshFactory, s.chunks).facts);
}

test('the corpus holds the SSH captures this test expects', () => {
  const paths = files.map((f) => f.path);
  for (const p of ['zeek/ssh/ssh.pcap', 'zeek/ssh/server-pre-banner-data.pcap', 'suricata-verify/ssh-hassh.pcap', 'ja4/ssh-r.pcap', 'arkime/v6-sshv1.pcap']) {
    assert.ok(paths.includes(p), p);
  }
});

test('Zeek ssh.log: banners, version and negotiated algorithms, field by field', () => {
  let compared = 0;
  for (const f of files) {
    for (const e of f.ssh ?? []) {
      if (!String(e['source']).startsWith('zeek')) continue;
      const { facts } = byPorts(f.path, e);
      const where = `${f.path} ${e['client_port']}`;
      assert.is(facts.clientBanner, e['client_banner'], `${where} client_banner`);
      assert.is(facts.serverBanner, e['server_banner'], `${where} server_banner`);
      if (e['ssh_version'] === 2) assert.is(facts.protoVersion, '2.0', `${where} version`);
      else assert.ok(facts.protoVersion?.startsWith('1.'), `${where} version 1`);
      // Zeek logs nothing negotiated for SSH-1 sessions; the fields are then absent on both sides.
      const pairs: Array<[keyof SshFacts, string]> = [['kex', 'kex_alg'], ['hostKey', 'host_key_alg'], ['cipherC2s', 'cipher_alg'],
        ['macC2s', 'mac_alg'], ['compressionC2s', 'compression_alg']];
      for (const [ours, theirs] of pairs) assert.is(facts[ours] ?? null, e[theirs] ?? null, `${where} ${theirs}`);
      compared++;
    }
  }
  assert.ok(compared >= 25, `compared ${compared} Zeek sessions`);
});

test('Suricata: HASSH / HASSHServer and banner-only proto/software versions', () => {
  for (const f of files) {
    for (const e of f.ssh ?? []) {
      if (!String(e['source']).startsWith('suricata')) continue;
      const facts = allFacts(f.path);
      let matching: SshFacts[];
      if (e['hassh'] !== undefined) {
        matching = facts.filter((x) => x.hassh === e['hassh'] && x.hasshServer === e['hassh_server']);
      } else {
        const cv = `SSH-${e['client_proto_version']}-${e['client_software_version']}`;
        const sv = `SSH-${e['server_proto_version']}-${e['server_software_version']}`;
        matching = facts.filter((x) => x.clientBanner === cv && x.serverBanner === sv);
      }
      assert.is(matching.length, e['expected_count'], `${f.path}: ${JSON.stringify(e['raw_match'])}`);
    }
  }
});

test('JA4 and Arkime: banners and HASSH; JA4 encryption_algorithm disagreement explained', () => {
  let ja4Cipher = 0;
  for (const f of files) {
    for (const e of f.ssh ?? []) {
      const src = String(e['source']);
      if (!src.startsWith('ja4') && !src.startsWith('arkime')) continue;
      const { facts, stream } = byPorts(f.path, e);
      const where = `${f.path} ${e['client_port']}`;
      if (src.startsWith('arkime')) {
        const ours = [facts.clientBanner, facts.serverBanner].filter((b) => b !== null).map((b) => (b as string).toLowerCase());
        assert.equal([...new Set(ours)].sort(), [...(e['versions_lowercased'] as string[])].sort(), `${where} arkime versions`);
      } else {
        assert.is(facts.clientBanner, e['client_banner'], `${where} client_banner`);
        assert.is(facts.serverBanner, e['server_banner'], `${where} server_banner`);
      }
      if ('hassh' in e) {
        assert.is(facts.hassh, e['hassh'], `${where} hassh`);
        assert.is(facts.hasshServer, e['hassh_server'], `${where} hassh_server`);
      }
      const enc = e['encryption_algorithm'];
      if (typeof enc !== 'string') continue;
      // JA4 reports the server's first s2c cipher, not RFC 4253 7.1's first client cipher the server
      // supports. They differ in ja4/ssh-r.pcap (PuTTY prefers aes256-ctr; OpenSSH 8.7 prefers
      // aes256-gcm while the OpenSSH 7.4 client puts chacha20 first). Checked against tshark's lists.
      const lists = f.tshark?.ssh?.find((t) => t.tcp_stream === stream.index)?.kexinit ?? [];
      const server = lists.find((k) => String(k['from']).endsWith(`:${e['server_port']}`));
      const client = lists.find((k) => String(k['from']).endsWith(`:${e['client_port']}`));
      assert.ok(server && client, `${where} tshark KEXINITs`);
      assert.is(enc, (server?.['encryption_algorithms_server_to_client'] ?? '').split(',')[0], `${where} JA4 = server's first`);
      assert.is(facts.cipherC2s, (client?.['encryption_algorithms_client_to_server'] ?? '').split(',')
        .find((n) => (server?.['encryption_algorithms_client_to_server'] ?? '').split(',').includes(n)), `${where} RFC first match`);
      ja4Cipher++;
    }
  }
  assert.ok(ja4Cipher >= 4, 'JA4 cipher cases compared');
});

test('tshark KEXINIT lists equal ours for every SSH-2 stream, HASSH strings too', () => {
  let n = 0;
  for (const f of files) {
    for (const t of f.tshark?.ssh ?? []) {
      const s = streams(f.path).find((x) => x.index === t.tcp_stream);
      if (!s) continue;
      for (const k of t.kexinit ?? []) {
        const from = String(k['from']);
        const fromPort = Number(from.slice(from.lastIndexOf(':') + 1));
        const isClient = !('hassh_server' in k);
        const clientPort = isClient ? fromPort : (s.node0.port === fromPort ? s.node1.port : s.node0.port);
        const facts = runChunks<SshFacts>(sshFactory, orient(s, clientPort)).facts;
        const ki = isClient ? facts.clientKexInit : facts.serverKexInit;
        assert.ok(ki, `${f.path}#${t.tcp_stream} ${from} KEXINIT parsed`);
        assert.is(ki?.kex.join(','), k['kex_algorithms'], `${f.path}#${t.tcp_stream} kex list`);
        assert.is(ki?.hostKey.join(','), k['server_host_key_algorithms'], 'host key list');
        assert.is(ki?.cipherS2c.join(','), k['encryption_algorithms_server_to_client'], 'cipher s2c list');
        assert.is(ki?.macC2s.join(','), k['mac_algorithms_client_to_server'], 'mac c2s list');
        if (isClient) assert.is(facts.hassh, k['hassh'], 'tshark hassh');
        else assert.is(facts.hasshServer, k['hassh_server'], 'tshark hassh_server');
        n++;
      }
    }
  }
  assert.ok(n >= 40, `compared ${n} KEXINITs`);
});

test('weak list follows ssh-audit for the Cisco SSH-1.99 session (group1-sha1, ssh-rsa, aes128-cbc, hmac-sha1)', () => {
  const f = files.find((x) => x.path === 'zeek/ssh/ssh_version_199.pcap');
  const e = f?.ssh?.[0];
  assert.ok(e);
  const { facts } = byPorts('zeek/ssh/ssh_version_199.pcap', e as SshExpect);
  // ssh-audit: group1-sha1 FAIL (1024-bit, Logjam, SHA-1), ssh-rsa FAIL (SHA-1), aes128-cbc WARN (CBC), hmac-sha1 FAIL.
  assert.equal(facts.weak, ['kex:diffie-hellman-group1-sha1', 'hostkey:ssh-rsa', 'cipher:aes128-cbc', 'mac:hmac-sha1']);
  assert.is(facts.strictKex, false);
  assert.equal(facts.newKeys, [true, true]);
});

test.run();
