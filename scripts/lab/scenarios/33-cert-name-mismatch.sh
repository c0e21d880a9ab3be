# node1 -> apiserver :6443 with SNI kubernetes.default.svc; the served cluster-CA cert only
# names apiserver.other-cluster.example / 10.99.0.1. TLS 1.2, client cert presented.
capture cert-name-mismatch
sserver cp 6443 $(crt apiserver-mismatch) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: kubernetes.default.svc\r\n\r\n' \
  -connect 10.20.0.10:6443 -servername kubernetes.default.svc $(crt node1-client) -CAfile "$PKI/ca.crt"
finish
