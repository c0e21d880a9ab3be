# node1 -> apiserver :6443 serving a cluster-CA cert with a 1024-bit RSA key (sha256 signature).
# Debian's OpenSSL defaults to SECLEVEL=2, which refuses to load a 1024-bit key: both ends lower it.
capture cert-weak-key
sserver cp 6443 $(crt apiserver-weak) -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' \
  -connect 10.20.0.10:6443 -noservername -cipher 'DEFAULT:@SECLEVEL=0' $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error -verify_ip 10.20.0.10
finish
