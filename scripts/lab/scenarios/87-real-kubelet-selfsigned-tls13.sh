# The same Go kubelet self-signed pair on node1 over Go's default TLS 1.3: certificates and the
# CertificateRequest are encrypted; the Go kubelet client on cp presents its certificate. Key log
# from both Go ends.
real_lab
capture real-kubelet-selfsigned-tls13
serve node1 10250 "$CWLAB" kubelet -listen 10.20.1.5:10250 -host node1 -client-ca "$RPKI/ca.crt" \
  -keylog "$(KL)" -selfsigned-out "$OUT/pki/real/$CAP_NAME-kubelet.crt"
run cp "$CWLAB" kubelet-get -cert "$RPKI/apiserver-kubelet-client.crt" -key "$RPKI/apiserver-kubelet-client.key" -keylog "$(KL)" \
  'https://10.20.1.5:10250/exec/default/web/web?command=date&error=1&output=1'
finish
