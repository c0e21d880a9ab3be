# etcd member on cp -> peer on cp2 :2380 (raft stream), TLS 1.2 mTLS with the peer certs.
capture etcd-peer-mtls
sserver cp2 2380 $(crt etcd-peer-cp2) -tls1_2 -Verify 1 -CAfile "$PKI/etcd-ca.crt"
sclient cp 'GET /raft/stream/msgappv2/8e9e05c52164694d HTTP/1.1\r\nHost: 10.20.0.11:2380\r\nX-Server-From: 8211f1d0f64f3269\r\n\r\n' \
  -connect 10.20.0.11:2380 -noservername $(crt etcd-peer-cp) -CAfile "$PKI/etcd-ca.crt" -verify_return_error -verify_ip 10.20.0.11
finish
