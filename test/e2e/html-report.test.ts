import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from './helpers.js';
import { dumpDom, screenshot } from '../helpers/chromium.js';
import { countColour, decodePng } from '../helpers/png.js';

/**
 * `analyze --html`: the report opened by a real browser (Debian's headless Chromium). What it must
 * show comes from captures/EXPECTED.json and from the lab scenarios (scripts/lab/scenarios),
 * written by hand; the hostile capture is real traffic built to attack the page.
 */

interface Expected {
  file: string;
  keylog?: string;
  paths: { client: string; server: string; path: string }[];
  must_raise: { rule: string; client_ip: string; server: string }[];
  must_not_raise: string[];
}
const mixed = (JSON.parse(readFileSync('captures/EXPECTED.json', 'utf8')) as { captures: Expected[] }).captures.find((c) => c.file === 'mixed.pcap')!;

/**
 * By hand from the eight scenarios merged into mixed.pcap: verdict, the protocol as the map
 * labels it, and strings the path's detail must show (scenario comments and captures/README).
 */
const BY_HAND: Record<string, { verdict: string; label: string; detail: string[] }> = {
  // 13: Node.js TLS 1.3, client certificate presented, chain from the cluster CA.
  'node-apiserver': { verdict: 'secure', label: 'TLS 1.3', detail: ['presented', 'trusted', 'CN=system:node:node1'] },
  // 01: client-go's self-signed pair over -tls1_2, no CertificateRequest.
  'apiserver-kubelet': { verdict: 'insecure', label: 'TLS 1.2', detail: ['CN=node1@1700000000', 'CN=node1-ca@1700000000', 'self-signed', 'not-requested'] },
  // 07: curl GET /pods and /stats/summary in plain HTTP.
  'kubelet-readonly': { verdict: 'insecure', label: 'HTTP', detail: ['/pods', '/stats/summary'] },
  // 11: plain HTTP with a bearer token.
  'pod-apiserver': { verdict: 'insecure', label: 'HTTP', detail: ['/api/v1/namespaces/default/secrets', 'bearer'] },
  // 60: TLS 1.3, no CertificateRequest (the agent uses a token).
  'konnectivity-agent': { verdict: 'secure', label: 'TLS 1.3', detail: ['not-requested'] },
  // 20: openssl -tls1_2 with -Verify 1: the etcd client cert is sent.
  etcd: { verdict: 'secure', label: 'TLS 1.2', detail: ['CN=kube-apiserver-etcd-client', 'CN=etcd-ca', 'presented'] },
  // 50: OpenSSH 9.2p1 defaults: chacha20-poly1305, ed25519 host key.
  'ssh-tunnel': { verdict: 'secure', label: 'SSH', detail: ['OpenSSH_9.2p1', 'chacha20-poly1305@openssh.com', 'ssh-ed25519'] },
  // 40: curl GET / and /metrics in plain HTTP.
  'apiserver-proxy': { verdict: 'insecure', label: 'HTTP', detail: ['/metrics'] },
};

const COLOUR = { insecure: '#c62828', secure: '#2e7d32' };

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
const textOf = (markup: string) => decode(markup.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '));

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

/** Start tags of `name` whose class list holds `cls`, as attribute maps. */
function elements(dom: string, name: string, cls: string): Record<string, string>[] {
  return [...dom.matchAll(new RegExp(`<${name}\\s[^>]*>`, 'g'))].map((m) => attrs(m[0])).filter((a) => (a.class ?? '').split(' ').includes(cls));
}

function detailOf(dom: string, path: string, server: string): string | null {
  for (const m of dom.matchAll(/<section class="path[^"]*"[^>]*>[\s\S]*?<\/section>/g)) {
    const a = attrs(m[0].slice(0, m[0].indexOf('>') + 1));
    if (a['data-path'] === path && a['data-server'] === server) return m[0];
  }
  return null;
}

const work = mkdtempSync(join(tmpdir(), 'cw-html-'));
const MIXED = ['captures/mixed.pcap', '--config', 'captures/cluster.yaml', '--keylog', 'captures/mixed.keylog'];

async function report(argv: string[], name: string): Promise<{ file: string; stdout: string }> {
  const file = join(work, name);
  const run = await analyze([...argv, '--html', file]);
  assert.is(run.exitCode, 0, run.stderr);
  return { file, stdout: run.stdout };
}

/** One report and one DOM dump per capture, shared by the tests that read them (Chromium takes seconds). */
function shared(argv: string[], name: string): () => Promise<{ file: string; stdout: string; dom: string }> {
  let made: Promise<{ file: string; stdout: string; dom: string }> | null = null;
  return () => (made ??= report(argv, name).then((r) => ({ ...r, dom: dumpDom(r.file) })));
}
const mixedReport = shared(MIXED, 'mixed.html');
const hostileReport = shared(['captures/hostile.pcap'], 'hostile.html');

test('mixed.pcap: every path of EXPECTED.json is an arrow coloured by its verdict, labelled with its protocol, with its detail', async () => {
  const { stdout, dom } = await mixedReport();
  assert.ok(stdout.includes('Findings'), 'the terminal report is still written next to the HTML file');
  const edges = elements(dom, 'g', 'edge');
  assert.is(edges.length, mixed.paths.length, `arrows: ${edges.map((e) => e['data-path']).join(', ')}`);
  for (const p of mixed.paths) {
    const want = BY_HAND[p.path]!;
    const e = edges.find((x) => x['data-path'] === p.path && x['data-client'] === p.client && x['data-server'] === p.server);
    assert.ok(e, `no arrow ${p.path} ${p.client} -> ${p.server}`);
    assert.ok(e!.class!.split(' ').includes(`verdict-${want.verdict}`), `${p.path} arrow is ${e!.class}, expected ${want.verdict}`);
    assert.is(e!['data-label'], want.label, `${p.path} protocol`);
    const detail = detailOf(dom, p.path, p.server);
    assert.ok(detail, `no detail section for ${p.path} ${p.server}`);
    const text = textOf(detail!);
    assert.ok(text.includes(p.client), `${p.path} detail lacks its client ${p.client}`);
    for (const s of want.detail) assert.ok(text.includes(s), `${p.path} detail lacks "${s}": ${text.slice(0, 600)}`);
  }
  // The arrow's visible label, not only its attributes, carries the path and the protocol.
  const labels = [...dom.matchAll(/<text class="edge-label"[^>]*>([\s\S]*?)<\/text>/g)].map((m) => textOf(m[1]!));
  for (const p of mixed.paths) assert.ok(labels.some((l) => l.includes(p.path) && l.includes(BY_HAND[p.path]!.label) && l.includes(`:${p.server.split(':').pop()}`)), `label of ${p.path}: ${labels.join(' | ')}`);
  for (const g of ['Control plane', 'Nodes']) assert.ok(dom.includes(`class="group-title">${g}<`), `no ${g} box`);
});

test('mixed.pcap: every finding of EXPECTED.json with evidence and remediation, none of must_not_raise', async () => {
  const { dom } = await mixedReport();
  const found = elements(dom, 'article', 'finding');
  for (const m of mixed.must_raise) {
    const f = found.find((x) => x['data-rule'] === m.rule && x['data-client'] === m.client_ip && x['data-server'] === m.server);
    assert.ok(f, `finding ${m.rule} ${m.client_ip} -> ${m.server} missing; shown: ${found.map((x) => x['data-rule']).join(', ')}`);
    const body = new RegExp(`<article [^>]*data-rule="${m.rule}"[^>]*>([\\s\\S]*?)</article>`).exec(dom)![1]!;
    assert.match(body, /<dl class="evidence"><dt>/, `${m.rule} has no evidence`);
    assert.match(textOf(body), /Fix: \S+/, `${m.rule} has no remediation`);
  }
  assert.equal(found.filter((f) => mixed.must_not_raise.includes(f['data-rule']!)).map((f) => f['data-rule']), []);
  // The summary counts what was shown.
  const summary = textOf(/<section id="summary">([\s\S]*?)<\/section>/.exec(dom)![1]!);
  assert.ok(summary.includes(`${mixed.paths.length} connections`), summary);
  assert.ok(summary.includes('4 insecure connections') && summary.includes('4 secure connections'), summary);
});

test('mixed.pcap: self-contained, no script, nothing to fetch, the CSP forbids both, no credential', async () => {
  const { file, dom } = await mixedReport();
  const page = readFileSync(file, 'utf8');
  assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
  assert.not.match(page, /<script|<link|<img|<iframe|@import/i);
  // Links only inside the page; url() only for the SVG's own arrow heads.
  for (const m of page.matchAll(/\b(?:href|src)="([^"]*)"/g)) assert.ok(m[1]!.startsWith('#'), `outside reference ${m[1]}`);
  for (const m of page.matchAll(/url\(([^)]*)\)/g)) assert.ok(m[1]!.startsWith('#'), `outside url(${m[1]})`);
  assert.not.match(dom, /<script/i);
  // The bearer token scenario 11 sent, read back by tshark: only its kind, length and hash prefix may show.
  const auth = execFileSync('tshark', ['-r', 'captures/mixed.pcap', '-Y', 'http.authorization', '-T', 'fields', '-e', 'http.authorization'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const token = /^Bearer (\S{16,})$/.exec(auth)?.[1];
  assert.ok(token, `tshark found no bearer token: ${auth}`);
  for (const part of [token!, ...token!.split('.').filter((p) => p.length >= 16)]) assert.not.ok(page.includes(part), 'a credential reached the HTML report');
  assert.ok(textOf(dom).includes(`bearer, ${token!.length} bytes`), 'the credential is described by kind and length');
});

test('mixed.pcap: the screenshot shows the map with red and green arrows', async () => {
  const { file } = await mixedReport();
  const png = join(work, 'mixed.png');
  screenshot(file, png, 1400, 1800);
  const img = decodePng(readFileSync(png));
  assert.is(img.width, 1400);
  assert.is(img.height, 1800);
  assert.ok(statSync(png).size > 30_000, 'an almost empty screenshot');
  // Four insecure and four secure arrows, 3 px thick and at least ~100 px long each, with heads.
  for (const [verdict, hex] of Object.entries(COLOUR)) {
    const n = countColour(img, hex, 10);
    assert.ok(n > 4 * 300, `${verdict} (${hex}): only ${n} pixels`);
  }
});

/** What captures/hostile.pcap carries (scripts/lab/make-hostile-capture.sh): each payload would rename the document. */
const HOSTILE = {
  sni: "<script>document.title='pwned-sni'</script>",
  host: `<img src=x onerror="document.title='pwned-host'">`,
  certCn: "document.title='pwned-cert'",
  certO: `<img src=x onerror="document.title='pwned-attr'">`,
  path: "/pods/<script>document.title='pwned-path'</script>",
  agent: "<script>document.title='pwned-ua'</script>",
};
const TITLE = 'comms-watch report: captures/hostile.pcap';

function assertInert(dom: string, what: string): void {
  assert.is(/<title>([^<]*)<\/title>/.exec(dom)?.[1], TITLE, `${what}: a payload ran (document.title changed)`);
  assert.not.ok(dom.includes('pwned') && /<title>[^<]*pwned/.test(dom), `${what}: title rewritten`);
  assert.not.match(dom, /<(?:script|img|iframe|object|embed|svg:script)\b/i, `${what}: an element was injected`);
  assert.not.match(dom, /<[^>]*\son\w+=/i, `${what}: an event handler attribute was injected`);
}

test('hostile.pcap: script tags, attribute break-outs and terminal escapes in SNI, Host, path and subjects show as text and run nothing', async () => {
  const { file, dom } = await hostileReport();
  const page = readFileSync(file, 'utf8');
  assert.not.match(page, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'a control character reached the page');
  assertInert(dom, 'with the CSP');
  const text = textOf(dom);
  assert.ok(text.includes(HOSTILE.sni), 'the SNI is not shown as text');
  assert.ok(text.includes(HOSTILE.host), 'the Host header is not shown as text');
  assert.ok(text.includes(HOSTILE.path), 'the request path is not shown as text');
  // RFC 4514 escapes < > " in the subject; the payload's words must still be readable.
  assert.ok(text.includes(HOSTILE.certCn) && text.includes('pwned-attr'), 'the certificate subject is not shown as text');
  // And they are where a reader looks for them.
  const kubelet = textOf(detailOf(dom, 'apiserver-kubelet', '10.77.70.2:10250') ?? '');
  assert.ok(kubelet.includes(HOSTILE.sni) && kubelet.includes(HOSTILE.certCn), kubelet.slice(0, 400));
  assert.ok(textOf(detailOf(dom, 'kubelet-readonly', '10.77.70.2:10255') ?? '').includes(HOSTILE.host));
});

test('hostile.pcap: escaping alone keeps it inert (the same page without its CSP)', async () => {
  const { file } = await hostileReport();
  const bare = join(work, 'hostile-no-csp.html');
  const page = readFileSync(file, 'utf8');
  const stripped = page.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  assert.is.not(stripped, page, 'the CSP meta tag was not there to remove');
  writeFileSync(bare, stripped);
  assertInert(dumpDom(bare), 'without the CSP');
});

test('the inertness check can fail: the payloads pasted unescaped into a page do run', () => {
  const control = join(work, 'control.html');
  writeFileSync(control, `<!DOCTYPE html><html><head><title>${TITLE}</title></head><body><p>${HOSTILE.host}</p><p>${HOSTILE.sni}</p></body></html>`);
  const dom = dumpDom(control);
  assert.match(dom, /<title>pwned-(?:host|sni)<\/title>/, 'Chromium ran neither payload: the test above would prove nothing');
});

test('--html into a directory that does not exist is a usage error before any analysis', async () => {
  const err = await analyze([...MIXED, '--html', join(work, 'no-such-dir', 'r.html')]).then(() => null, (e: Error) => e);
  assert.ok(err, 'no error');
  assert.is(err!.name, 'UsageError', String(err));
  assert.match(err!.message, /--html .*no-such-dir.*ENOENT/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
