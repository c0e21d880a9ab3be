# node1 -> apiserver :6443 negotiating TLS 1.0 (both ends forced to -tls1 at SECLEVEL=0).
capture tls-legacy-version
sserver cp 6443 $(crt apiserver) -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' \
  -connect 10.20.0.10:6443 -noservername -tls1 -cipher 'DEFAULT:@SECLEVEL=0' $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error
finish
