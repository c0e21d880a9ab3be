import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from './helpers.js';

/**
 * No secret reaches any output. The secrets are what the lab's programs really sent, read back
 * out of the captures by tshark (with the lab's key logs, so tokens inside TLS count too); then
 * every output mode of comms-watch is searched for them.
 */
const captures = readdirSync('captures').filter((f) => f.endsWith('.pcap'));

function secretsIn(file: string): string[] {
  const keylog = `captures/${file.replace(/\.pcap$/, '.keylog')}`;
  const args = ['-r', `captures/${file}`, '-d', 'tcp.port==8132,http2', '-T', 'fields', '-E', 'separator=\t', '-e', 'http.authorization', '-e', 'http.cookie', '-e', 'http2.header.value', '-Y', 'http.authorization or http.cookie or http2.header'];
  if (existsSync(keylog)) args.unshift('-o', `tls.keylog_file:${keylog}`);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const found = new Set<string>();
  for (const field of out.split(/[\t\n,]/)) {
    const m = /^(?:Bearer|Basic)\s+(\S{16,})$/.exec(field.trim());
    if (!m) continue;
    const token = m[1]!;
    found.add(token);
    // The signature and the payload of a JWT are secret material on their own, too.
    for (const part of token.split('.')) if (part.length >= 16) found.add(part);
  }
  return [...found];
}

const all = new Map<string, string[]>();
for (const f of captures) {
  const s = secretsIn(f);
  if (s.length > 0) all.set(f, s);
}

test('the lab captures do carry credentials (otherwise this test would prove nothing)', () => {
  assert.ok(all.size >= 4, `only ${all.size} captures with credentials`);
});

function receiver(): Promise<{ server: Server; port: number; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += String(c)));
    req.on('end', () => {
      bodies.push(`${JSON.stringify(req.headers)}\n${b}`);
      res.writeHead(200).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, bodies })));
}

for (const [file, secrets] of all) {
  test(`${file}: no credential in JSON lines, the report, the HTML report, anomalies or any webhook format`, async () => {
    const keylog = `captures/${file.replace(/\.pcap$/, '.keylog')}`;
    const base = [`captures/${file}`, '--config', 'captures/cluster.yaml', ...(existsSync(keylog) ? ['--keylog', keylog, '--decrypt-app'] : [])];
    const outputs: string[] = [];
    const json = await analyze([...base, '--json']);
    outputs.push(json.stdout, json.stderr);
    const spool = mkdtempSync(join(tmpdir(), 'cw-spool-'));
    const report = await analyze([...base, '--html', join(spool, 'report.html')]);
    outputs.push(report.stdout, report.stderr, readFileSync(join(spool, 'report.html'), 'utf8'));
    const rx = await receiver();
    try {
      for (const format of ['json', 'slack', 'alertmanager']) {
        const hooked = await analyze([...base, '--json', '--webhook', `http://127.0.0.1:${rx.port}/hook`, '--webhook-format', format, '--spool-dir', join(spool, format), '--webhook-timeout', '5']);
        outputs.push(hooked.stdout, hooked.stderr);
      }
      if (json.records.some((r) => r.type === 'finding')) assert.ok(rx.bodies.length >= 3, 'the receiver got the findings in all three formats');
      outputs.push(...rx.bodies);
      for (const e of readdirSync(spool, { recursive: true, withFileTypes: true })) {
        if (e.isFile()) outputs.push(readFileSync(join(e.parentPath ?? e.path, e.name), 'utf8'));
      }
    } finally {
      rx.server.close();
      rmSync(spool, { recursive: true, force: true });
    }
    const text = outputs.join('\n');
    for (const s of secrets) assert.not.ok(text.includes(s), `a secret of ${file} (${s.length} chars, starting ${s.slice(0, 6)}…) reached an output`);
  });
}

test.run();
