# kube-scheduler on the second control-plane host (10.20.0.11) -> apiserver 10.20.0.10:6443,
# TLS 1.3 with client cert CN=system:kube-scheduler.
capture controlplane-apiserver
serve cp 6443 $(peer http-peer.mjs) --listen 10.20.0.10:6443 --cert apiserver --ca ca --request-cert
run cp2 $(peer http-peer.mjs) --url 'https://10.20.0.10:6443/api/v1/pods?fieldSelector=status.phase%21%3DSucceeded&limit=500' \
  --url https://10.20.0.10:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler \
  --cert scheduler-client --ca ca --user-agent 'kube-scheduler/v1.32.0 (linux/amd64) kubernetes/70d3cc9/leader-election' --keylog "$(KL)"
finish
