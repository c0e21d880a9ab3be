import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { analyze } from './helpers.js';

/**
 * Every lab capture through `analyze --json` against captures/EXPECTED.json, which was written
 * by hand from what each scenario did (never from comms-watch output).
 */
interface Expected {
  file: string;
  keylog?: string;
  /** verdict, validation, client_auth(_source): checked when the entry gives them. */
  paths: {
    client: string; server: string; path: string; verdict?: string; validation?: string; client_auth?: string; client_auth_source?: string;
    /** What a CONNECT tunnel carried, judged as its own path. */
    carried?: { path: string; server: string; verdict: string };
  }[];
  must_raise: { rule: string; client_ip: string; server: string }[];
  must_not_raise: string[];
}

const expected = (JSON.parse(readFileSync('captures/EXPECTED.json', 'utf8')) as { captures: Expected[] }).captures;
const hostOf = (a: string) => a.replace(/^\[/, '').replace(/\]?:\d+$/, '');

for (const cap of expected) {
  test(`${cap.file}: paths and findings as written in EXPECTED.json`, async () => {
    const argv = [`captures/${cap.file}`, '--json', '--config', 'captures/cluster.yaml'];
    if (cap.keylog) argv.push('--keylog', `captures/${cap.keylog}`);
    const run = await analyze(argv);
    assert.is(run.exitCode, 0, run.stderr);
    const conns = run.records.filter((r) => r.type === 'connection');
    const findings = run.records.filter((r) => r.type === 'finding');
    for (const p of cap.paths) {
      const hit = conns.find((c) => hostOf(String(c.client)) === p.client && c.server === p.server);
      assert.ok(hit, `no connection ${p.client} -> ${p.server}`);
      assert.is(hit!.path, p.path, `path of ${p.client} -> ${p.server}`);
      // Every connection of the pair that carried payload, not only the first (a capture holds
      // several); a refused dial (SYN, RST) has nothing to judge.
      const carried = (c: Record<string, unknown>) => ((c.bytes as number[] | undefined) ?? []).some((n) => n > 0);
      const all = conns.filter((c) => hostOf(String(c.client)) === p.client && c.server === p.server && carried(c));
      assert.ok(all.length > 0, `no connection with payload ${p.client} -> ${p.server}`);
      const tls = (c: Record<string, unknown>) => (c.tls ?? {}) as Record<string, unknown>;
      if (p.verdict) for (const c of all) assert.is(c.verdict, p.verdict, `verdict of ${p.client} -> ${p.server}`);
      for (const k of ['validation', 'client_auth', 'client_auth_source'] as const) {
        if (p[k]) for (const c of all) assert.is(tls(c)[k], p[k], `${k} of ${p.client} -> ${p.server} (${String(c.client)})`);
      }
      if (p.carried) {
        for (const c of all) {
          const got = c.carried as Record<string, unknown> | undefined;
          assert.equal(got && { path: got.path, server: got.server, verdict: got.verdict }, p.carried, `carried by ${p.client} -> ${p.server}`);
        }
      }
    }
    const raised = findings.map((f) => `${f.rule} ${hostOf(String(f.client))} ${f.server}`);
    for (const m of cap.must_raise) assert.ok(raised.includes(`${m.rule} ${m.client_ip} ${m.server}`), `${m.rule} ${m.client_ip} -> ${m.server} not raised; raised: ${raised.join('; ') || 'nothing'}`);
    const forbidden = findings.filter((f) => cap.must_not_raise.includes(String(f.rule))).map((f) => `${f.rule} ${f.client} -> ${f.server}`);
    assert.equal(forbidden, [], 'raised a rule the scenario was built to avoid');
    if (cap.must_raise.length === 0) {
      const bad = findings.filter((f) => ['critical', 'high', 'medium'].includes(String(f.severity))).map((f) => String(f.rule));
      assert.equal(bad, [], 'a secure path raised findings');
      for (const p of cap.paths) {
        const c = conns.find((x) => hostOf(String(x.client)) === p.client && x.server === p.server)!;
        assert.is(c.verdict, p.verdict ?? 'secure', `verdict of ${p.client} -> ${p.server}`);
      }
    }
  });
}

test('every rule of the catalog is raised by some lab capture', () => {
  const rules = new Set(expected.flatMap((c) => c.must_raise.map((m) => m.rule)));
  assert.is(rules.size, 25);
});

test.run();
