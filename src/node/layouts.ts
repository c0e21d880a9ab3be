import type { NodeFileReader } from './reader.js';

export type LayoutName = 'kubeadm' | 'k3s' | 'rke2';

/** Where a distribution keeps the files `--from-node` reads (node paths, before the node root). */
export interface Layout {
  name: LayoutName;
  /** KubeletConfiguration file (kubeadm) and / or drop-in directory (k3s, RKE2: merged in name order). */
  kubeletConfig: string | null;
  kubeletConfigDir: string | null;
  kubeletKubeconfig: string;
  clusterCa: string;
  /** The kubelet's --cert-dir: kubelet.crt (self-signed) and kubelet-server-current.pem (serverTLSBootstrap). */
  kubeletCertDir: string;
  /** The serving certificate the distribution hands the kubelet when the configuration names none. */
  defaultServingCert: string;
  /** Extra kubelet flags (kubeadm-flags.env), whose --node-ip names this node. */
  kubeletFlagsEnv: string | null;
  staticPodDir: string;
  /** The distribution's own config file (k3s / RKE2 config.yaml): node-ip, kube-apiserver-arg... */
  distroConfig: string | null;
  /** A public file present only on a server (control-plane) node of an embedded-apiserver distribution. */
  serverMarker: string | null;
  /** Embedded etcd's generated config file (k3s / RKE2 write it from their defaults). */
  etcdConfig: string | null;
  /** Server TLS directory of k3s / RKE2 (its CA is what the built-in apiserver flags point at). */
  serverTlsDir: string | null;
}

export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = {
  kubeadm: {
    name: 'kubeadm',
    kubeletConfig: '/var/lib/kubelet/config.yaml',
    kubeletConfigDir: null,
    kubeletKubeconfig: '/etc/kubernetes/kubelet.conf',
    clusterCa: '/etc/kubernetes/pki/ca.crt',
    kubeletCertDir: '/var/lib/kubelet/pki',
    defaultServingCert: '/var/lib/kubelet/pki/kubelet.crt',
    kubeletFlagsEnv: '/var/lib/kubelet/kubeadm-flags.env',
    staticPodDir: '/etc/kubernetes/manifests',
    distroConfig: null,
    serverMarker: null,
    etcdConfig: null,
    serverTlsDir: null,
  },
  // k3s runs kube-apiserver and etcd inside its own process: no static pods for them; its kubelet
  // gets a KubeletConfiguration drop-in (--config-dir) and a server-signed serving-kubelet.crt.
  k3s: {
    name: 'k3s',
    kubeletConfig: null,
    kubeletConfigDir: '/var/lib/rancher/k3s/agent/etc/kubelet.conf.d',
    kubeletKubeconfig: '/var/lib/rancher/k3s/agent/kubelet.kubeconfig',
    clusterCa: '/var/lib/rancher/k3s/agent/server-ca.crt',
    kubeletCertDir: '/var/lib/rancher/k3s/agent/pki',
    defaultServingCert: '/var/lib/rancher/k3s/agent/serving-kubelet.crt',
    kubeletFlagsEnv: null,
    staticPodDir: '/var/lib/rancher/k3s/agent/pod-manifests',
    distroConfig: '/etc/rancher/k3s/config.yaml',
    serverMarker: '/var/lib/rancher/k3s/server/tls/server-ca.crt',
    etcdConfig: '/var/lib/rancher/k3s/server/db/etcd/config',
    serverTlsDir: '/var/lib/rancher/k3s/server/tls',
  },
  // RKE2 shares k3s's agent code but runs the control plane as static pods in agent/pod-manifests.
  rke2: {
    name: 'rke2',
    kubeletConfig: null,
    kubeletConfigDir: '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d',
    kubeletKubeconfig: '/var/lib/rancher/rke2/agent/kubelet.kubeconfig',
    clusterCa: '/var/lib/rancher/rke2/agent/server-ca.crt',
    kubeletCertDir: '/var/lib/rancher/rke2/agent/pki',
    defaultServingCert: '/var/lib/rancher/rke2/agent/serving-kubelet.crt',
    kubeletFlagsEnv: null,
    staticPodDir: '/var/lib/rancher/rke2/agent/pod-manifests',
    distroConfig: '/etc/rancher/rke2/config.yaml',
    serverMarker: null,
    etcdConfig: null,
    serverTlsDir: '/var/lib/rancher/rke2/server/tls',
  },
};

/** RKE2 before k3s (an RKE2 node also has /run/k3s), k3s before kubeadm. */
export function detectLayout(reader: NodeFileReader): LayoutName {
  if (reader.exists('/var/lib/rancher/rke2/agent') || reader.exists('/etc/rancher/rke2/config.yaml')) return 'rke2';
  if (reader.exists('/var/lib/rancher/k3s/agent') || reader.exists('/etc/rancher/k3s/config.yaml')) return 'k3s';
  return 'kubeadm';
}
