import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { sshFactory } from '../../dissectors/ssh/index.js';
import type { SshFacts } from '../../src/core/facts.js';
import { followSource, pipelineSource, type Seen, type Source } from './helpers/sources.js';

// Every SSH fact the peers state for the corpus, checked twice: through our pipeline (analyzeFiles) and
// with tshark's reassembly fed straight to the dissector.
const CORPUS = '../shared/corpus';
type Rec = Record<string, unknown>;
interface FileRec { path: string; ssh?: Rec[]; tshark?: { ssh?: Array<{ tcp_stream: number; kexinit?: Array<Record<string, string>> }> } }
const files = (JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as { files: FileRec[] }).files
  .filter((f) => (f.ssh?.length ?? 0) > 0);

function port(from: unknown): number {
  const s = String(from);
  return Number(s.slice(s.lastIndexOf(':') + 1));
}

/** Client ports the peers name for a file (baseline endpoints, tshark's client KEXINIT sender). */
function knownClients(path: string): Set<number> {
  const f = files.find((x) => x.path === path);
  const ports = new Set<number>();
  for (const e of f?.ssh ?? []) if (typeof e['client_port'] === 'number') ports.add(e['client_port']);
  for (const t of f?.tshark?.ssh ?? []) for (const k of t.kexinit ?? []) if ('hassh' in k) ports.add(port(k['from']));
  return ports;
}

const sources: Array<Source<SshFacts>> = [
  pipelineSource<SshFacts>((c) => c.ssh),
  followSource<SshFacts>(sshFactory, (path, [a, b]) => (knownClients(path).has(b) ? b : a)),
];


async function byPorts(src: Source<SshFacts>, path: string, cp: number, sp: number): Promise<SshFacts> {
  const c = (await src.conns(path)).find((x) => x.clientPort === cp && x.serverPort === sp);
  assert.ok(c?.facts, `${src.name} ${path}: ssh facts for ${cp} -> ${sp}`);
  return (c as Seen<SshFacts>).facts as SshFacts;
}

test.before(async () => {
  for (const src of sources) await src.prefetch(files.map((f) => f.path));
});

test('the corpus holds the SSH captures this test expects', () => {
  const paths = files.map((f) => f.path);
  for (const p of ['zeek/ssh/ssh.pcap', 'zeek/ssh/server-pre-banner-data.pcap', 'suricata-verify/ssh-hassh.pcap', 'ja4/ssh-r.pcap', 'arkime/v6-sshv1.pcap']) {
    assert.ok(paths.includes(p), p);
  }
});

for (const src of sources) {
  test(`[${src.name}] Zeek ssh.log: banners, version and negotiated algorithms, field by field`, async () => {
    let compared = 0;
    for (const f of files) {
      for (const e of f.ssh ?? []) {
        if (!String(e['source']).startsWith('zeek')) continue;
        const facts = await byPorts(src, f.path, e['client_port'] as number, e['server_port'] as number);
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

  test(`[${src.name}] Suricata: HASSH / HASSHServer and banner-only proto/software versions`, async () => {
    for (const f of files) {
      for (const e of f.ssh ?? []) {
        if (!String(e['source']).startsWith('suricata')) continue;
        const facts = (await src.conns(f.path)).map((c) => c.facts).filter((x): x is SshFacts => x !== null);
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

  test(`[${src.name}] JA4 and Arkime: banners and HASSH; JA4 encryption_algorithm disagreement explained`, async () => {
    let ja4Cipher = 0;
    for (const f of files) {
      for (const e of f.ssh ?? []) {
        const from = String(e['source']);
        if (!from.startsWith('ja4') && !from.startsWith('arkime')) continue;
        const cp = e['client_port'] as number;
        const sp = e['server_port'] as number;
        const facts = await byPorts(src, f.path, cp, sp);
        const where = `${f.path} ${cp}`;
        if (from.startsWith('arkime')) {
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
        const lists = (f.tshark?.ssh ?? []).flatMap((t) => t.kexinit ?? []);
        const server = lists.find((k) => 'hassh_server' in k && port(k['from']) === sp && k['hassh_server'] === e['hassh_server']);
        const client = lists.find((k) => 'hassh' in k && port(k['from']) === cp);
        assert.ok(server && client, `${where} tshark KEXINITs`);
        assert.is(enc, (server?.['encryption_algorithms_server_to_client'] ?? '').split(',')[0], `${where} JA4 = server's first`);
        assert.is(facts.cipherC2s, (client?.['encryption_algorithms_client_to_server'] ?? '').split(',')
          .find((n) => (server?.['encryption_algorithms_client_to_server'] ?? '').split(',').includes(n)), `${where} RFC first match`);
        ja4Cipher++;
      }
    }
    assert.ok(ja4Cipher >= 3, 'JA4 cipher cases compared');
  });

  test(`[${src.name}] tshark KEXINIT lists equal ours for every SSH-2 stream, HASSH too`, async () => {
    let n = 0;
    for (const f of files) {
      for (const t of f.tshark?.ssh ?? []) {
        const c = (t.kexinit ?? []).find((k) => 'hassh' in k);
        const s = (t.kexinit ?? []).find((k) => 'hassh_server' in k);
        if (!c || !s) continue;
        const facts = await byPorts(src, f.path, port(c['from']), port(s['from']));
        for (const [k, ki] of [[c, facts.clientKexInit], [s, facts.serverKexInit]] as const) {
          const where = `${f.path}#${t.tcp_stream} ${k['from']}`;
          assert.ok(ki, `${where} KEXINIT parsed`);
          assert.is(ki?.kex.join(','), k['kex_algorithms'], `${where} kex list`);
          assert.is(ki?.hostKey.join(','), k['server_host_key_algorithms'], `${where} host key list`);
          assert.is(ki?.cipherC2s.join(','), k['encryption_algorithms_client_to_server'], `${where} cipher c2s list`);
          assert.is(ki?.cipherS2c.join(','), k['encryption_algorithms_server_to_client'], `${where} cipher s2c list`);
          assert.is(ki?.macC2s.join(','), k['mac_algorithms_client_to_server'], `${where} mac c2s list`);
          assert.is(ki?.compressionS2c.join(','), k['compression_algorithms_server_to_client'], `${where} compression s2c list`);
          n++;
        }
        assert.is(facts.hassh, c['hassh'], `${f.path}#${t.tcp_stream} tshark hassh`);
        assert.is(facts.hasshServer, s['hassh_server'], `${f.path}#${t.tcp_stream} tshark hassh_server`);
      }
    }
    assert.ok(n >= 40, `compared ${n} KEXINITs`);
  });

  test(`[${src.name}] weak list follows ssh-audit for the Cisco SSH-1.99 session`, async () => {
    const facts = await byPorts(src, 'zeek/ssh/ssh_version_199.pcap', 59139, 22);
    // ssh-audit: group1-sha1 FAIL (1024-bit, Logjam, SHA-1), ssh-rsa FAIL (SHA-1), aes128-cbc WARN (CBC), hmac-sha1 FAIL.
    assert.equal(facts.weak, ['kex:diffie-hellman-group1-sha1', 'hostkey:ssh-rsa', 'cipher:aes128-cbc', 'mac:hmac-sha1']);
    assert.is(facts.strictKex, false);
    assert.equal(facts.newKeys, [true, true]);
  });
}

test.run();
