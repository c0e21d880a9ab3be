# kube-apiserver on cp2 -> konnectivity-server HTTP-CONNECT frontend 10.20.0.10:8131 over TLS 1.2
# mTLS (client CN=konnectivity-client), `CONNECT 10.20.1.6:10250 HTTP/1.1` + `Host: 127.0.0.1`,
# then TLS to node2's kubelet inside the tunnel (CA-signed serving cert, apiserver client cert).
capture konnectivity-server-connect-mtls
serve cp 8131 $(peer konnectivity.mjs) frontend --listen 10.20.0.10:8131 --cert konnectivity-server --ca ca \
  --inner-cert kubelet-node2 --inner-ca ca --tls-max TLSv1.2
run cp2 $(peer konnectivity.mjs) connect --server 10.20.0.10:8131 --target 10.20.1.6:10250 --cert konnectivity-client --ca ca \
  --inner-cert apiserver-kubelet-client --inner-ca ca --keylog "$(KL)"
finish
