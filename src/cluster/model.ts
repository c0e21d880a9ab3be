import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CidrSet, parseCidr, parseIp, type Cidr } from './cidr.js';

/** An IP endpoint named in the cluster model. */
export interface HostPort {
  ip: string;
  port: number;
  /** As written in the model (for evidence). */
  text: string;
}

/** SPEC "Cluster model": what the operator (or the node itself) says about the cluster's addresses. */
export interface ClusterModel {
  apiservers: HostPort[];
  controlPlane: CidrSet;
  nodes: CidrSet;
  podCIDRs: CidrSet;
  serviceCIDRs: CidrSet;
  konnectivityServers: HostPort[];
  /** Absolute paths of PEM trust bundles. */
  trustBundles: string[];
  /** Where the model came from (`--config` file, `node`), for evidence strings. */
  source: string;
}

export class ClusterModelError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ClusterModelError';
  }
}

const KEYS = ['apiservers', 'controlPlane', 'nodes', 'podCIDRs', 'serviceCIDRs', 'konnectivityServers', 'trustBundles'] as const;
type Key = (typeof KEYS)[number];

export function emptyClusterModel(source = 'none'): ClusterModel {
  return {
    apiservers: [],
    controlPlane: new CidrSet(),
    nodes: new CidrSet(),
    podCIDRs: new CidrSet(),
    serviceCIDRs: new CidrSet(),
    konnectivityServers: [],
    trustBundles: [],
    source,
  };
}

/** `10.0.0.1:6443` or `[fd00::1]:6443`; hostnames are refused because packets carry only addresses. */
export function parseHostPort(text: string): HostPort | null {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return null;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!host.includes(':')) return null;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) return null;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (parseIp(host) === null || !/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { ip: host, port, text };
}

function stringList(file: string, key: Key, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new ClusterModelError(file, `${key} must be a list, got ${JSON.stringify(value)}`);
  return value.map((v, i) => {
    if (typeof v !== 'string') throw new ClusterModelError(file, `${key}[${i}] must be a string, got ${JSON.stringify(v)}`);
    return v.trim();
  });
}

function hostPorts(file: string, key: Key, value: unknown): HostPort[] {
  return stringList(file, key, value).map((s) => {
    const hp = parseHostPort(s);
    if (hp === null) {
      throw new ClusterModelError(file, `${key}: "${s}" is not an IP address and port (write 10.0.0.1:6443 or [fd00::1]:6443)`);
    }
    return hp;
  });
}

function cidrs(file: string, key: Key, value: unknown): CidrSet {
  return new CidrSet(
    stringList(file, key, value).map((s): Cidr => {
      const c = parseCidr(s);
      if (c === null) throw new ClusterModelError(file, `${key}: "${s}" is not an IP address or CIDR (write 10.0.0.0/24 or fd00::/64)`);
      return c;
    }),
  );
}

/** Parses the YAML text of a cluster model; relative trust bundle paths are taken from `baseDir`. */
export function parseClusterModel(text: string, file: string, baseDir: string): ClusterModel {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ClusterModelError(file, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const model = emptyClusterModel(file);
  if (doc === null || doc === undefined) return model;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ClusterModelError(file, 'the top level must be a mapping of keys');
  const obj = doc as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      throw new ClusterModelError(file, `unknown key "${k}" (known keys: ${KEYS.join(', ')})`);
    }
  }
  model.apiservers = hostPorts(file, 'apiservers', obj.apiservers);
  model.controlPlane = cidrs(file, 'controlPlane', obj.controlPlane);
  model.nodes = cidrs(file, 'nodes', obj.nodes);
  model.podCIDRs = cidrs(file, 'podCIDRs', obj.podCIDRs);
  model.serviceCIDRs = cidrs(file, 'serviceCIDRs', obj.serviceCIDRs);
  model.konnectivityServers = hostPorts(file, 'konnectivityServers', obj.konnectivityServers);
  model.trustBundles = stringList(file, 'trustBundles', obj.trustBundles).map((p) => (isAbsolute(p) ? p : resolve(baseDir, p)));
  return model;
}

/** Reads a `--config` file. Throws ClusterModelError naming the file, key and value at fault. */
export function loadClusterModel(path: string): ClusterModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ClusterModelError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseClusterModel(text, path, dirname(resolve(path)));
}

/** Union of two models (a `--config` file and what `--from-node` revealed). */
export function mergeClusterModels(a: ClusterModel, b: ClusterModel): ClusterModel {
  return {
    apiservers: [...a.apiservers, ...b.apiservers],
    controlPlane: a.controlPlane.concat(b.controlPlane),
    nodes: a.nodes.concat(b.nodes),
    podCIDRs: a.podCIDRs.concat(b.podCIDRs),
    serviceCIDRs: a.serviceCIDRs.concat(b.serviceCIDRs),
    konnectivityServers: [...a.konnectivityServers, ...b.konnectivityServers],
    trustBundles: [...a.trustBundles, ...b.trustBundles],
    source: `${a.source}+${b.source}`,
  };
}

/** The model entry for an endpoint, comparing addresses numerically. */
export function findHostPort(list: readonly HostPort[], ip: string, port: number): HostPort | null {
  const n = parseIp(ip);
  if (n === null) return null;
  for (const hp of list) {
    if (hp.port !== port) continue;
    const m = parseIp(hp.ip);
    if (m !== null && m.family === n.family && m.value === n.value) return hp;
  }
  return null;
}

/** The first model entry on the same host as `ip`, whatever its port. */
export function findHost(list: readonly HostPort[], ip: string): HostPort | null {
  const n = parseIp(ip);
  if (n === null) return null;
  for (const hp of list) {
    const m = parseIp(hp.ip);
    if (m !== null && m.family === n.family && m.value === n.value) return hp;
  }
  return null;
}
