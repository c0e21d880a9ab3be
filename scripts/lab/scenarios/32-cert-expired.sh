# node1 -> apiserver :6443 serving a cluster-CA cert that expired on 2025-01-01; the client
# does not verify (insecure-skip-tls-verify). TLS 1.2, client cert presented.
capture cert-expired
sserver cp 6443 $(crt apiserver-expired) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' -connect 10.20.0.10:6443 -noservername $(crt node1-client)
finish
