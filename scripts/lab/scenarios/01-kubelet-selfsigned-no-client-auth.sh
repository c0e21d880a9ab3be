# apiserver -> kubelet :10250 on node1. The kubelet serves client-go's default self-signed pair
# (leaf CN=node1@1700000000 + CA CN=node1-ca@1700000000) and sends no CertificateRequest
# (no authentication.x509.clientCAFile), so the apiserver's kubelet client cert is never sent.
capture kubelet-selfsigned-no-client-auth
sserver node1 10250 $(crt kubelet-node1) -cert_chain "$PKI/kubelet-node1-ca.crt" -tls1_2
sclient cp 'GET /containerLogs/kube-system/kube-proxy-7xk2p/kube-proxy?tailLines=20 HTTP/1.1\r\nHost: 10.20.1.5:10250\r\nUser-Agent: kube-apiserver/v1.32.0\r\n\r\n' \
  -connect 10.20.1.5:10250 -noservername $(crt apiserver-kubelet-client)
finish
