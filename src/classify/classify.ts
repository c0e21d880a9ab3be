import type { CertFacts, HttpExchange, TlsFacts } from '../core/facts.js';
import type { ConnectionFacts } from '../facts/connection.js';
import { parseIp, type Cidr } from '../cluster/cidr.js';
import { findHost, findHostPort, type ClusterModel } from '../cluster/model.js';
import { clientRole, isApiserverCert, isApiserverName, isEtcdCert, kubeletSelfSignedHost, nodeIdentity } from './identities.js';
import type { PathClassification, PathName, PathStrength } from './path-class.js';

/** The TLS layer of a connection: its own, or the one a CONNECT tunnel carried. */
export function tlsOf(c: ConnectionFacts): TlsFacts | null {
  return c.tls ?? c.tunnel?.tls ?? null;
}

/** Every HTTP/1, HTTP/2 and gRPC exchange seen on the connection, tunnelled or decrypted ones included. */
export function exchangesOf(c: ConnectionFacts): HttpExchange[] {
  const out: HttpExchange[] = [];
  for (const h of [c.http, c.http2, c.tunnel?.http, c.tunnel?.http2]) if (h) out.push(...h.exchanges);
  return out;
}

const KUBELET_PATH = /^\/(exec|attach|portForward|containerLogs|run|stats|spec|checkpoint|runningpods|logs|configz)(\/|$|\?)|^\/pods(\/|$|\?)|^\/metrics\/(cadvisor|resource|probes)/;
const APISERVER_PATH = /^\/(api|apis)(\/|$|\?)|^\/version(\/|$|\?)|^\/openapi\//;

function result(path: PathName, strength: PathStrength, evidence: string): PathClassification {
  return { path, evidence, strength };
}

function serviceAccountOf(c: ConnectionFacts): string | null {
  for (const x of exchangesOf(c)) {
    const sub = x.auth?.jwt?.sub;
    if (sub?.startsWith('system:serviceaccount:')) return sub;
  }
  return null;
}

/** Which apiserver path a client is on, from what its certificate or request says about it. */
function apiserverClientPath(c: ConnectionFacts, model: ClusterModel | null, strength: PathStrength, why: string): PathClassification {
  const clientLeaf: CertFacts | undefined = tlsOf(c)?.clientChain?.[0];
  const role = clientLeaf ? clientRole(clientLeaf) : null;
  if (role === 'node') return result('node-apiserver', strength, `${why}; client cert ${clientLeaf!.subject} is a node identity`);
  if (role === 'controlplane') return result('controlplane-apiserver', strength, `${why}; client cert ${clientLeaf!.subject} is a control-plane identity`);
  if (model) {
    const ranges: [PathName, string, Cidr | null][] = [
      ['controlplane-apiserver', 'controlPlane', model.controlPlane.find(c.client.ip)],
      ['pod-apiserver', 'podCIDRs', model.podCIDRs.find(c.client.ip)],
      ['node-apiserver', 'nodes', model.nodes.find(c.client.ip)],
    ];
    for (const [path, key, cidr] of ranges) {
      if (cidr === null) continue;
      const token = path === 'node-apiserver' ? serviceAccountOf(c) : null;
      // The model outranks the token: a host-network pod shares its node's address.
      const also = token === null ? '' : `; bearer token of ${token} (a host-network pod on the node)`;
      return result(path, strength, `${why}; client ${c.client.ip} is in ${key} ${cidr.text}${also}`);
    }
    if (model.serviceCIDRs.has(c.server.ip)) return result('pod-apiserver', strength, `${why}; server ${c.server.ip} is a service VIP`);
  }
  for (const x of exchangesOf(c)) {
    const ua = x.userAgent ?? '';
    if (x.auth?.jwt?.sub?.startsWith('system:serviceaccount:')) return result('pod-apiserver', strength, `${why}; bearer token of ${x.auth.jwt.sub}`);
    if (/^(kubelet|kube-proxy)\//.test(ua)) return result('node-apiserver', strength, `${why}; user agent ${ua.split(' ')[0]}`);
    if (/^(kube-scheduler|kube-controller-manager)\//.test(ua)) return result('controlplane-apiserver', strength, `${why}; user agent ${ua.split(' ')[0]}`);
  }
  if (c.server.port === 443 && clientLeaf === undefined && !tlsOf(c)?.sni) {
    return result('pod-apiserver', strength, `${why}; port 443 without SNI or client cert (the kubernetes service)`);
  }
  return result('node-apiserver', strength, why);
}

/** The kubernetes service is always the first address of the first service CIDR. */
function isKubernetesServiceVip(model: ClusterModel, ip: string, port: number): boolean {
  const first = model.serviceCIDRs.cidrs[0];
  const n = parseIp(ip);
  if (first === undefined || n === null || port !== 443) return false;
  return n.family === first.family && n.value === first.base + 1n;
}

function hasKonnectivityConnect(c: ConnectionFacts): boolean {
  return exchangesOf(c).some((x) => x.method === 'CONNECT' && x.host === '127.0.0.1');
}

const FRONTEND_PORTS: ReadonlySet<number> = new Set([8131, 8090]);

/**
 * A cleartext HTTP CONNECT of the konnectivity frontend's shape is the frontend, whatever the model
 * lists (often only the agent port) and whatever the tunnel carries: the carried kubelet TLS is the
 * tunnel's business (judged on its own), not the connection's.
 */
function byFrontendConnect(c: ConnectionFacts, model: ClusterModel | null): PathClassification | null {
  if (c.tls !== null || !c.http?.connect) return null;
  if (hasKonnectivityConnect(c)) return result('konnectivity-server', 'http', `HTTP CONNECT ${c.http.connect.authority} with Host 127.0.0.1 (konnectivity frontend)`);
  if (FRONTEND_PORTS.has(c.server.port)) return result('konnectivity-server', 'http', `HTTP CONNECT ${c.http.connect.authority} on port ${c.server.port} (konnectivity frontend)`);
  const host = model ? findHost(model.konnectivityServers, c.server.ip) : null;
  if (host) return result('konnectivity-server', 'model', `HTTP CONNECT to ${c.server.ip}, the host of konnectivity server ${host.text} in the cluster model (frontend)`);
  return null;
}

function byModel(c: ConnectionFacts, m: ClusterModel): PathClassification | null {
  const s = c.server;
  const konn = findHostPort(m.konnectivityServers, s.ip, s.port);
  if (konn !== null) {
    if (hasKonnectivityConnect(c)) return result('konnectivity-server', 'model', `konnectivity server ${konn.text} in the cluster model, HTTP CONNECT frontend`);
    // Inside mTLS the CONNECT is invisible: the frontend's conventional ports, or a control-plane
    // client (the apiserver) on a port that is not an agent port, tell the frontend from the agent port.
    const frontendPort = s.port === 8131 || s.port === 8090;
    const agentPort = s.port === 8132 || s.port === 8091;
    const fromControlPlane = m.controlPlane.find(c.client.ip) !== null && m.nodes.find(c.client.ip) === null;
    if (frontendPort || (!agentPort && fromControlPlane)) {
      return result('konnectivity-server', 'model', `konnectivity server ${konn.text} in the cluster model, ${frontendPort ? `frontend port ${s.port}` : 'client in the control plane'}`);
    }
    return result('konnectivity-agent', 'model', `konnectivity server ${konn.text} in the cluster model`);
  }
  const api = findHostPort(m.apiservers, s.ip, s.port);
  if (api !== null) return apiserverClientPath(c, m, 'model', `apiserver ${api.text} in the cluster model`);
  if (isKubernetesServiceVip(m, s.ip, s.port)) return apiserverClientPath(c, m, 'model', `${s.ip}:443 is the kubernetes service VIP of ${m.serviceCIDRs.cidrs[0]!.text}`);
  const serverHost = m.nodes.find(s.ip) ?? m.controlPlane.find(s.ip);
  if (serverHost !== null) {
    if (s.port === 10250) return result('apiserver-kubelet', 'model', `kubelet port 10250 on ${s.ip} (${serverHost.text} in the cluster model)`);
    if (s.port === 10255) return result('kubelet-readonly', 'model', `kubelet read-only port 10255 on ${s.ip} (${serverHost.text} in the cluster model)`);
  }
  const cp = m.controlPlane.find(c.client.ip);
  if (cp !== null) {
    if (s.port === 22 && m.nodes.has(s.ip)) return result('ssh-tunnel', 'model', `SSH from control plane ${c.client.ip} to node ${s.ip}`);
    if ((s.port === 2379 || s.port === 2380) && m.controlPlane.has(s.ip)) return result('etcd', 'model', `etcd port ${s.port} between control-plane hosts`);
    const target = m.podCIDRs.find(s.ip) ?? m.serviceCIDRs.find(s.ip);
    if (target !== null && c.proto !== 'ssh') return result('apiserver-proxy', 'model', `control plane ${c.client.ip} (${cp.text}) to pod/service network ${target.text}`);
  }
  return null;
}

function byCert(c: ConnectionFacts, model: ClusterModel | null): PathClassification | null {
  const tls = tlsOf(c);
  if (!tls) return null;
  const clientLeaf = tls.clientChain?.[0];
  const role = clientLeaf ? clientRole(clientLeaf) : null;
  if (role === 'kubelet-client') return result('apiserver-kubelet', 'cert', `client cert ${clientLeaf!.subject} is the apiserver's kubelet client`);
  if (role === 'etcd-client') return result('etcd', 'cert', `client cert ${clientLeaf!.subject} is an etcd client identity`);
  if (role === 'front-proxy') return result('apiserver-proxy', 'cert', `client cert ${clientLeaf!.subject} is the apiserver's front proxy`);
  const leaf = tls.serverChain?.[0];
  if (!leaf) return null;
  const host = kubeletSelfSignedHost(leaf);
  if (host !== null) return result('apiserver-kubelet', 'cert', `server cert ${leaf.subject} issued by ${leaf.issuer} is a kubelet's self-signed serving cert`);
  const node = nodeIdentity(leaf);
  if (node !== null) return result('apiserver-kubelet', 'cert', `server cert ${leaf.subject} is a kubelet serving cert of node ${node}`);
  if (isEtcdCert(leaf)) return result('etcd', 'cert', `server cert ${leaf.subject} issued by ${leaf.issuer}`);
  if (isApiserverCert(leaf)) return apiserverClientPath(c, model, 'cert', `server cert ${leaf.subject} has the apiserver SANs (kubernetes.default.svc)`);
  return null;
}

function bySni(c: ConnectionFacts, model: ClusterModel | null): PathClassification | null {
  const sni = tlsOf(c)?.sni;
  if (sni && isApiserverName(sni)) return apiserverClientPath(c, model, 'sni', `SNI ${sni} names the apiserver`);
  return null;
}

function byGrpc(c: ConnectionFacts): PathClassification | null {
  for (const x of exchangesOf(c)) {
    if (x.path === '/AgentService/Connect') return result('konnectivity-agent', 'grpc', 'gRPC /AgentService/Connect (konnectivity agent)');
    if (x.path === '/ProxyService/Proxy') return result('konnectivity-server', 'grpc', 'gRPC /ProxyService/Proxy (konnectivity frontend)');
  }
  return null;
}

function byHttp(c: ConnectionFacts, model: ClusterModel | null): PathClassification | null {
  if (hasKonnectivityConnect(c)) return result('konnectivity-server', 'http', 'HTTP CONNECT with Host 127.0.0.1 (konnectivity frontend)');
  for (const x of exchangesOf(c)) {
    const p = x.path ?? '';
    if (KUBELET_PATH.test(p)) {
      return c.server.port === 10255
        ? result('kubelet-readonly', 'http', `kubelet API path ${p} on port 10255`)
        : result('apiserver-kubelet', 'http', `kubelet API path ${p}`);
    }
  }
  for (const x of exchangesOf(c)) {
    const p = x.path ?? '';
    if (APISERVER_PATH.test(p)) return apiserverClientPath(c, model, 'http', `apiserver API path ${p}`);
  }
  return null;
}

function byPort(c: ConnectionFacts, model: ClusterModel | null): PathClassification | null {
  // Every cluster path is TCP; UDP to these ports (QUIC on 443) is something else.
  if (c.transport !== 'tcp') return null;
  const p = c.server.port;
  switch (p) {
    case 6443:
      return apiserverClientPath(c, model, 'port', 'port 6443 (kube-apiserver)');
    case 443: {
      const tls = tlsOf(c);
      const sni = tls?.sni ?? null;
      if ((sni === null || parseIp(sni) !== null) && !tls?.serverChain?.length) return result('pod-apiserver', 'port', 'port 443 without SNI (the kubernetes service VIP)');
      return null;
    }
    case 10250:
      return result('apiserver-kubelet', 'port', 'port 10250 (kubelet API)');
    case 10255:
      return result('kubelet-readonly', 'port', 'port 10255 (kubelet read-only)');
    case 2379:
    case 2380:
      return result('etcd', 'port', `port ${p} (etcd)`);
    case 8132:
    case 8091:
      return result('konnectivity-agent', 'port', `port ${p} (konnectivity agent)`);
    case 8131:
      return result('konnectivity-server', 'port', 'port 8131 (konnectivity HTTP CONNECT frontend)');
    default:
      return null;
  }
}

/**
 * The connection's SPEC path, decided by the strongest evidence available: cluster model, certificate
 * identities, SNI, gRPC method, HTTP content, then ports. Works with no model at all.
 */
export function classify(c: ConnectionFacts, model: ClusterModel | null): PathClassification {
  return (
    (model ? byModel(c, model) : null) ??
    byFrontendConnect(c, model) ??
    byCert(c, model) ??
    bySni(c, model) ??
    byGrpc(c) ??
    byHttp(c, model) ??
    byPort(c, model) ??
    result('other', 'port', `nothing identifies ${c.server.ip}:${c.server.port} as a cluster path`)
  );
}
