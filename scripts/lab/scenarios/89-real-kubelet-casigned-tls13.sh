# The same verified apiserver -> node2 kubelet path over TLS 1.3 (Go both ends, key log kept).
real_lab
capture real-kubelet-casigned-tls13
serve node2 10250 "$CWLAB" kubelet -listen 10.20.1.6:10250 -host node2 -cert "$RPKI/kubelet-node2.crt" -key "$RPKI/kubelet-node2.key" \
  -client-ca "$RPKI/ca.crt" -keylog "$(KL)"
run cp "$CWLAB" kubelet-get -cert "$RPKI/apiserver-kubelet-client.crt" -key "$RPKI/apiserver-kubelet-client.key" -ca "$RPKI/ca.crt" \
  -keylog "$(KL)" 'https://10.20.1.6:10250/containerLogs/default/web/web?tailLines=5' https://10.20.1.6:10250/pods
finish
