# node1 -> apiserver :6443, TLS 1.2 with the NULL-encryption suite ECDHE-RSA-NULL-SHA
# (TLS_ECDHE_RSA_WITH_NULL_SHA, 0xC010). This OpenSSL 3.0 build (Debian, and Node's) has no
# 3DES or RC4 suites at all, so NULL is the weak class that real OpenSSL can still negotiate.
capture tls-weak-cipher
sserver cp 6443 $(crt apiserver) -tls1_2 -cipher 'ECDHE-RSA-NULL-SHA:@SECLEVEL=0' -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' \
  -connect 10.20.0.10:6443 -noservername -cipher 'ECDHE-RSA-NULL-SHA:@SECLEVEL=0' $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error
finish
