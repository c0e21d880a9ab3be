# The same real etcd (--client-cert-auth) reached over TLS 1.2: etcd 3.4's --cipher-suites does
# not stop Go from negotiating TLS 1.3 and etcdctl 3.4 has no version option, so the client is
# curl capped with --tls-max 1.2 on etcd's own gRPC gateway (POST /v3/kv/range), with the
# apiserver's etcd client cert; curl writes the key log (SSLKEYLOGFILE).
real_lab
capture real-etcd-mtls-tls12
etcd_on cp2 $(etcd_single cp2 https) --cert-file "$RPKI/etcd-server-cp2.crt" --key-file "$RPKI/etcd-server-cp2.key" \
  --trusted-ca-file "$RPKI/etcd-ca.crt" --client-cert-auth \
  --cipher-suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
run cp env SSLKEYLOGFILE="$(KL)" curl -sS --tlsv1.2 --tls-max 1.2 --cacert "$RPKI/etcd-ca.crt" $(rcrt apiserver-etcd-client) \
  -X POST -d '{"key":"L3JlZ2lzdHJ5L2NvbmZpZ21hcHMvZGVmYXVsdC9sYWItY29uZmln"}' https://10.20.0.11:2379/v3/kv/range
finish
