import type { CertFacts } from '../core/facts.js';

/** Kubernetes identities carried in certificates (kubeadm and client-go conventions, peers.md section 6). */

export function rdn(dn: string, attr: string): string | null {
  // RFC 4514 strings from the dissector escape commas inside values as `\,`.
  for (const part of dn.split(/(?<!\\),/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toUpperCase() === attr) return part.slice(eq + 1);
  }
  return null;
}

const SELF_SIGNED_LEAF = /^(.+)@(\d+)$/;

/** client-go's self-signed kubelet pair: leaf `CN=<host>@<unix>` issued by `CN=<host>-ca@<unix>`, or the older single self-signed leaf. */
export function kubeletSelfSignedHost(leaf: CertFacts): string | null {
  const cn = rdn(leaf.subject, 'CN');
  if (cn === null) return null;
  const m = SELF_SIGNED_LEAF.exec(cn);
  if (m === null) return null;
  const issuerCn = rdn(leaf.issuer, 'CN');
  if (issuerCn === cn || (issuerCn !== null && /^(.+)-ca@(\d+)$/.exec(issuerCn)?.[1] === m[1])) return m[1]!;
  return null;
}

/** `CN=system:node:<name>,O=system:nodes`: a node's client cert, or a CA-signed kubelet serving cert. */
export function nodeIdentity(cert: CertFacts): string | null {
  const cn = rdn(cert.subject, 'CN');
  if (cn === null || !cn.startsWith('system:node:')) return null;
  return cert.subject.split(/(?<!\\),/).some((p) => p === 'O=system:nodes') ? cn.slice('system:node:'.length) : null;
}

const APISERVER_SANS = /^kubernetes(\.default(\.svc(\..+)?)?)?$/i;

/** The apiserver serving cert carries `kubernetes.default.svc` and its siblings. */
export function isApiserverCert(cert: CertFacts): boolean {
  return cert.sanDns.some((d) => APISERVER_SANS.test(d));
}

export function isApiserverName(sni: string): boolean {
  return APISERVER_SANS.test(sni);
}

export type ClientRole = 'kubelet-client' | 'etcd-client' | 'front-proxy' | 'node' | 'controlplane' | 'etcd' | null;

/** What a client certificate says its holder is. */
export function clientRole(cert: CertFacts): ClientRole {
  const cn = rdn(cert.subject, 'CN') ?? '';
  if (cn === 'kube-apiserver-kubelet-client') return 'kubelet-client';
  if (cn === 'kube-apiserver-etcd-client' || cn === 'kube-etcd-healthcheck-client') return 'etcd-client';
  if (cn === 'front-proxy-client') return 'front-proxy';
  if (nodeIdentity(cert) !== null || cn === 'system:kube-proxy') return 'node';
  if (cn === 'system:kube-scheduler' || cn === 'system:kube-controller-manager') return 'controlplane';
  if (rdn(cert.issuer, 'CN') === 'etcd-ca') return 'etcd';
  return null;
}

/** kubeadm's etcd certificates are issued by `CN=etcd-ca`. */
export function isEtcdCert(cert: CertFacts): boolean {
  return rdn(cert.issuer, 'CN') === 'etcd-ca';
}
