import type { NodeFacts } from '../node/facts.js';
import type { RuleName } from './catalog.js';
import type { Evidence, RuleContext, RuleFn } from './types.js';

/** TLS_AES_128_CCM_8_SHA256 has an 8-byte tag: the Certificate record size check assumes 16. */
const CCM_8 = 0x1305;
const TLS13 = 0x0304;

/** How the node's files name the connection's server as its own kubelet, or null when they do not. */
function kubeletMatch(node: NodeFacts, ip: string, port: number): string | null {
  const k = node.kubelet;
  if (k === null || port !== k.port) return null;
  const own = node.addresses.find((a) => a.ip === ip);
  if (own) return `server ${ip} is this node (${own.source})`;
  const leaf = k.servingCert?.chain[0];
  if (leaf?.sanIp.includes(ip)) return `server ${ip} is in the SANs of ${k.servingCert!.file}`;
  return null;
}

/**
 * Whether the encrypted Certificate record the server sent has the size the file's chain makes.
 * Only a size: equal sizes make it very likely the same chain, a mismatch says the file is not what was served.
 */
function recordSizeEvidence(ctx: RuleContext, expected: number, derLengths: number[]): Evidence | null {
  const tls = ctx.tls;
  if (!tls || tls.version !== TLS13 || tls.cipher === CCM_8 || tls.resumed) return null;
  const server = tls.encryptedHandshakeRecords[1];
  if (server.length === 0) return null;
  const consistent = server.includes(expected);
  return {
    expected,
    observed: [...server],
    consistent,
    how: `Certificate message of ${derLengths.length} certificate(s) of ${derLengths.join('+')} DER bytes: 8 + ${derLengths.length}*5 + DER, +17 for the TLS 1.3 record (type and 16-byte tag)`,
  };
}

/**
 * kubelet-cert-unverifiable when the wire hid the chain: the handshake with this node's kubelet was
 * seen, and the certificate file it serves does not verify against the trust bundles.
 */
export function kubeletCertFromNodeFiles(ctx: RuleContext): Evidence | null {
  const node = ctx.node;
  const cert = node?.kubelet?.servingCert;
  const tls = ctx.tls;
  if (!node || !cert || ctx.path.path !== 'apiserver-kubelet' || !tls || tls.serverHello === null || tls.chainVisible) return null;
  const match = kubeletMatch(node, ctx.c.server.ip, ctx.c.server.port);
  if (match === null) return null;
  const check = ctx.trust.verify(cert.chain, ctx.atMs, tls.sni ?? ctx.c.server.ip);
  if (check.anchored || (!check.selfSigned && ctx.trust.size === 0)) return null;
  const leaf = cert.chain[0]!;
  const size = recordSizeEvidence(ctx, cert.tls13CertificateRecord, cert.derLengths);
  return {
    source: 'node-files',
    file: cert.file,
    subject: leaf.subject,
    issuer: leaf.issuer,
    self_signed: check.selfSigned,
    validation: check.validation,
    reason: check.reason,
    sha256: leaf.sha256,
    not_after: leaf.notAfter,
    matched: match,
    ...(size ? { certificate_record: size } : {}),
  };
}

export const NODE_FILE_RULES = {
  'apiserver-kubelet-unverified': (ctx) => {
    const node = ctx.node;
    const api = node?.apiserver;
    if (!node || !api || ctx.path.path !== 'apiserver-kubelet' || ctx.tls === null) return null;
    if (api.flags['kubelet-certificate-authority'] !== null) return null;
    // This node's kube-apiserver is the client: other apiservers have manifests of their own.
    const own = node.addresses.find((a) => a.ip === ctx.c.client.ip);
    if (!own) return null;
    return {
      source: 'node-files',
      file: api.file,
      kubelet_certificate_authority: null,
      kubelet_client_certificate: api.flags['kubelet-client-certificate'] !== null,
      client: `${ctx.c.client.ip} is this node (${own.source})`,
    };
  },
} satisfies Partial<Record<RuleName, RuleFn>>;
