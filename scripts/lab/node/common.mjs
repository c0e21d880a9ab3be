// Shared helpers of the lab's Node.js peers: option parsing, TLS options from PKI file names,
// NSS key logging, and made-up service-account tokens shaped like the real ones.
import { readFileSync, appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

// --name value pairs; a repeated name collects into an array; a name without value is true.
export function args(argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { out._.push(a); continue; }
    const k = a.slice(2);
    const v = i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : true;
    if (k in out) out[k] = [].concat(out[k], v); else out[k] = v;
  }
  return out;
}

export const list = (v) => (v === undefined ? [] : [].concat(v));

// TLS options shared by servers and clients. `pki` is the lab's key directory.
export function tlsOptions(o) {
  const pki = o.pki ?? '/tmp/cw-lab/pki';
  const f = (n) => readFileSync(`${pki}/${n}`);
  const t = {};
  if (o.cert) { t.cert = f(`${o.cert}.crt`); t.key = f(`${(o.key ?? o.cert).replace(/-chain$/, '')}.key`); }
  if (o.ca) t.ca = list(o.ca).map((c) => f(`${c}.crt`));
  if (o['tls-min']) t.minVersion = o['tls-min'];
  if (o['tls-max']) t.maxVersion = o['tls-max'];
  if (o.ciphers) t.ciphers = o.ciphers;
  return t;
}

export function keylogTo(file, emitter) {
  if (!file) return;
  emitter.on('keylog', (line) => appendFileSync(file, line));
}

const b64u = (b) => Buffer.from(b).toString('base64url');

// A JWT-shaped token: real claim layout of a bound (or legacy) service-account token,
// a random 256-byte "RS256 signature". It is not signed by anything.
export function saToken({ ns, sa, pod, aud, legacy }) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: 'cw-lab-0Jp3kRZ9m2VwQ8xY' };
  const claims = legacy
    ? { iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': ns,
        'kubernetes.io/serviceaccount/secret.name': `${sa}-token-7xq2p`,
        'kubernetes.io/serviceaccount/service-account.name': sa,
        'kubernetes.io/serviceaccount/service-account.uid': 'c0ffee00-0000-4000-8000-000000000001',
        sub: `system:serviceaccount:${ns}:${sa}` }
    : { aud: [aud ?? 'https://kubernetes.default.svc.cluster.local'], exp: now + 3607, iat: now,
        iss: 'https://kubernetes.default.svc.cluster.local',
        'kubernetes.io': { namespace: ns, ...(pod ? { pod: { name: pod, uid: 'c0ffee00-0000-4000-8000-000000000002' } } : {}),
          serviceaccount: { name: sa, uid: 'c0ffee00-0000-4000-8000-000000000003' } },
        nbf: now, sub: `system:serviceaccount:${ns}:${sa}` };
  return `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.${b64u(randomBytes(256))}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
