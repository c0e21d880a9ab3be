# kubelet on node1 -> apiserver :6443, the secure form over TLS 1.2: apiserver cert from the
# cluster CA (IP SAN 10.20.0.10, no SNI since the kubeconfig names an IP), CertificateRequest,
# client cert CN=system:node:node1,O=system:nodes.
capture node-apiserver-mtls-tls12
sserver cp 6443 $(crt apiserver) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' \
  -connect 10.20.0.10:6443 -noservername $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error -verify_ip 10.20.0.10
finish
