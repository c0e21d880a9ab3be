# kube-apiserver -> etcd :2379 over TLS 1.2 but etcd runs without --client-cert-auth:
# no CertificateRequest, so anyone reaching the port can read the keyspace.
capture etcd-no-client-auth
sserver cp2 2379 $(crt etcd-server-cp2) -tls1_2
sclient cp 'GET /version HTTP/1.1\r\nHost: 10.20.0.11:2379\r\n\r\n' \
  -connect 10.20.0.11:2379 -noservername $(crt apiserver-etcd-client) -CAfile "$PKI/etcd-ca.crt" -verify_return_error -verify_ip 10.20.0.11
finish
