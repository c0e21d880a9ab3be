# A real two-member etcd cluster, cp (10.20.0.10) and cp2 (10.20.0.11), kubeadm-style: peer URLs
# https://<ip>:2380 with per-member peer certs from etcd-ca and --peer-client-cert-auth, client
# URLs with --client-cert-auth. The members' raft streams, pipeline and probes run both ways
# over TLS 1.3 (keyless); etcdctl on cp checks health and writes a key through cp2's client port.
real_lab
capture real-etcd-peer-mtls
members=cp=https://10.20.0.10:2380,cp2=https://10.20.0.11:2380
for h in cp cp2; do
  a=${LAB_V4[$h]}
  rm -rf "$LAB/etcd-$h"
  ip netns exec "cw-$h" etcd --name "$h" --data-dir "$LAB/etcd-$h" \
    --listen-client-urls "https://$a:2379" --advertise-client-urls "https://$a:2379" \
    --listen-peer-urls "https://$a:2380" --initial-advertise-peer-urls "https://$a:2380" \
    --initial-cluster "$members" --initial-cluster-state new --initial-cluster-token cw-lab \
    --cert-file "$RPKI/etcd-server-$h.crt" --key-file "$RPKI/etcd-server-$h.key" --trusted-ca-file "$RPKI/etcd-ca.crt" --client-cert-auth \
    --peer-cert-file "$RPKI/etcd-peer-$h.crt" --peer-key-file "$RPKI/etcd-peer-$h.key" --peer-trusted-ca-file "$RPKI/etcd-ca.crt" \
    --peer-client-cert-auth >> "$LAB/log/$CAP_NAME.$h.log" 2>&1 < /dev/null &
  LAB_PIDS+=($!)
  # The second member starts once the first one's peer port listens: fewer refused dials.
  for i in $(seq 50); do on "$h" ss -ltnH "sport = :2380" | grep -q . && break; sleep 0.1; done
done
# Both members log this once the cluster has a leader and they joined it.
for i in $(seq 100); do
  [ "$(grep -l 'published {Name:' "$LAB/log/$CAP_NAME".cp*.log 2>/dev/null | wc -l)" -eq 2 ] && break
  sleep 0.1
done
for c in 'endpoint health' 'put /registry/namespaces/lab {"kind":"Namespace"}'; do
  run cp etcdctl --endpoints https://10.20.0.11:2379 --cacert "$RPKI/etcd-ca.crt" $(rcrt apiserver-etcd-client) $c
done
sleep 1
# tcpdump stops before the members do: their shutdown (RSTs mid-handshake) is not part of the scenario.
kill -INT "$CAP_PID"; wait "$CAP_PID" 2>/dev/null; CAP_PID=
finish
