#!/usr/bin/env bash
# The lab cluster's PKI, made with the openssl CLI the way kubeadm and client-go make theirs.
# Usage: pki.sh KEYDIR PUBDIR   (keys stay in KEYDIR, outside the repository; PUBDIR gets the
# public certificates only, e.g. captures/pki, used as trust bundles and test references).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" "$2"
K=$(cd "$1" && pwd); P=$(cd "$2" && pwd)
mkdir -p "$K" "$P"
cd "$K"

source "$HERE/pki-lib.sh"

APISERVER_SAN='DNS:cp,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:10.20.0.10,IP:fd00:20::10'

# kubeadm: cluster CA CN=kubernetes, a separate etcd CA.
selfca ca '/CN=kubernetes' 3650
selfca etcd-ca '/CN=etcd-ca' 3650
leaf apiserver '/CN=kube-apiserver' ca 365 serverAuth "$APISERVER_SAN"
leaf apiserver-kubelet-client '/O=system:masters/CN=kube-apiserver-kubelet-client' ca 365 clientAuth ''
leaf apiserver-etcd-client '/CN=kube-apiserver-etcd-client' etcd-ca 365 clientAuth ''
leaf node1-client '/O=system:nodes/CN=system:node:node1' ca 365 clientAuth ''
leaf scheduler-client '/CN=system:kube-scheduler' ca 365 clientAuth ''
leaf etcd-server-cp2 '/CN=cp2' etcd-ca 365 serverAuth,clientAuth 'DNS:cp2,DNS:localhost,IP:10.20.0.11,IP:127.0.0.1'
leaf etcd-peer-cp '/CN=cp' etcd-ca 365 serverAuth,clientAuth 'DNS:cp,DNS:localhost,IP:10.20.0.10,IP:127.0.0.1'
leaf etcd-peer-cp2 '/CN=cp2' etcd-ca 365 serverAuth,clientAuth 'DNS:cp2,DNS:localhost,IP:10.20.0.11,IP:127.0.0.1'
leaf konnectivity-server '/CN=konnectivity-server' ca 365 serverAuth 'DNS:konnectivity-server,DNS:cp,IP:10.20.0.10,IP:127.0.0.1'
leaf konnectivity-agent-client '/CN=system:konnectivity-agent' ca 365 clientAuth ''
leaf konnectivity-client '/CN=konnectivity-client' ca 365 clientAuth ''

# client-go GenerateSelfSignedCertKeyWithFixtures: CA CN=<host>-ca@<unix> serial 1, leaf
# CN=<host>@<unix> serial 2, serverAuth, SAN host + IPs, RSA-2048, 365 days.
selfca kubelet-node1-ca '/CN=node1-ca@1700000000' 365 1
leaf kubelet-node1 '/CN=node1@1700000000' kubelet-node1-ca 365 serverAuth 'DNS:node1,IP:10.20.1.5' 2048 2
# The same kind of never-rotated pair near the end of its year: it expires 20 days after the capture.
selfca kubelet-node1-old-ca '/CN=node1-ca@1672531200' 20 1
leaf kubelet-node1-old '/CN=node1@1672531200' kubelet-node1-old-ca 20 serverAuth 'DNS:node1,IP:10.20.1.5' 2048 2
# serverTLSBootstrap: signer kubernetes.io/kubelet-serving, cluster CA.
leaf kubelet-node2 '/O=system:nodes/CN=system:node:node2' ca 365 serverAuth 'DNS:node2,IP:10.20.1.6'

# Bad certificates, all for the apiserver endpoint 10.20.0.10:6443.
leaf apiserver-mismatch '/CN=kube-apiserver' ca 365 serverAuth 'DNS:apiserver.other-cluster.example,IP:10.99.0.1'
leaf apiserver-weak '/CN=kube-apiserver' ca 365 serverAuth "$APISERVER_SAN" 1024
# Another kubeadm cluster's CA: the same subject CN=kubernetes, a different key.
selfca foreign-ca '/CN=kubernetes' 3650
leaf apiserver-foreign '/CN=kube-apiserver' foreign-ca 365 serverAuth "$APISERVER_SAN"
# Expired a year before the capture; `openssl ca` is the CLI that can set explicit dates.
key apiserver-expired
openssl req -new -key apiserver-expired.key -subj '/CN=kube-apiserver' -out apiserver-expired.csr
mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = lab
[lab]
dir = $K/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = $APISERVER_SAN
CNF
openssl ca -batch -config ca-db/ca.cnf -extensions ext -cert ca.crt -keyfile ca.key \
  -startdate 20240101000000Z -enddate 20250101000000Z -in apiserver-expired.csr -out apiserver-expired.crt 2>/dev/null

# A pod's own self-signed HTTPS certificate (apiserver proxy to https:pod:8443).
selfca pod-web '/CN=web-6d4cf56db6-x7k2p' 365

# The kubelet's serving chain as the kubelet sends it: leaf then its CA.
cat kubelet-node1.crt kubelet-node1-ca.crt > kubelet-node1-chain.crt
cat kubelet-node1-old.crt kubelet-node1-old-ca.crt > kubelet-node1-old-chain.crt

for c in *.crt; do cp "$c" "$P/$c"; done
