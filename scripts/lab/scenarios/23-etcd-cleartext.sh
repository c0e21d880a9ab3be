# kube-apiserver -> etcd :2379 in plain HTTP (etcd's HTTP/JSON gateway): a range read of a Secret.
capture etcd-cleartext
serve cp2 2379 $(peer http-peer.mjs) --listen 10.20.0.11:2379 --role etcd
run cp curl -s -o /dev/null -A 'etcd-client/3.5' http://10.20.0.11:2379/version
run cp curl -s -o /dev/null -A 'etcd-client/3.5' -H 'Content-Type: application/json' \
  --data '{"key":"L3JlZ2lzdHJ5L3NlY3JldHMvZGVmYXVsdC9kYg=="}' http://10.20.0.11:2379/v3/kv/range
finish
