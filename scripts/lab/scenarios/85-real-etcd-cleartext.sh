# Real etcd on cp2 with plain http:// client URLs; the real etcdctl on cp puts and reads keys
# over cleartext gRPC (HTTP/2 without TLS).
real_lab
capture real-etcd-cleartext
etcd_on cp2 $(etcd_single cp2 http)
for c in 'put /registry/secrets/default/db-password c2VjcmV0' 'get /registry/secrets/default/db-password'; do
  run cp etcdctl --endpoints http://10.20.0.11:2379 $c
done
finish
