# node1 -> apiserver :6443 serving a cert from another cluster's CA: same subject CN=kubernetes
# as ours, different key, so it does not verify against captures/pki/ca.crt. The client does
# not verify and carries on. TLS 1.2, client cert presented.
capture cert-untrusted
sserver cp 6443 $(crt apiserver-foreign) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' -connect 10.20.0.10:6443 -noservername $(crt node1-client)
finish
