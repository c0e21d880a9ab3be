# kube-proxy (hostNetwork, so from node1's IP) -> apiserver :6443 over TLS 1.3: the apiserver
# requests a client cert, none is sent (empty Certificate); it authenticates with a bound
# service-account token kube-system:kube-proxy instead.
capture node-apiserver-no-client-cert
serve cp 6443 $(peer http-peer.mjs) --listen 10.20.0.10:6443 --cert apiserver --ca ca --request-cert
run node1 $(peer http-peer.mjs) --url 'https://10.20.0.10:6443/api/v1/services?limit=500' \
  --url 'https://10.20.0.10:6443/apis/discovery.k8s.io/v1/endpointslices?limit=500' \
  --ca ca --bearer-sa kube-system:kube-proxy:kube-proxy-7xk2p --user-agent 'kube-proxy/v1.32.0 (linux/amd64) kubernetes/70d3cc9' --keylog "$(KL)"
finish
