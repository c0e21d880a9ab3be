import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
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

export interface NodeFileStatus {
  path: string;
  status: 'read' | 'missing' | 'unreadable' | 'malformed';
  detail?: string;
}

/** What a node's own files reveal about the cluster. Nothing here is a secret (no keys, no tokens). */
export interface NodeView {
  apiserverUrl: string | null;
  /** PEM of the CA the kubelet trusts for the apiserver, and of the cluster CA. */
  trustPems: { source: string; pem: string }[];
  kubelet: KubeletSettings | null;
  konnectivity: KonnectivitySettings[];
  files: NodeFileStatus[];
}

type ReadResult = { text: string } | null;

function readOptional(path: string, files: NodeFileStatus[]): ReadResult {
  try {
    const text = readFileSync(path, 'utf8');
    files.push({ path, status: 'read' });
    return { text };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    files.push({ path, status: code === 'ENOENT' ? 'missing' : 'unreadable', detail: code ?? (e as Error).message });
    return null;
  }
}

function yamlDocs(path: string, text: string, files: NodeFileStatus[]): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const bad = list.find((d) => d.errors.length > 0);
  if (bad !== undefined) {
    const entry = files.find((f) => f.path === path);
    if (entry) {
      entry.status = 'malformed';
      entry.detail = bad.errors[0]!.message.split('\n')[0]!;
    }
    return [];
  }
  return list.map((d) => d.toJS() as unknown);
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function readKubeconfig(path: string, view: NodeView): void {
  const r = readOptional(path, view.files);
  if (r === null) return;
  const doc = obj(yamlDocs(path, r.text, view.files)[0]);
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
    const ca = readOptional(p, view.files);
    if (ca !== null) view.trustPems.push({ source: p, pem: ca.text });
  }
}

function readKubeletConfig(path: string, view: NodeView): void {
  const r = readOptional(path, view.files);
  if (r === null) return;
  const doc = obj(yamlDocs(path, r.text, view.files)[0]);
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

function containerArgs(doc: unknown): { image: string; args: string[] }[] {
  const out: { image: string; args: string[] }[] = [];
  const spec = obj(obj(doc)?.spec);
  const podSpec = obj(obj(spec?.template)?.spec) ?? spec;
  const containers = Array.isArray(podSpec?.containers) ? podSpec.containers : [];
  for (const c of containers.map(obj)) {
    if (c === null) continue;
    const list = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');
    out.push({ image: str(c.image) ?? '', args: list });
  }
  return out;
}

function flag(args: string[], name: string): string | null {
  for (const a of args) {
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : null;
}

function readKonnectivity(path: string, view: NodeView): void {
  const r = readOptional(path, view.files);
  if (r === null) return;
  for (const doc of yamlDocs(path, r.text, view.files)) {
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

/** Reads the node's kubeconfig, kubelet config, cluster CA and Konnectivity manifests; missing files are recorded, not fatal. */
export function readNodeView(options: NodeViewOptions = {}): NodeView {
  const o = { ...NODE_DEFAULTS, ...options };
  const view: NodeView = { apiserverUrl: null, trustPems: [], kubelet: null, konnectivity: [], files: [] };
  readKubeconfig(o.kubeletKubeconfig, view);
  readKubeletConfig(o.kubeletConfig, view);
  const ca = readOptional(o.clusterCa, view.files);
  if (ca !== null) view.trustPems.push({ source: o.clusterCa, pem: ca.text });
  for (const m of o.konnectivityManifests) readKonnectivity(m, view);
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
