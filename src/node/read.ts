import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NodeAddress, NodeFacts } from './facts.js';
import { detectLayout, LAYOUTS, type LayoutName } from './layouts.js';
import { configuredAddresses, readControlPlane } from './control-plane.js';
import { readKubelet } from './kubelet.js';
import { obj, yamlFile } from './manifest.js';
import { NodeFileReader } from './reader.js';

export interface NodeReadOptions {
  /** Prefix of every node path (`/host` in a DaemonSet). */
  root?: string;
  layout?: LayoutName | 'auto';
  /** Per-file overrides, as node paths. */
  kubeletConfig?: string | null;
  kubeletCert?: string | null;
  apiserverManifest?: string | null;
  etcdManifest?: string | null;
  /** Addresses of this node named on the command line. */
  addresses?: string[];
  /** Add the addresses of this host's interfaces (watch: the capture runs on the node itself). */
  localInterfaces?: boolean;
}

function interfaceAddresses(): NodeAddress[] {
  const out: NodeAddress[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) out.push({ ip: a.address.replace(/%.*$/, ''), source: `interface ${name}` });
  }
  return out;
}

function usable(a: NodeAddress): boolean {
  return isIP(a.ip) !== 0 && a.ip !== '0.0.0.0' && a.ip !== '::';
}

/** Reads what the node's files say; missing and unreadable files are recorded in `files`, never thrown. */
export function readNodeFacts(o: NodeReadOptions = {}, reader: NodeFileReader = new NodeFileReader(o.root ?? '/')): NodeFacts {
  const layoutName = o.layout === undefined || o.layout === 'auto' ? detectLayout(reader) : o.layout;
  const layout = LAYOUTS[layoutName];
  const config = layout.distroConfig === null ? null : obj(yamlFile(reader, layout.distroConfig)[0]);
  const kubelet = readKubelet(reader, layout, { kubeletConfig: o.kubeletConfig ?? null, kubeletCert: o.kubeletCert ?? null });
  const cp = readControlPlane(reader, layout, config, { apiserverManifest: o.apiserverManifest ?? null, etcdManifest: o.etcdManifest ?? null });
  const candidates: NodeAddress[] = [
    ...(o.addresses ?? []).map((ip) => ({ ip, source: '--node-address' })),
    ...configuredAddresses(reader, layout, config),
    ...cp.addresses,
    ...(kubelet?.servingCert?.chain[0]?.sanIp ?? []).map((ip) => ({ ip, source: `${kubelet!.servingCert!.file} SAN` })),
    ...(o.localInterfaces ? interfaceAddresses() : []),
  ];
  const seen = new Set<string>();
  const addresses = candidates.filter((a) => usable(a) && !seen.has(a.ip) && seen.add(a.ip));
  return {
    root: reader.root,
    layout: layoutName,
    controlPlane: cp.apiserver !== null,
    addresses,
    kubelet,
    apiserver: cp.apiserver,
    etcd: cp.etcd,
    konnectivity: cp.konnectivity,
    files: reader.files,
  };
}
