# kube-apiserver (10.20.0.10) -> external etcd member on cp2 :2379, TLS 1.2 mTLS: etcd requires
# a client cert from etcd-ca (--client-cert-auth) and gets CN=kube-apiserver-etcd-client.
capture etcd-mtls
sserver cp2 2379 $(crt etcd-server-cp2) -tls1_2 -Verify 1 -CAfile "$PKI/etcd-ca.crt"
sclient cp 'GET /version HTTP/1.1\r\nHost: 10.20.0.11:2379\r\n\r\n' \
  -connect 10.20.0.11:2379 -noservername $(crt apiserver-etcd-client) -CAfile "$PKI/etcd-ca.crt" -verify_return_error -verify_ip 10.20.0.11
finish
