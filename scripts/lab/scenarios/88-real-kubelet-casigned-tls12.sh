# The Go kubelet on node2 with its serverTLSBootstrap certificate CN=system:node:node2 from the
# cluster CA, client certs requested, TLS 1.2 at most; the Go kubelet client on cp verifies it
# against the cluster CA (--kubelet-certificate-authority) and presents its client cert.
real_lab
capture real-kubelet-casigned-tls12
serve node2 10250 "$CWLAB" kubelet -listen 10.20.1.6:10250 -host node2 -cert "$RPKI/kubelet-node2.crt" -key "$RPKI/kubelet-node2.key" \
  -client-ca "$RPKI/ca.crt" -tls-max 1.2 -keylog "$(KL)"
run cp "$CWLAB" kubelet-get -cert "$RPKI/apiserver-kubelet-client.crt" -key "$RPKI/apiserver-kubelet-client.key" -ca "$RPKI/ca.crt" \
  -keylog "$(KL)" 'https://10.20.1.6:10250/containerLogs/default/web/web?tailLines=5'
finish
