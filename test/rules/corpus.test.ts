import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrustStore } from '../../src/cluster/trust.js';
import type { ConnectionFacts } from '../../src/facts/connection.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';
import { assess } from '../../src/rules/assess.js';

/**
 * ssh-weak-algorithm on Zeek's SSH captures. Negotiated algorithms per Zeek's ssh.log baseline;
 * weak or not per ssh-audit (peers.md section 7: group1-sha1, ssh-rsa, hmac-sha1 FAIL; CBC WARN).
 */
async function sshConns(file: string): Promise<ConnectionFacts[]> {
  const out: ConnectionFacts[] = [];
  await analyzeFiles([`../shared/corpus/zeek/ssh/${file}`], { onConnection: (c) => { if (c.ssh) out.push(c); } });
  return out;
}

test('ssh_version_199.pcap (group1-sha1, aes128-cbc, hmac-sha1, ssh-rsa): ssh-weak-algorithm, insecure', async () => {
  const [c] = await sshConns('ssh_version_199.pcap');
  const a = assess(c!, null, new TrustStore());
  const hit = a.hits.find((h) => h.rule === 'ssh-weak-algorithm');
  assert.ok(hit);
  const weak = hit!.evidence.weak as string[];
  for (const w of ['kex:diffie-hellman-group1-sha1', 'hostkey:ssh-rsa', 'cipher:aes128-cbc', 'mac:hmac-sha1']) assert.ok(weak.includes(w), w);
  assert.is(a.verdict.verdict, 'insecure');
});

test('ssh_kex_curve25519.pcap (curve25519, chacha20-poly1305, hmac-sha2-512-etm, ed25519 cert): no finding', async () => {
  const [c] = await sshConns('ssh_kex_curve25519.pcap');
  assert.is(c!.ssh!.kex, 'curve25519-sha256');
  assert.equal(assess(c!, null, new TrustStore()).hits, []);
});

test.run();
