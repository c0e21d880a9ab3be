# The same secure apiserver -> kubelet path over TLS 1.3 with Node.js (OpenSSL) on both ends:
# certificates and CertificateRequest are encrypted; the key log reveals them.
capture kubelet-casigned-mtls-tls13
serve node2 10250 $(peer http-peer.mjs) --listen 10.20.1.6:10250 --cert kubelet-node2 --ca ca --request-cert
run cp $(peer http-peer.mjs) --url https://10.20.1.6:10250/containerLogs/default/web-6d4cf56db6-x7k2p/web?tailLines=5 \
  --url https://10.20.1.6:10250/portForward/default/web-6d4cf56db6-x7k2p \
  --cert apiserver-kubelet-client --ca ca --user-agent kube-apiserver/v1.32.0 --keylog "$(KL)"
finish
