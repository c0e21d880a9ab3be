import { join } from 'node:path';
import { APISERVER_FLAGS, type ApiserverFlag, type NodeAddress, type NodeApiserver, type NodeEtcd, type NodeKonnectivity } from './facts.js';
import type { Layout } from './layouts.js';
import { annotation, bool, containerArgs, flag, flagBool, obj, programArgs, str, yamlFile } from './manifest.js';
import type { NodeFileReader } from './reader.js';

export interface ControlPlaneOverrides {
  apiserverManifest: string | null;
  etcdManifest: string | null;
}

export interface ControlPlane {
  apiserver: NodeApiserver | null;
  etcd: NodeEtcd | null;
  konnectivity: NodeKonnectivity[];
  addresses: NodeAddress[];
}

function hostOf(url: string): string | null {
  try {
    const h = new URL(url).hostname;
    return h.startsWith('[') ? h.slice(1, -1) : h;
  } catch {
    return null;
  }
}

function flagsFrom(args: string[]): Record<ApiserverFlag, string | null> {
  // `--kubelet-certificate-authority=` (empty) sets nothing, as with the kube-apiserver's own flag parsing.
  return Object.fromEntries(APISERVER_FLAGS.map((f) => [f, flag(args, f) || null])) as Record<ApiserverFlag, string | null>;
}

/** `kube-apiserver-arg` (k3s / RKE2 config.yaml): a list of `name=value`, as flags. */
function distroArgs(config: Record<string, unknown> | null, key: string): string[] {
  const v = config?.[key];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return list.filter((a): a is string => typeof a === 'string').map((a) => (a.startsWith('--') ? a : `--${a}`));
}

function readEtcdConfig(reader: NodeFileReader, file: string): NodeEtcd | null {
  const doc = obj(yamlFile(reader, file)[0]);
  if (doc === null) return null;
  return {
    file,
    clientCertAuth: bool(obj(doc['client-transport-security'])?.['client-cert-auth']) ?? false,
    peerClientCertAuth: bool(obj(doc['peer-transport-security'])?.['client-cert-auth']) ?? false,
  };
}

/** kube-apiserver, etcd and Konnectivity as this node's static pods (or k3s's built-in control plane) configure them. */
export function readControlPlane(reader: NodeFileReader, layout: Layout, config: Record<string, unknown> | null, o: ControlPlaneOverrides): ControlPlane {
  const addresses: NodeAddress[] = [];
  let apiserver: NodeApiserver | null = null;
  const apiFile = o.apiserverManifest ?? join(layout.staticPodDir, 'kube-apiserver.yaml');
  const apiDocs = yamlFile(reader, apiFile);
  const apiArgs = programArgs(apiDocs, /kube-apiserver/);
  if (apiArgs !== null) {
    apiserver = { file: apiFile, source: 'static-pod', flags: flagsFrom(apiArgs) };
    const adv = flag(apiArgs, 'advertise-address');
    if (adv !== null) addresses.push({ ip: adv, source: `${apiFile} --advertise-address` });
    const ep = annotation(apiDocs, 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint');
    const epHost = ep === null ? null : hostOf(`https://${ep}`);
    if (epHost !== null) addresses.push({ ip: epHost, source: `${apiFile} advertise-address annotation` });
  } else if (layout.name === 'k3s' && layout.serverMarker !== null && reader.text(layout.serverMarker) !== null) {
    // k3s's apiserver is in-process (pkg/daemons/control/server.go sets kubelet-certificate-authority to
    // the server CA and kubelet-client-certificate to client-kube-apiserver.crt); config.yaml can override.
    const tls = layout.serverTlsDir!;
    const builtIn = [
      `--kubelet-certificate-authority=${tls}/server-ca.crt`,
      `--kubelet-client-certificate=${tls}/client-kube-apiserver.crt`,
      `--etcd-cafile=${tls}/etcd/server-ca.crt`,
      `--etcd-certfile=${tls}/etcd/client.crt`,
      `--egress-selector-config-file=/var/lib/rancher/k3s/server/etc/egress-selector-config.yaml`,
    ];
    apiserver = { file: layout.serverMarker, source: 'k3s-built-in', flags: flagsFrom([...builtIn, ...distroArgs(config, 'kube-apiserver-arg')]) };
  }

  let etcd: NodeEtcd | null = null;
  const etcdFile = o.etcdManifest ?? join(layout.staticPodDir, 'etcd.yaml');
  const etcdDocs = yamlFile(reader, etcdFile);
  const etcdArgs = programArgs(etcdDocs, /(^|\/)etcd$|etcd:/);
  if (etcdArgs !== null) {
    const configFile = flag(etcdArgs, 'config-file');
    // RKE2's etcd static pod only points at the config file k3s's executor writes.
    etcd = configFile !== null
      ? readEtcdConfig(reader, configFile)
      : { file: etcdFile, clientCertAuth: flagBool(flag(etcdArgs, 'client-cert-auth')) ?? false, peerClientCertAuth: flagBool(flag(etcdArgs, 'peer-client-cert-auth')) ?? false };
    for (const u of (flag(etcdArgs, 'advertise-client-urls') ?? '').split(',')) {
      const h = u ? hostOf(u) : null;
      if (h !== null && h !== '127.0.0.1' && h !== '::1') addresses.push({ ip: h, source: `${etcdFile} --advertise-client-urls` });
    }
  } else if (layout.etcdConfig !== null && apiserver !== null) {
    etcd = readEtcdConfig(reader, layout.etcdConfig);
  }

  const konnectivity: NodeKonnectivity[] = [];
  for (const name of reader.list(layout.staticPodDir) ?? []) {
    if (!/konnectivity/.test(name) || !/\.(ya?ml|json)$/.test(name)) continue;
    const file = join(layout.staticPodDir, name);
    for (const doc of yamlFile(reader, file)) {
      for (const c of containerArgs(doc)) {
        const joined = `${c.image} ${c.args.join(' ')}`;
        if (/proxy-agent|konnectivity-agent/.test(joined)) konnectivity.push({ file, role: 'agent' });
        else if (/proxy-server|konnectivity-server/.test(joined)) konnectivity.push({ file, role: 'server' });
      }
    }
  }
  return { apiserver, etcd, konnectivity, addresses };
}

/** This node's addresses as its own kubelet / distribution configuration names them. */
export function configuredAddresses(reader: NodeFileReader, layout: Layout, config: Record<string, unknown> | null): NodeAddress[] {
  const out: NodeAddress[] = [];
  if (layout.kubeletFlagsEnv !== null) {
    const env = reader.text(layout.kubeletFlagsEnv);
    const m = env === null ? null : /--node-ip[= ]([0-9a-fA-F.:,]+)/.exec(env);
    for (const ip of m?.[1]?.split(',') ?? []) if (ip) out.push({ ip, source: `${layout.kubeletFlagsEnv} --node-ip` });
  }
  if (config !== null && layout.distroConfig !== null) {
    for (const key of ['node-ip', 'node-external-ip', 'advertise-address', 'bind-address']) {
      const v = config[key];
      const list = Array.isArray(v) ? v : [v];
      for (const item of list) {
        const s = str(item);
        for (const ip of s?.split(',') ?? []) if (ip) out.push({ ip: ip.trim(), source: `${layout.distroConfig} ${key}` });
      }
    }
  }
  return out;
}
