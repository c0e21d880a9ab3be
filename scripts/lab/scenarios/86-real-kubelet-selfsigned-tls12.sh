# The lab's Go kubelet (scripts/lab/go, crypto/tls) on node1 without --tls-cert-file: it makes
# client-go's self-signed pair at start-up (CN=node1@<unix> by CN=node1-ca@<unix>, SAN DNS:node1
# only), asks for client certs (--client-ca-file), TLS 1.2 at most. The apiserver's Go kubelet
# client on cp (no --kubelet-certificate-authority: not verified) presents
# kube-apiserver-kubelet-client and reads logs and pods. Key log from both Go ends.
real_lab
capture real-kubelet-selfsigned-tls12
serve node1 10250 "$CWLAB" kubelet -listen 10.20.1.5:10250 -host node1 -client-ca "$RPKI/ca.crt" -tls-max 1.2 \
  -keylog "$(KL)" -selfsigned-out "$OUT/pki/real/$CAP_NAME-kubelet.crt"
run cp "$CWLAB" kubelet-get -cert "$RPKI/apiserver-kubelet-client.crt" -key "$RPKI/apiserver-kubelet-client.key" -keylog "$(KL)" \
  'https://10.20.1.5:10250/containerLogs/kube-system/kube-proxy-7xk2p/kube-proxy?tailLines=20' https://10.20.1.5:10250/pods
finish
