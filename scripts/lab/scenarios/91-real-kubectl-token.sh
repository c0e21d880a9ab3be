# The real kubectl v1.32 in the pod (10.244.1.7) with a bearer-token kubeconfig, as an in-cluster
# client would: server https://10.96.0.1:443 (the service VIP, answered by cp), cluster CA.
# The Go apiserver asks for an optional client cert (none sent) and accepts the token. Pod web
# runs on node1, whose Go kubelet serves its start-up self-signed pair; the apiserver's kubelet
# client has no --kubelet-certificate-authority, so it does not verify it. kubectl get pods,
# logs, and exec (fails as designed, see 90). Key log from the Go ends.
real_lab
capture real-kubectl-token
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LAB/token-$CAP_NAME"
serve node1 10250 "$CWLAB" kubelet -listen 10.20.1.5:10250 -host node1 -client-ca "$RPKI/ca.crt" \
  -keylog "$(KL)" -selfsigned-out "$OUT/pki/real/$CAP_NAME-kubelet.crt"
serve cp 443 "$CWLAB" apiserver -listen 10.96.0.1:443,10.20.0.10:6443 -cert "$RPKI/apiserver.crt" -key "$RPKI/apiserver.key" \
  -client-ca "$RPKI/ca.crt" -token-file "$LAB/token-$CAP_NAME" -pod web -node node1 -kubelet 10.20.1.5:10250 \
  -kubelet-cert "$RPKI/apiserver-kubelet-client.crt" -kubelet-key "$RPKI/apiserver-kubelet-client.key" -keylog "$(KL)"
KC=$LAB/kubeconfig-$CAP_NAME
cat > "$KC" <<KCFG
apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "https://10.96.0.1:443", certificate-authority: "$RPKI/ca.crt"}}]
users: [{name: ci-deployer, user: {token: "$(cat "$LAB/token-$CAP_NAME")"}}]
contexts: [{name: ci@lab, context: {cluster: lab, user: ci-deployer}}]
current-context: ci@lab
KCFG
rm -rf "$LAB/kube-cache-$CAP_NAME"
k="kubectl --kubeconfig $KC --cache-dir $LAB/kube-cache-$CAP_NAME -n default"
run pod $k get pods
run pod $k logs web --tail=5
run pod $k exec web -- date
finish
