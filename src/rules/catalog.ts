/** SPEC severities; the same union as findings' `Severity` (rules sit left of findings and cannot import it). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** SPEC "Rule catalog": names and severities exactly as the SPEC table has them; remediation names the real fix. */
export const RULE_NAMES = [
  'cleartext-apiserver',
  'cleartext-credentials',
  'kubelet-cleartext',
  'etcd-cleartext',
  'etcd-no-client-auth',
  'kubelet-readonly-port',
  'kubelet-cert-unverifiable',
  'kubelet-client-auth-disabled',
  'konnectivity-cleartext',
  'tls-legacy-version',
  'cert-expired',
  'cert-untrusted',
  'apiserver-kubelet-no-client-cert',
  'proxy-cleartext',
  'tls-weak-cipher',
  'cert-name-mismatch',
  'cert-weak-key',
  'tls-handshake-failure',
  'ssh-weak-algorithm',
  'kubelet-cert-expiring',
  'konnectivity-token-auth',
  'handshake-not-observed',
  'proxy-unverified-tls',
  'ssh-tunnel',
  'node-apiserver-no-client-cert',
  // SPEC "Evidence beyond the wire".
  'kubelet-anonymous-auth',
  'kubelet-anonymous-authn-enabled',
  'apiserver-kubelet-unverified',
  'tls-legacy-accepted',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

export interface RuleMeta {
  severity: Severity;
  remediation: string;
  /** CIS Kubernetes Benchmark recommendations the wire evidence bears on (kube-bench cfg/cis-1.12). */
  cis?: string[];
}

export const CATALOG: Readonly<Record<RuleName, RuleMeta>> = {
  'cleartext-apiserver': {
    severity: 'critical',
    remediation: 'Serve the apiserver only over TLS (--tls-cert-file / --tls-private-key-file; the insecure port 8080 is gone since 1.20) and point every client at https://.',
    cis: ['1.2.24'],
  },
  'cleartext-credentials': {
    severity: 'critical',
    remediation: 'Send credentials only over TLS (https:// in kubeconfigs and clients), and revoke the exposed credential: delete the service-account token Secret or rotate the password / token.',
  },
  'kubelet-cleartext': {
    severity: 'critical',
    remediation: 'Serve the kubelet API only over HTTPS: tlsCertFile / tlsPrivateKeyFile or serverTLSBootstrap: true in the KubeletConfiguration.',
    cis: ['4.2.9'],
  },
  'etcd-cleartext': {
    severity: 'critical',
    remediation: 'Serve etcd over TLS (--cert-file / --key-file, --peer-cert-file / --peer-key-file) and give kube-apiserver --etcd-certfile / --etcd-keyfile / --etcd-cafile with https:// --etcd-servers.',
    cis: ['2.1', '2.4', '1.2.23'],
  },
  'etcd-no-client-auth': {
    severity: 'high',
    remediation: 'Start etcd with --client-cert-auth=true and --trusted-ca-file (and --peer-client-cert-auth=true with --peer-trusted-ca-file on 2380).',
    cis: ['2.2', '2.5'],
  },
  'kubelet-readonly-port': {
    severity: 'high',
    remediation: 'Disable the read-only port: readOnlyPort: 0 in the KubeletConfiguration (--read-only-port=0).',
    cis: ['4.2.4'],
  },
  'kubelet-cert-unverifiable': {
    severity: 'high',
    remediation: 'Give the kubelet a CA-signed serving certificate (serverTLSBootstrap: true) and start kube-apiserver with --kubelet-certificate-authority.',
    cis: ['1.2.5'],
  },
  'kubelet-client-auth-disabled': {
    severity: 'high',
    remediation: 'Turn on kubelet x509 client authentication: authentication.x509.clientCAFile (--client-ca-file), authentication.anonymous.enabled: false and authorization.mode: Webhook in the KubeletConfiguration.',
    cis: ['4.2.3', '4.2.1'],
  },
  'konnectivity-cleartext': {
    severity: 'high',
    remediation: 'Run Konnectivity over TLS: --cluster-cert / --cluster-key (agent port) and --server-cert / --server-key / --server-ca-cert (frontend) on konnectivity-server, --ca-cert on the agent, tlsConfig in the EgressSelectorConfiguration.',
  },
  'tls-legacy-version': {
    severity: 'high',
    remediation: 'Require TLS 1.2 or later: --tls-min-version=VersionTLS12 on kube-apiserver, tlsMinVersion: VersionTLS12 in the KubeletConfiguration, and upgrade the client.',
  },
  'cert-expired': {
    severity: 'high',
    remediation: 'Renew the certificate (kubeadm certs renew <name>; rotateCertificates: true / serverTLSBootstrap: true for the kubelet) and restart the component that serves it.',
  },
  'cert-untrusted': {
    severity: 'high',
    remediation: 'Serve a certificate issued by the cluster CA (kubeadm certs renew, --tls-cert-file); if the issuer is legitimate add it to the trust bundles (--ca / trustBundles), otherwise treat it as a man in the middle.',
  },
  'apiserver-kubelet-no-client-cert': {
    severity: 'medium',
    remediation: 'Start kube-apiserver with --kubelet-client-certificate and --kubelet-client-key.',
    cis: ['1.2.4'],
  },
  'proxy-cleartext': {
    severity: 'medium',
    remediation: 'Do not carry sensitive traffic through the apiserver proxy (nodes/pods/services proxy) over untrusted networks: it is plain HTTP; use Konnectivity (EgressSelectorConfiguration) or a backend with its own TLS and authentication.',
  },
  'tls-weak-cipher': {
    severity: 'medium',
    remediation: 'Restrict cipher suites to ECDHE with AES-GCM or ChaCha20-Poly1305: --tls-cipher-suites on kube-apiserver / etcd (--cipher-suites), tlsCipherSuites in the KubeletConfiguration.',
  },
  'cert-name-mismatch': {
    severity: 'medium',
    remediation: 'Reissue the serving certificate with the name or IP its clients use in the SANs (kubeadm --apiserver-cert-extra-sans; serverTLSBootstrap: true for kubelets).',
  },
  'cert-weak-key': {
    severity: 'medium',
    remediation: 'Reissue the certificate with an RSA >= 2048 or ECDSA P-256 key and a SHA-256 signature (kubeadm certs renew; encryptionAlgorithm in the kubeadm ClusterConfiguration).',
  },
  'tls-handshake-failure': {
    severity: 'medium',
    remediation: 'Read the alert: unknown_ca / bad_certificate mean a side does not trust the peer certificate (check --client-ca-file, --kubelet-certificate-authority, --etcd-cafile, --trusted-ca-file); repeated failures can be a man-in-the-middle attempt.',
  },
  'ssh-weak-algorithm': {
    severity: 'medium',
    remediation: 'Remove the weak algorithms from sshd_config / ssh_config (KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms) following ssh-audit\'s recommendations.',
  },
  'kubelet-cert-expiring': {
    severity: 'low',
    remediation: 'Enable serverTLSBootstrap: true with a CSR approver (and the RotateKubeletServerCertificate feature) so the kubelet serving certificate is CA-signed and rotated; the self-signed one is never renewed.',
    cis: ['1.3.6', '4.2.11'],
  },
  'konnectivity-token-auth': {
    severity: 'info',
    remediation: 'For mutual TLS instead of a service-account token, give the agent --agent-cert / --agent-key and the server --cluster-ca-cert (dropping --agent-namespace / --agent-service-account).',
  },
  'handshake-not-observed': {
    severity: 'info',
    remediation: 'Start capturing before the connection opens, or restart the component, so its handshake is seen; long-lived connections (kubelet watches, Konnectivity tunnels) are only judged from their handshake.',
  },
  'proxy-unverified-tls': {
    severity: 'low',
    remediation: 'The apiserver proxy neither verifies https: backends nor authenticates to them: use an aggregated API (--proxy-client-cert-file, --requestheader-client-ca-file) or Konnectivity for traffic that needs authentication.',
  },
  'ssh-tunnel': {
    severity: 'info',
    remediation: 'SSH tunnels are deprecated: replace them with the Konnectivity service (EgressSelectorConfiguration) and drop kube-apiserver --ssh-user / --ssh-keyfile.',
  },
  'node-apiserver-no-client-cert': {
    severity: 'info',
    remediation: 'Give node components client certificates (kubelet TLS bootstrap with --bootstrap-kubeconfig and rotateCertificates: true) rather than bearer tokens.',
    cis: ['4.2.10'],
  },
  'apiserver-kubelet-unverified': {
    severity: 'high',
    remediation: 'Start kube-apiserver with --kubelet-certificate-authority set to the CA that signs the kubelets\' serving certificates, and give the kubelets CA-signed serving certificates (serverTLSBootstrap: true with a CSR approver); until then the apiserver accepts any certificate from a kubelet address.',
    cis: ['1.2.5'],
  },
  'kubelet-anonymous-auth': {
    severity: 'critical',
    remediation: 'Set authentication.anonymous.enabled: false and authorization.mode: Webhook in the KubeletConfiguration (kubelet --anonymous-auth=false --authorization-mode=Webhook): anyone who reaches :10250 can read pods and run commands in them.',
    cis: ['4.2.1', '4.2.2'],
  },
  'kubelet-anonymous-authn-enabled': {
    severity: 'low',
    remediation: 'Set authentication.anonymous.enabled: false in the KubeletConfiguration (kubelet --anonymous-auth=false): authorization denies system:anonymous today, but one permissive RBAC binding would open the kubelet API.',
    cis: ['4.2.1'],
  },
  'tls-legacy-accepted': {
    severity: 'medium',
    remediation: 'Refuse TLS 1.0 and 1.1 on the server: --tls-min-version=VersionTLS12 (kube-apiserver, kubelet tlsMinVersion), etcd --tls-min-version=TLS1.2; a client that can be downgraded is exposed whatever it negotiates today.',
  },
};
