import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Layout } from '../node/layouts.js';
import { bool, containerArgs, flag, obj, str, yamlFile } from '../node/manifest.js';
import { NodeFileReader, type NodeFileStatus } from '../node/reader.js';
import { emptyClusterModel, parseHostPort, type ClusterModel } from './model.js';

/** Where `--from-node` looks; each path can be overridden (tests, unusual layouts). */
export interface NodeViewOptions {
  kubeletKubeconfig?: string;
  kubeletConfig?: string;
  clusterCa?: string;
  /** Static-pod manifests that may run konnectivity-agent or konnectivity-server. */
  konnectivityManifests?: string[];
}

export const NODE_DEFAULTS: Required<NodeViewOptions> = {
  kubeletKubeconfig: '/etc/kubernetes/kubelet.conf',
  kubeletConfig: '/var/lib/kubelet/config.yaml',
  clusterCa: '/etc/kubernetes/pki/ca.crt',
  konnectivityManifests: ['/etc/kubernetes/manifests/konnectivity-agent.yaml', '/etc/kubernetes/manifests/konnectivity-server.yaml'],
};

export interface KubeletSettings {
  readOnlyPort: number | null;
  anonymousAuth: boolean | null;
  x509ClientCAFile: string | null;
  webhookAuthn: boolean | null;
  authorizationMode: string | null;
  serverTLSBootstrap: boolean | null;
  tlsCertFile: string | null;
  rotateCertificates: boolean | null;
}

export interface KonnectivitySettings {
  role: 'agent' | 'server';
  file: string;
  /** Agent: where it dials (`--proxy-server-host/-port`). */
  proxyServer: string | null;
  /** Server: agent port, frontend port (`--server-port`, 0 = UDS). */
  agentPort: number | null;
  serverPort: number | null;
  /** mTLS (agent cert / server cluster CA) or service-account token. */
  auth: 'mtls' | 'token' | 'unknown';
}

export type { NodeFileStatus };

/** What a node's own files reveal about the cluster. Nothing here is a secret (no keys, no tokens). */
export interface NodeView {
  apiserverUrl: string | null;
  /** PEM of the CA the kubelet trusts for the apiserver, and of the cluster CA. */
  trustPems: { source: string; pem: string }[];
  kubelet: KubeletSettings | null;
  konnectivity: KonnectivitySettings[];
  files: NodeFileStatus[];
}

function readKubeconfig(reader: NodeFileReader, path: string, view: NodeView): void {
  const doc = obj(yamlFile(reader, path)[0]);
  if (doc === null) return;
  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  const current = str(doc['current-context']);
  const contexts = Array.isArray(doc.contexts) ? doc.contexts : [];
  const ctx = obj(contexts.map(obj).find((c) => c !== null && c.name === current)?.context);
  const wanted = ctx ? str(ctx.cluster) : null;
  const entry = clusters.map(obj).find((c) => c !== null && (wanted === null || c.name === wanted)) ?? null;
  const cluster = obj(entry?.cluster);
  if (cluster === null) return;
  view.apiserverUrl = str(cluster.server);
  const caData = str(cluster['certificate-authority-data']);
  const caFile = str(cluster['certificate-authority']);
  if (caData !== null) {
    view.trustPems.push({ source: `${path} certificate-authority-data`, pem: Buffer.from(caData, 'base64').toString('utf8') });
  } else if (caFile !== null) {
    const p = isAbsolute(caFile) ? caFile : resolve(dirname(path), caFile);
    const ca = reader.text(p);
    if (ca !== null) view.trustPems.push({ source: p, pem: ca });
  }
}

function readKubeletConfig(reader: NodeFileReader, path: string, view: NodeView): void {
  const doc = obj(yamlFile(reader, path)[0]);
  if (doc === null) return;
  const authn = obj(doc.authentication);
  view.kubelet = {
    readOnlyPort: typeof doc.readOnlyPort === 'number' ? doc.readOnlyPort : null,
    anonymousAuth: bool(obj(authn?.anonymous)?.enabled),
    x509ClientCAFile: str(obj(authn?.x509)?.clientCAFile),
    webhookAuthn: bool(obj(authn?.webhook)?.enabled),
    authorizationMode: str(obj(doc.authorization)?.mode),
    serverTLSBootstrap: bool(doc.serverTLSBootstrap),
    tlsCertFile: str(doc.tlsCertFile),
    rotateCertificates: bool(doc.rotateCertificates),
  };
}

function readKonnectivity(reader: NodeFileReader, path: string, view: NodeView): void {
  for (const doc of yamlFile(reader, path)) {
    for (const { image, args } of containerArgs(doc)) {
      const joined = `${image} ${args.join(' ')}`;
      if (/proxy-agent|konnectivity-agent/.test(joined)) {
        const host = flag(args, 'proxy-server-host');
        const port = flag(args, 'proxy-server-port') ?? '8091';
        const mtls = flag(args, 'agent-cert') !== null;
        const token = flag(args, 'service-account-token-path') !== null;
        view.konnectivity.push({
          role: 'agent', file: path, proxyServer: host === null ? null : `${host.includes(':') ? `[${host}]` : host}:${port}`,
          agentPort: null, serverPort: null, auth: mtls ? 'mtls' : token ? 'token' : 'unknown',
        });
      } else if (/proxy-server|konnectivity-server/.test(joined)) {
        const num = (v: string | null): number | null => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
        const caCert = flag(args, 'cluster-ca-cert') !== null;
        const tokenMode = flag(args, 'agent-service-account') !== null || flag(args, 'authentication-audience') !== null;
        view.konnectivity.push({
          role: 'server', file: path, proxyServer: null,
          agentPort: num(flag(args, 'agent-port')) ?? 8091, serverPort: num(flag(args, 'server-port')) ?? 8090,
          auth: caCert ? 'mtls' : tokenMode ? 'token' : 'unknown',
        });
      }
    }
  }
}

/** The kubeconfig, kubelet config, cluster CA and Konnectivity manifests of a layout. */
export function layoutViewOptions(layout: Layout, reader: NodeFileReader): Required<NodeViewOptions> {
  const manifests = (reader.list(layout.staticPodDir) ?? []).filter((n) => /konnectivity/.test(n) && /\.ya?ml$/.test(n)).map((n) => join(layout.staticPodDir, n));
  return {
    kubeletKubeconfig: layout.kubeletKubeconfig,
    kubeletConfig: layout.kubeletConfig ?? join(layout.kubeletConfigDir!, (reader.list(layout.kubeletConfigDir!) ?? []).find((n) => n.endsWith('.conf')) ?? `00-${layout.name}-defaults.conf`),
    clusterCa: layout.clusterCa,
    konnectivityManifests: manifests,
  };
}

/** Reads the node's kubeconfig, kubelet config, cluster CA and Konnectivity manifests; missing files are recorded, not fatal. */
export function readNodeView(options: NodeViewOptions = {}, reader: NodeFileReader = new NodeFileReader('/')): NodeView {
  const o = { ...NODE_DEFAULTS, ...options };
  const view: NodeView = { apiserverUrl: null, trustPems: [], kubelet: null, konnectivity: [], files: [] };
  readKubeconfig(reader, o.kubeletKubeconfig, view);
  readKubeletConfig(reader, o.kubeletConfig, view);
  const ca = reader.text(o.clusterCa);
  if (ca !== null) view.trustPems.push({ source: o.clusterCa, pem: ca });
  for (const m of o.konnectivityManifests) readKonnectivity(reader, m, view);
  view.files = reader.files;
  return view;
}

/** The cluster model a node view implies: the apiserver endpoint when it is an IP address, Konnectivity servers. */
export function nodeViewModel(view: NodeView): ClusterModel {
  const model = emptyClusterModel('node');
  if (view.apiserverUrl !== null) {
    try {
      const u = new URL(view.apiserverUrl);
      const port = u.port === '' ? (u.protocol === 'http:' ? 80 : 443) : Number(u.port);
      // URL keeps IPv6 hosts bracketed, which is the model's own spelling.
      const hp = parseHostPort(`${u.hostname}:${port}`);
      if (hp !== null) model.apiservers.push(hp);
    } catch {
      // A kubeconfig server that is not a URL reveals nothing usable.
    }
  }
  for (const k of view.konnectivity) {
    const hp = k.proxyServer === null ? null : parseHostPort(k.proxyServer);
    if (hp !== null) model.konnectivityServers.push(hp);
  }
  return model;
}
