# kubelet on node1 -> apiserver over IPv6 ([fd00:20::105] -> [fd00:20::10]:6443), TLS 1.2 mTLS.
capture node-apiserver-ipv6
sserver cp 6443 $(crt apiserver) -6 -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: [fd00:20::10]:6443\r\n\r\n' \
  -connect '[fd00:20::10]:6443' -noservername $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error -verify_ip fd00:20::10
finish
