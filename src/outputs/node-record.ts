import type { NodeCert, NodeFacts } from '../node/facts.js';

/** The `node` record: what this node's files say, public facts only (no key, no DER). */
export type NodeRecord = {
  type: 'node';
  root: string;
  layout: string;
  control_plane: boolean;
  addresses: { ip: string; source: string }[];
  files: { read: string[]; missing: string[]; unreadable: string[]; malformed: string[]; refused: string[] };
  kubelet: {
    config: string[];
    port: number;
    read_only_port: number;
    authentication: { anonymous: boolean; webhook: boolean; x509_client_ca_file: string | null };
    authorization_mode: string;
    server_tls_bootstrap: boolean;
    defaulted: string[];
    serving_cert: CertRecord | null;
  } | null;
  apiserver: { file: string; source: string; flags: Record<string, string | null> } | null;
  etcd: { file: string; client_cert_auth: boolean; peer_client_cert_auth: boolean } | null;
  konnectivity: { file: string; role: string }[];
};

type CertRecord = {
  file: string;
  subject: string;
  issuer: string;
  self_signed: boolean;
  not_before: string;
  not_after: string;
  sha256: string;
  san: string[];
  chain: { subject: string; issuer: string; sha256: string; der_len: number }[];
  tls13_certificate_record: number;
};

function certRecord(c: NodeCert): CertRecord {
  const leaf = c.chain[0]!;
  return {
    file: c.file,
    subject: leaf.subject,
    issuer: leaf.issuer,
    self_signed: c.selfSigned,
    not_before: leaf.notBefore,
    not_after: leaf.notAfter,
    sha256: leaf.sha256,
    san: leaf.san,
    chain: c.chain.map((x, i) => ({ subject: x.subject, issuer: x.issuer, sha256: x.sha256, der_len: c.derLengths[i]! })),
    tls13_certificate_record: c.tls13CertificateRecord,
  };
}

export function nodeRecord(n: NodeFacts): NodeRecord {
  const by = (s: string) => n.files.filter((f) => f.status === s).map((f) => f.path);
  const k = n.kubelet;
  return {
    type: 'node',
    root: n.root,
    layout: n.layout,
    control_plane: n.controlPlane,
    addresses: n.addresses.map((a) => ({ ...a })),
    files: { read: by('read'), missing: by('missing'), unreadable: by('unreadable'), malformed: by('malformed'), refused: by('refused') },
    kubelet: k === null ? null : {
      config: k.configFiles,
      port: k.port,
      read_only_port: k.readOnlyPort,
      authentication: { anonymous: k.anonymousAuth, webhook: k.webhookAuthn, x509_client_ca_file: k.x509ClientCAFile },
      authorization_mode: k.authorizationMode,
      server_tls_bootstrap: k.serverTLSBootstrap,
      defaulted: k.defaulted,
      serving_cert: k.servingCert === null ? null : certRecord(k.servingCert),
    },
    apiserver: n.apiserver === null ? null : { file: n.apiserver.file, source: n.apiserver.source, flags: { ...n.apiserver.flags } },
    etcd: n.etcd === null ? null : { file: n.etcd.file, client_cert_auth: n.etcd.clientCertAuth, peer_client_cert_auth: n.etcd.peerClientCertAuth },
    konnectivity: n.konnectivity.map((x) => ({ ...x })),
  };
}

/** The report's "This node" lines. */
export function nodeReportLines(r: NodeRecord, clean: (s: string) => string): string[] {
  const out: string[] = [];
  out.push(`  ${r.layout} layout${r.root === '/' ? '' : ` under ${clean(r.root)}`}, ${r.control_plane ? 'control-plane node' : 'worker node'}; addresses ${r.addresses.length ? r.addresses.map((a) => a.ip).join(', ') : 'unknown (--node-address)'}`);
  const k = r.kubelet;
  if (k === null) out.push('  kubelet: no configuration or serving certificate found');
  else {
    const c = k.serving_cert;
    out.push(`  kubelet :${k.port}: anonymous auth ${k.authentication.anonymous ? 'on' : 'off'}, webhook authn ${k.authentication.webhook ? 'on' : 'off'}, client CA ${k.authentication.x509_client_ca_file ? clean(k.authentication.x509_client_ca_file) : 'none'}, authorization ${clean(k.authorization_mode)}, read-only port ${k.read_only_port === 0 ? 'off' : k.read_only_port}`);
    if (c) out.push(`  kubelet serving cert ${clean(c.file)}: ${clean(c.subject)} issued by ${clean(c.issuer)}${c.self_signed ? ' (self-signed)' : ''}${c.chain.length > 1 ? ` + ${c.chain.length - 1} more` : ''}, until ${c.not_after}, sha256 ${c.sha256.slice(0, 16)}…`);
    else out.push('  kubelet serving cert: not found');
  }
  if (r.apiserver) {
    const f = r.apiserver.flags;
    const present = Object.entries(f).filter(([, v]) => v !== null).map(([n]) => `--${n}`);
    const absent = Object.entries(f).filter(([, v]) => v === null).map(([n]) => `--${n}`);
    out.push(`  kube-apiserver (${clean(r.apiserver.file)}${r.apiserver.source === 'k3s-built-in' ? ', k3s built-in flags' : ''}): ${present.length ? `sets ${present.join(' ')}` : 'sets none of the flags read'}${absent.length ? `; lacks ${absent.join(' ')}` : ''}`);
  }
  if (r.etcd) out.push(`  etcd (${clean(r.etcd.file)}): client-cert-auth ${r.etcd.client_cert_auth}, peer-client-cert-auth ${r.etcd.peer_client_cert_auth}`);
  for (const x of r.konnectivity) out.push(`  konnectivity-${x.role} (${clean(x.file)})`);
  const problems = [...r.files.unreadable.map((p) => `${p} unreadable`), ...r.files.malformed.map((p) => `${p} malformed`), ...r.files.refused.map((p) => `${p} refused (key)`)];
  if (problems.length) out.push(`  ${problems.map(clean).join('; ')}`);
  return out;
}
