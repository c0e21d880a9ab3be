import type { CertFacts } from '../core/facts.js';
import type { LayoutName } from './layouts.js';
import type { NodeFileStatus } from './reader.js';

/** A certificate file's public part. */
export interface NodeCert {
  file: string;
  /** Its CERTIFICATE blocks in file order (leaf first, as the kubelet serves them). */
  chain: CertFacts[];
  /** The file brings its own root: its last certificate is self-signed (client-go's default kubelet pair, or one self-signed leaf). */
  selfSigned: boolean;
  /** DER length of each certificate, in order. */
  derLengths: number[];
  /**
   * The encrypted TLS 1.3 record that carries this chain's Certificate message when it is sent in
   * a record of its own with no per-certificate extensions (Go crypto/tls, OpenSSL): see certificateRecordLength.
   */
  tls13CertificateRecord: number;
}

/** KubeletConfiguration as the kubelet applies it: v1beta1 defaults fill what the files leave out (listed in `defaulted`). */
export interface NodeKubelet {
  configFiles: string[];
  port: number;
  readOnlyPort: number;
  anonymousAuth: boolean;
  webhookAuthn: boolean;
  x509ClientCAFile: string | null;
  authorizationMode: string;
  serverTLSBootstrap: boolean;
  tlsCertFile: string | null;
  defaulted: string[];
  servingCert: NodeCert | null;
}

/** The kube-apiserver flags the node-file rules read; a flag absent from the manifest is null. */
export const APISERVER_FLAGS = [
  'kubelet-certificate-authority',
  'kubelet-client-certificate',
  'etcd-cafile',
  'etcd-certfile',
  'egress-selector-config-file',
] as const;
export type ApiserverFlag = (typeof APISERVER_FLAGS)[number];

export interface NodeApiserver {
  file: string;
  /** A static-pod manifest, or k3s's in-process apiserver (its built-in flags plus config.yaml's kube-apiserver-arg). */
  source: 'static-pod' | 'k3s-built-in';
  flags: Record<ApiserverFlag, string | null>;
}

export interface NodeEtcd {
  file: string;
  clientCertAuth: boolean;
  peerClientCertAuth: boolean;
}

export interface NodeKonnectivity {
  file: string;
  role: 'agent' | 'server';
}

export interface NodeAddress {
  ip: string;
  /** Which file (or option) names it. */
  source: string;
}

/** What this node's own files say. Public facts only: no key, no token. */
export interface NodeFacts {
  root: string;
  layout: LayoutName;
  /** A kube-apiserver runs here (manifest, or a k3s server). */
  controlPlane: boolean;
  addresses: NodeAddress[];
  kubelet: NodeKubelet | null;
  apiserver: NodeApiserver | null;
  etcd: NodeEtcd | null;
  konnectivity: NodeKonnectivity[];
  files: NodeFileStatus[];
}

/** Encrypted record overhead: inner content type (1) + AEAD tag (16; all TLS 1.3 suites but CCM_8). */
const TLS13_RECORD_OVERHEAD = 17;
/** Handshake header (4) + certificate_request_context length (1, empty for a server) + certificate_list length (3). */
const CERTIFICATE_MESSAGE_HEAD = 8;
/** Per entry: cert_data length (3) + extensions length (2, empty). */
const CERTIFICATE_ENTRY_HEAD = 5;

/** RFC 8446 4.4.2 Certificate message for these DER lengths, as one encrypted TLS 1.3 record. */
export function certificateRecordLength(derLengths: readonly number[]): number {
  return derLengths.reduce((n, l) => n + l + CERTIFICATE_ENTRY_HEAD, CERTIFICATE_MESSAGE_HEAD) + TLS13_RECORD_OVERHEAD;
}
