#!/usr/bin/env bash
# The PKI of the real-component scenarios (scenarios/8x-real-*, 9x-real-*): real etcd, etcdctl,
# kubectl and the Go kubelet / apiserver of scripts/lab/go. A second kubeadm-style PKI, so that
# these scenarios can be recorded on their own without re-issuing the certificates that the older
# captures were recorded with (captures/pki, whose keys are not kept). The self-signed kubelet pair
# is not made here: the Go kubelet makes it at start-up, as the kubelet does.
# Usage: pki-real.sh KEYDIR PUBDIR   (e.g. /tmp/cw-lab/pki-real captures/pki/real)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" "$2"
K=$(cd "$1" && pwd); P=$(cd "$2" && pwd)
cd "$K"
source "$HERE/pki-lib.sh"

APISERVER_SAN='DNS:cp,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:10.20.0.10'

selfca ca '/CN=kubernetes' 3650
selfca etcd-ca '/CN=etcd-ca' 3650
leaf apiserver '/CN=kube-apiserver' ca 365 serverAuth "$APISERVER_SAN"
leaf apiserver-kubelet-client '/O=system:masters/CN=kube-apiserver-kubelet-client' ca 365 clientAuth ''
leaf apiserver-etcd-client '/CN=kube-apiserver-etcd-client' etcd-ca 365 clientAuth ''
# kubeadm's admin.conf identity, used by kubectl on the control plane.
leaf kubernetes-admin '/O=system:masters/CN=kubernetes-admin' ca 365 clientAuth ''
# kubeadm's etcd layout: server and peer certificates per member, all from etcd-ca.
for m in cp:10.20.0.10 cp2:10.20.0.11; do
  n=${m%%:*} a=${m#*:}
  leaf "etcd-server-$n" "/CN=$n" etcd-ca 365 serverAuth,clientAuth "DNS:$n,DNS:localhost,IP:$a,IP:127.0.0.1"
  leaf "etcd-peer-$n" "/CN=$n" etcd-ca 365 serverAuth,clientAuth "DNS:$n,DNS:localhost,IP:$a,IP:127.0.0.1"
done
# serverTLSBootstrap: signer kubernetes.io/kubelet-serving, cluster CA.
leaf kubelet-node2 '/O=system:nodes/CN=system:node:node2' ca 365 serverAuth 'DNS:node2,IP:10.20.1.6'

for c in *.crt; do cp "$c" "$P/$c"; done
