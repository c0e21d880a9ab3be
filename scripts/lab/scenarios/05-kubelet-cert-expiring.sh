# apiserver -> kubelet :10250 on node1 whose never-rotated self-signed pair
# (CN=node1@1672531200 / CN=node1-ca@1672531200) expires 20 days after the capture.
# Client auth is on and used, so the only problems are the self-signed cert and its expiry.
capture kubelet-cert-expiring
sserver node1 10250 $(crt kubelet-node1-old) -cert_chain "$PKI/kubelet-node1-old-ca.crt" -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient cp 'GET /containerLogs/kube-system/kube-proxy-7xk2p/kube-proxy HTTP/1.1\r\nHost: 10.20.1.5:10250\r\n\r\n' \
  -connect 10.20.1.5:10250 -noservername $(crt apiserver-kubelet-client)
finish
