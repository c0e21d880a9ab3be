# Real etcd on cp2 serving TLS without --client-cert-auth (and without --trusted-ca-file): no
# CertificateRequest. curl over TLS 1.2 (key log kept) reads a key through the gRPC gateway with
# no client certificate at all.
real_lab
capture real-etcd-no-client-auth-tls12
etcd_on cp2 $(etcd_single cp2 https) --cert-file "$RPKI/etcd-server-cp2.crt" --key-file "$RPKI/etcd-server-cp2.key"
run cp env SSLKEYLOGFILE="$(KL)" curl -sS --tlsv1.2 --tls-max 1.2 --cacert "$RPKI/etcd-ca.crt" \
  -X POST -d '{"key":"L3JlZ2lzdHJ5L3NlY3JldHMva3ViZS1zeXN0ZW0=","range_end":"L3JlZ2lzdHJ5L3NlY3JldHMva3ViZS1zeXN0ZW1c"}' https://10.20.0.11:2379/v3/kv/range
finish
