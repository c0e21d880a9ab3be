# The same etcd without client authentication, reached by the real etcdctl over TLS 1.3 with no
# client certificate (keyless): the missing CertificateRequest is encrypted.
real_lab
capture real-etcd-no-client-auth-tls13
etcd_on cp2 $(etcd_single cp2 https) --cert-file "$RPKI/etcd-server-cp2.crt" --key-file "$RPKI/etcd-server-cp2.key"
run cp etcdctl --endpoints https://10.20.0.11:2379 --cacert "$RPKI/etcd-ca.crt" get --prefix /registry/secrets/
finish
