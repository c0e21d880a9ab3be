# Real etcd 3.4 (Go 1.19 crypto/tls) on cp2 with --client-cert-auth, and the real etcdctl on cp
# as the apiserver would be configured (--cacert etcd-ca, client cert kube-apiserver-etcd-client):
# a put and a get, one gRPC connection each. Go negotiates TLS 1.3 on both ends and neither
# program can write a key log, so the capture is keyless.
real_lab
capture real-etcd-mtls-tls13
etcd_on cp2 $(etcd_single cp2 https) --cert-file "$RPKI/etcd-server-cp2.crt" --key-file "$RPKI/etcd-server-cp2.key" \
  --trusted-ca-file "$RPKI/etcd-ca.crt" --client-cert-auth
for c in 'put /registry/configmaps/default/lab-config v1' 'get /registry/configmaps/default/lab-config'; do
  run cp etcdctl --endpoints https://10.20.0.11:2379 --cacert "$RPKI/etcd-ca.crt" $(rcrt apiserver-etcd-client) $c
done
finish
