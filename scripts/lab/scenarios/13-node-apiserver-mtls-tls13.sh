# kubelet on node1 -> apiserver :6443 over TLS 1.3 (Node.js), client cert presented; key log kept.
capture node-apiserver-mtls-tls13
serve cp 6443 $(peer http-peer.mjs) --listen 10.20.0.10:6443 --cert apiserver --ca ca --request-cert
run node1 $(peer http-peer.mjs) --url https://10.20.0.10:6443/api/v1/nodes/node1 \
  --url https://10.20.0.10:6443/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1 \
  --cert node1-client --ca ca --keylog "$(KL)"
finish
