/**
 * A real PKI made with the openssl CLI for the trust, classification and rule tests; CertFacts come
 * from the TLS dissector's own DER parser.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertFacts } from '../../src/core/facts.js';
import { parseCertificate } from '../../dissectors/tls/certs.js';

function ossl(dir: string, args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Pki {
  dir: string;
  pem: Record<string, string>;
  facts: Record<string, CertFacts>;
  cleanup(): void;
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
const APISERVER_SAN = 'DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:control-plane-1,IP:10.96.0.1,IP:10.20.0.10';

interface Spec {
  name: string;
  subj: string;
  /** Issuer name, or null for self-signed. */
  by: string | null;
  key?: 'ec' | 'rsa2048' | 'rsa1024';
  ext: string;
  md?: string;
  /** Issue with `openssl ca` between these dates (YYYYMMDDHHMMSSZ) instead of `x509 -days`. */
  dates?: [string, string];
}

const leaf = (san: string, eku = 'serverAuth'): string =>
  `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${eku}\n${san ? `subjectAltName=${san}\n` : ''}`;

const SPECS: Spec[] = [
  { name: 'root', subj: '/CN=kubernetes', by: null, ext: CA_EXT },
  { name: 'intermediate', subj: '/O=comms-watch test/CN=kubernetes-intermediate', by: 'root', ext: CA_EXT },
  { name: 'apiserver', subj: '/CN=kube-apiserver', by: 'intermediate', ext: leaf(APISERVER_SAN) },
  { name: 'apiserverDirect', subj: '/CN=kube-apiserver', by: 'root', ext: leaf(APISERVER_SAN) },
  { name: 'kubeletCa', subj: '/CN=node1-ca@1700000000', by: null, key: 'rsa2048', ext: CA_EXT },
  { name: 'kubeletSelf', subj: '/CN=node1@1700000000', by: 'kubeletCa', key: 'rsa2048', ext: leaf('DNS:node1') },
  { name: 'kubeletOld', subj: '/CN=node2@1600000000', by: null, ext: `${CA_EXT}subjectAltName=DNS:node2\n` },
  { name: 'kubeletSigned', subj: '/O=system:nodes/CN=system:node:node1', by: 'root', ext: leaf('DNS:node1,IP:10.20.1.5') },
  { name: 'kubeletClient', subj: '/O=system:masters/CN=kube-apiserver-kubelet-client', by: 'root', ext: leaf('', 'clientAuth') },
  { name: 'nodeClient', subj: '/O=system:nodes/CN=system:node:node1', by: 'root', ext: leaf('', 'clientAuth') },
  { name: 'expired', subj: '/CN=old-apiserver', by: 'root', ext: leaf('DNS:kubernetes.default.svc,IP:10.20.0.10'), dates: ['20200101000000Z', '20210101000000Z'] },
  { name: 'foreignCa', subj: '/CN=evil-ca', by: null, ext: CA_EXT },
  { name: 'foreign', subj: '/CN=kube-apiserver', by: 'foreignCa', ext: leaf(APISERVER_SAN) },
  { name: 'wildcard', subj: '/CN=wildcard', by: 'root', ext: leaf('DNS:*.example.com') },
  { name: 'weakRsa', subj: '/CN=weak-rsa', by: 'root', key: 'rsa1024', ext: leaf('DNS:weak.example.com') },
  { name: 'sha1', subj: '/CN=sha1-signed', by: 'root', md: 'sha1', ext: leaf('DNS:sha1.example.com') },
  { name: 'notCa', subj: '/CN=not-a-ca', by: 'root', ext: 'basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\n' },
  { name: 'notCaIssued', subj: '/CN=issued-by-leaf', by: 'notCa', ext: leaf('DNS:leafissued.example.com') },
  { name: 'impostor', subj: '/CN=kubernetes', by: null, ext: CA_EXT },
  { name: 'forged', subj: '/CN=forged', by: 'impostor', ext: leaf('DNS:forged.example.com') },
  { name: 'etcdCa', subj: '/CN=etcd-ca', by: null, ext: CA_EXT },
  { name: 'etcd', subj: '/CN=control-plane-1', by: 'etcdCa', ext: leaf('DNS:control-plane-1,DNS:localhost,IP:10.20.0.10,IP:127.0.0.1', 'serverAuth,clientAuth') },
  { name: 'etcdClient', subj: '/O=system:masters/CN=kube-apiserver-etcd-client', by: 'etcdCa', ext: leaf('', 'clientAuth') },
];

function makeKey(dir: string, name: string, key: Spec['key']): void {
  if (key === 'rsa2048' || key === 'rsa1024') {
    ossl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${key === 'rsa2048' ? 2048 : 1024}`, '-out', `${name}.key`]);
  } else {
    ossl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  }
}

/** Generates every certificate of SPECS in a fresh temporary directory. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cw-pki-'));
  const pem: Record<string, string> = {};
  let serial = 100;
  for (const s of SPECS) {
    makeKey(dir, s.name, s.key);
    writeFileSync(join(dir, `${s.name}.ext`), s.ext);
    const md = `-${s.md ?? 'sha256'}`;
    if (s.by === null) {
      ossl(dir, ['req', '-new', '-x509', '-key', `${s.name}.key`, '-subj', s.subj, '-days', '3650', md, '-set_serial', String(serial++),
        '-extensions', 'v3', '-config', writeReqConfig(dir, s), '-out', `${s.name}.crt`]);
    } else if (s.dates) {
      ossl(dir, ['req', '-new', '-key', `${s.name}.key`, '-subj', s.subj, '-out', `${s.name}.csr`]);
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(join(dir, 'serial'), `${(serial++).toString(16).padStart(4, '0')}\n`);
      writeFileSync(join(dir, 'ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`);
      ossl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', `${s.by}.crt`, '-keyfile', `${s.by}.key`, '-in', `${s.name}.csr`, '-out', `${s.name}.crt`,
        '-startdate', s.dates[0], '-enddate', s.dates[1], '-notext', '-extfile', `${s.name}.ext`]);
    } else {
      ossl(dir, ['req', '-new', '-key', `${s.name}.key`, '-subj', s.subj, '-out', `${s.name}.csr`]);
      ossl(dir, ['x509', '-req', '-in', `${s.name}.csr`, '-CA', `${s.by}.crt`, '-CAkey', `${s.by}.key`, '-set_serial', String(serial++),
        '-days', '365', md, '-extfile', `${s.name}.ext`, '-out', `${s.name}.crt`]);
    }
    pem[s.name] = readFileSync(join(dir, `${s.name}.crt`), 'utf8');
  }
  const facts: Record<string, CertFacts> = {};
  for (const [k, v] of Object.entries(pem)) facts[k] = parseCertificate(new X509Certificate(v).raw);
  return { dir, pem, facts, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function writeReqConfig(dir: string, s: Spec): string {
  const file = `${s.name}.req.cnf`;
  writeFileSync(join(dir, file), `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${s.ext}`);
  return file;
}

/** Writes a PEM bundle of the named certificates and returns its path. */
export function bundle(pki: Pki, file: string, names: string[]): string {
  const p = join(pki.dir, file);
  writeFileSync(p, names.map((n) => pki.pem[n]).join(''));
  return p;
}
