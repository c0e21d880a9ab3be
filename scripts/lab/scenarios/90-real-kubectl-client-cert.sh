# The real kubectl v1.32 on cp2 with a kubeadm admin.conf-style kubeconfig (client certificate
# CN=kubernetes-admin,O=system:masters; cluster CA) against the lab's Go apiserver on cp :6443
# (TLS 1.3, h2): get --raw /version, get pods (discovery first: fresh cache dir), logs and exec
# of pod web on node2. The apiserver forwards logs and exec to the Go kubelet on node2 (CA-signed,
# verified, client cert presented). exec fails as designed: the lab does no stream upgrade, so
# kubectl tries WebSocket then SPDY and gives up. The Go ends write the key log; kubectl cannot.
real_lab
capture real-kubectl-client-cert
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LAB/token-$CAP_NAME"
serve node2 10250 "$CWLAB" kubelet -listen 10.20.1.6:10250 -host node2 -cert "$RPKI/kubelet-node2.crt" -key "$RPKI/kubelet-node2.key" \
  -client-ca "$RPKI/ca.crt" -keylog "$(KL)"
serve cp 6443 "$CWLAB" apiserver -listen 10.20.0.10:6443 -cert "$RPKI/apiserver.crt" -key "$RPKI/apiserver.key" \
  -client-ca "$RPKI/ca.crt" -token-file "$LAB/token-$CAP_NAME" -pod web -node node2 -kubelet 10.20.1.6:10250 \
  -kubelet-cert "$RPKI/apiserver-kubelet-client.crt" -kubelet-key "$RPKI/apiserver-kubelet-client.key" -kubelet-ca "$RPKI/ca.crt" -keylog "$(KL)"
KC=$LAB/kubeconfig-$CAP_NAME
cat > "$KC" <<KCFG
apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "https://10.20.0.10:6443", certificate-authority: "$RPKI/ca.crt"}}]
users: [{name: kubernetes-admin, user: {client-certificate: "$RPKI/kubernetes-admin.crt", client-key: "$RPKI/kubernetes-admin.key"}}]
contexts: [{name: admin@lab, context: {cluster: lab, user: kubernetes-admin}}]
current-context: admin@lab
KCFG
rm -rf "$LAB/kube-cache-$CAP_NAME"
k="kubectl --kubeconfig $KC --cache-dir $LAB/kube-cache-$CAP_NAME -n default"
run cp2 $k get --raw /version
run cp2 $k get pods
run cp2 $k logs web --tail=5
run cp2 $k exec web -- date
finish
