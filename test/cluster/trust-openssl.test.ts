import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { TrustStore, type Validation } from '../../src/cluster/trust.js';
import type { CertFacts } from '../../src/core/facts.js';
import { certCoversName } from '../../src/cluster/hostname.js';
import { analyzeFiles } from '../../src/pipeline/analyze.js';

/**
 * Every server chain of the TLS captures in the corpus, verified at its packet time by our TrustStore
 * and by `openssl verify -attime`, both against the same roots (Node's bundled Mozilla list).
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-verify-'));
const roots = join(dir, 'roots.pem');
writeFileSync(roots, rootCertificates.join('\n'));
const store = TrustStore.fromFiles([roots]);

function pem(c: CertFacts): string {
  return new X509Certificate(c.der).toString();
}

/** OpenSSL's answer mapped onto SPEC's validation values (no name check on either side). */
function opensslVerdict(chain: CertFacts[], atSec: number): { v: Validation | string; text: string } {
  writeFileSync(join(dir, 'leaf.pem'), pem(chain[0]!));
  const args = ['verify', '-no-CApath', '-no-CAstore', '-attime', String(atSec), '-CAfile', roots];
  if (chain.length > 1) {
    writeFileSync(join(dir, 'rest.pem'), chain.slice(1).map(pem).join(''));
    args.push('-untrusted', join(dir, 'rest.pem'));
  }
  args.push(join(dir, 'leaf.pem'));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  if (r.status === 0 && /: OK/.test(r.stdout)) return { v: 'trusted', text };
  const code = Number(/error (\d+) at/.exec(text)?.[1] ?? -1);
  switch (code) {
    case 9:
    case 10:
      return { v: 'expired', text };
    case 18:
    case 19:
      return { v: 'self-signed', text };
    case 2:
    case 20:
    case 21:
    case 7:
    case 24:
      return { v: 'untrusted', text };
    default:
      return { v: `openssl error ${code}`, text };
  }
}

interface Capture {
  path: string;
  tls?: unknown[];
}

test('our chain verdict equals openssl verify -attime for every server chain in the corpus', async () => {
  const files = (JSON.parse(readFileSync('../shared/corpus/expected.json', 'utf8')) as { files: Capture[] }).files
    .filter((f) => (f.tls ?? []).length > 0)
    .map((f) => f.path);
  const mismatches: string[] = [];
  let compared = 0;
  const partial: string[] = [];
  const tally: Record<string, number> = {};
  for (const file of files) {
    const chains: { chain: CertFacts[]; at: number; label: string }[] = [];
    await analyzeFiles([`../shared/corpus/${file}`], {
      onConnection: (c) => {
        const chain = c.tls?.serverChain ?? c.tunnel?.tls?.serverChain;
        if (chain && chain.length > 0) chains.push({ chain, at: c.startMicros / 1000, label: `${file} ${c.client.ip}:${c.client.port}` });
      },
    });
    for (const { chain, at, label } of chains) {
      const ours = store.verify(chain, at, null);
      // A leaf read from its head only (over the handshake cap) has no DER for openssl: it must stay unknown.
      if (chain[0]!.partial) {
        assert.is(ours.validation, 'unknown', label);
        partial.push(file);
        continue;
      }
      const theirs = opensslVerdict(chain, Math.floor(at / 1000));
      compared++;
      tally[ours.validation] = (tally[ours.validation] ?? 0) + 1;
      if (ours.validation !== theirs.v) mismatches.push(`${label}: ours ${ours.validation} (${ours.reason}), openssl ${theirs.v}: ${theirs.text.trim().split('\n').slice(-2).join(' | ')}`);
    }
  }
  assert.ok(compared >= 20, `compared ${compared}`);
  assert.equal(partial, ['zeek/tls/tls-fragmented-handshake.pcap'], 'the one corpus leaf over the 64 KiB cap (339623 bytes)');
  // The corpus exercises each outcome (38 chains: 13 trusted, 13 untrusted, 12 self-signed at the time of writing).
  for (const v of ["trusted", "untrusted", "self-signed"]) assert.ok((tally[v] ?? 0) >= 5, `${v}: ${tally[v]}`);
  assert.equal(mismatches, []);
});

test('SAN matching of the SNI equals openssl x509 -checkhost on every corpus leaf with DNS SANs', async () => {
  const files = (JSON.parse(readFileSync('../shared/corpus/expected.json', 'utf8')) as { files: Capture[] }).files
    .filter((f) => (f.tls ?? []).length > 0)
    .map((f) => f.path);
  const mismatches: string[] = [];
  let compared = 0;
  let matched = 0;
  for (const file of files) {
    const pairs: { leaf: CertFacts; sni: string }[] = [];
    await analyzeFiles([`../shared/corpus/${file}`], {
      onConnection: (c) => {
        const t = c.tls ?? c.tunnel?.tls;
        const leaf = t?.serverChain?.[0];
        // Without DNS SANs OpenSSL falls back to the subject CN; Go (and we) do not.
        if (t?.sni && leaf && leaf.sanDns.length > 0) pairs.push({ leaf, sni: t.sni });
      },
    });
    for (const { leaf, sni } of pairs) {
      writeFileSync(join(dir, 'leaf.pem'), pem(leaf));
      // The SNI itself, two labels deeper (no wildcard reaches it), and a sibling name.
      for (const name of [sni, `a.b.${sni}`, `nomatch-${sni}`]) {
        const out = spawnSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-checkhost', name], { encoding: 'utf8' }).stdout;
        const theirs = /does match/.test(out);
        const ours = certCoversName(leaf, name);
        compared++;
        if (ours) matched++;
        if (ours !== theirs) mismatches.push(`${file} ${name} vs ${leaf.sanDns.join(' ')}: ours ${ours}, openssl ${out.trim()}`);
      }
    }
  }
  assert.ok(compared >= 30, `compared ${compared}`);
  assert.ok(matched > 0 && matched < compared, `matched ${matched} of ${compared}`);
  assert.equal(mismatches, []);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
