import type { ConnectionRecord, HttpRecord } from './connection-record.js';

/** Where a host sits on the Kubernetes page: what the paths it takes part in say about it. */
export type HostRole = 'control-plane' | 'node' | 'pod' | 'other';

/**
 * [client role, server role] per path, from SPEC's path table. `null`: the path does not say
 * (anything may read a kubelet's read-only port). The apiserver proxy reaches nodes, pods and
 * services alike; `pod` stands for "a workload" there.
 */
const ROLES: Record<string, [HostRole | null, HostRole | null]> = {
  'node-apiserver': ['node', 'control-plane'],
  'pod-apiserver': ['pod', 'control-plane'],
  'controlplane-apiserver': ['control-plane', 'control-plane'],
  'apiserver-kubelet': ['control-plane', 'node'],
  'kubelet-readonly': [null, 'node'],
  'apiserver-proxy': ['control-plane', 'pod'],
  'ssh-tunnel': ['control-plane', 'node'],
  'konnectivity-agent': ['node', 'control-plane'],
  'konnectivity-server': ['control-plane', 'control-plane'],
  etcd: ['control-plane', 'control-plane'],
};

/** A host with several roles is drawn where the strongest puts it: a kubelet's host is a node even if it also runs a pod's client. */
const ROLE_RANK: Record<HostRole, number> = { 'control-plane': 0, node: 1, pod: 2, other: 3 };

export const VERDICT_RANK: Record<string, number> = { insecure: 0, unverified: 1, secure: 2 };
const rank = (v: string) => VERDICT_RANK[v] ?? 3;

/** `10.0.0.1:443` -> `10.0.0.1`, `[fd00::1]:443` -> `fd00::1`. */
export function hostOf(address: string): string {
  return address.replace(/^\[/, '').replace(/\]?:\d+$/, '');
}

export function portOf(address: string): string {
  return /:(\d+)$/.exec(address)?.[1] ?? '';
}

/** One arrow of the map: a path between a client host and a server ip:port. */
export interface MapEdge {
  path: string;
  client: string;
  server: string;
  count: number;
  verdict: string;
  /** Protocol as people name it, with the TLS version when there is one. */
  label: string;
  /** Index of the detail row of (path, server). */
  detail: number;
}

/** One (path, server) for the detail section: the worst connection stands for all. */
export interface DetailRow {
  index: number;
  path: string;
  server: string;
  clients: Set<string>;
  count: number;
  verdicts: Record<string, number>;
  verdict: string;
  worst: ConnectionRecord;
  http: HttpRecord[];
  httpDropped: number;
}

const PROTO_NAME: Record<string, string> = { tls: '', ssh: 'SSH', http: 'HTTP', http2: 'HTTP/2', grpc: 'gRPC', connect: 'CONNECT', unknown: 'TCP' };

export function protocolLabel(c: ConnectionRecord): string {
  const name = PROTO_NAME[c.proto] ?? c.proto;
  const tls = c.tls ? (c.tls.version ?? 'TLS') : '';
  return [name, tls].filter((s) => s !== '').join(' over ') || 'TCP';
}

/** Distinct (path, server) rows and map edges kept; past them connections are only counted. */
const MAX_ROWS = 5_000;
const MAX_EDGES = 5_000;
const MAX_CLIENTS = 200;
const MAX_HTTP = 40;
const MAX_HOSTS = 10_000;

/**
 * Gathers connection records for the HTML report as they arrive, bounded like the terminal
 * report: memory grows with distinct servers and paths, not with connections.
 */
export class PathCollector {
  private readonly rows = new Map<string, DetailRow>();
  private readonly edges = new Map<string, MapEdge>();
  private readonly roles = new Map<string, HostRole>();
  connections = 0;
  dropped = 0;
  firstSeen: string | null = null;
  lastSeen: string | null = null;

  add(c: ConnectionRecord): void {
    this.connections++;
    if (this.firstSeen === null || c.start < this.firstSeen) this.firstSeen = c.start;
    if (this.lastSeen === null || c.end > this.lastSeen) this.lastSeen = c.end;
    const row = this.row(c);
    if (!row) return;
    const client = hostOf(c.client);
    this.vote(client, ROLES[c.path]?.[0] ?? null);
    this.vote(hostOf(c.server), ROLES[c.path]?.[1] ?? null);
    const key = `${c.path}|${client}|${c.server}`;
    const e = this.edges.get(key);
    if (e) {
      e.count++;
      if (rank(c.verdict) < rank(e.verdict)) {
        e.verdict = c.verdict;
        e.label = protocolLabel(c);
      }
    } else if (this.edges.size < MAX_EDGES) {
      this.edges.set(key, { path: c.path, client, server: c.server, count: 1, verdict: c.verdict, label: protocolLabel(c), detail: row.index });
    }
  }

  private row(c: ConnectionRecord): DetailRow | null {
    const key = `${c.path}|${c.server}`;
    let r = this.rows.get(key);
    if (!r) {
      if (this.rows.size >= MAX_ROWS) {
        this.dropped++;
        return null;
      }
      r = { index: this.rows.size, path: c.path, server: c.server, clients: new Set(), count: 0, verdicts: {}, verdict: c.verdict, worst: c, http: [], httpDropped: 0 };
      this.rows.set(key, r);
    } else if (rank(c.verdict) < rank(r.verdict)) {
      r.verdict = c.verdict;
      r.worst = c;
    }
    r.count++;
    r.verdicts[c.verdict] = (r.verdicts[c.verdict] ?? 0) + 1;
    if (r.clients.size < MAX_CLIENTS) r.clients.add(hostOf(c.client));
    for (const x of c.http ?? []) {
      const same = (y: HttpRecord) => y.method === x.method && y.host === x.host && y.path === x.path && y.status === x.status && y.auth?.kind === x.auth?.kind;
      if (r.http.some(same)) continue;
      if (r.http.length < MAX_HTTP) r.http.push(x);
      else r.httpDropped++;
    }
    return r;
  }

  private vote(host: string, role: HostRole | null): void {
    const now = this.roles.get(host);
    if (now === undefined && this.roles.size >= MAX_HOSTS) return;
    const next = role ?? 'other';
    if (now === undefined || ROLE_RANK[next] < ROLE_RANK[now]) this.roles.set(host, next);
  }

  detailRows(): DetailRow[] {
    return [...this.rows.values()];
  }

  mapEdges(): MapEdge[] {
    return [...this.edges.values()];
  }

  roleOf(host: string): HostRole {
    return this.roles.get(host) ?? 'other';
  }
}
