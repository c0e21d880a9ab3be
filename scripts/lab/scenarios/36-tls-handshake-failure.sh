# node1 -> apiserver :6443 serving the foreign-CA cert; this time the client verifies against
# the cluster CA and aborts with a fatal unknown_ca alert (TLS 1.2, alert in the clear).
capture tls-handshake-failure
sserver cp 6443 $(crt apiserver-foreign) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient node1 'GET /api/v1/nodes/node1 HTTP/1.1\r\nHost: 10.20.0.10:6443\r\n\r\n' \
  -connect 10.20.0.10:6443 -noservername $(crt node1-client) -CAfile "$PKI/ca.crt" -verify_return_error
finish
