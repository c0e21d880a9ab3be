import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Real certificates: the Go kubelet's served pair and the lab PKIs (public parts, captures/pki). */
export const PKI = {
  node1SelfSignedTls13: readFileSync('captures/pki/real/real-kubelet-selfsigned-tls13-kubelet.crt', 'utf8'),
  node2CaSigned: readFileSync('captures/pki/real/kubelet-node2.crt', 'utf8'),
  realCa: readFileSync('captures/pki/real/ca.crt', 'utf8'),
  labNode1Chain: readFileSync('captures/pki/kubelet-node1-chain.crt', 'utf8'),
};

/** A throwaway private key made by OpenSSL, placed in the node roots as the kubelet's key. */
export function opensslKey(): string {
  return execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8' });
}

/** The base64 lines of a PEM block's body: none may appear in any output. */
export function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));
}

/** DER length of each certificate of a PEM file, as OpenSSL counts it. */
export function opensslDerLengths(pem: string): number[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => execFileSync('openssl', ['x509', '-outform', 'DER'], { input: b }).length);
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A node root under a temp directory (removed when the test process exits): node path -> content. */
export function nodeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cw-node-root-'));
  made.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

export const KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
readOnlyPort: 0
`;

/** kubeadm's kube-apiserver static pod, with its kubelet flags chosen by the test. */
export function kubeadmApiserver(extra: string[]): string {
  const args = [
    'kube-apiserver',
    '--advertise-address=10.20.0.10',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    '--etcd-servers=https://127.0.0.1:2379',
    '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
    '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    ...extra,
  ];
  return `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: 10.20.0.10:6443
  labels:
    component: kube-apiserver
    tier: control-plane
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
${args.map((a) => `    - ${a}`).join('\n')}
    image: registry.k8s.io/kube-apiserver:v1.32.4
    name: kube-apiserver
  hostNetwork: true
`;
}

export const KUBEADM_ETCD = `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.20.0.10:2379
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://10.20.0.10:2379
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:2379,https://10.20.0.10:2379
    - --peer-client-cert-auth=true
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.5.16-0
    name: etcd
`;
