# apiserver -> kubelet :10250 on node2, the secure form: serverTLSBootstrap cert
# CN=system:node:node2,O=system:nodes from the cluster CA, verified by the apiserver
# (--kubelet-certificate-authority), client cert requested and presented. TLS 1.2: all visible.
capture kubelet-casigned-mtls-tls12
sserver node2 10250 $(crt kubelet-node2) -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient cp 'GET /containerLogs/default/web-6d4cf56db6-x7k2p/web HTTP/1.1\r\nHost: 10.20.1.6:10250\r\n\r\n' \
  -connect 10.20.1.6:10250 -noservername $(crt apiserver-kubelet-client) -CAfile "$PKI/ca.crt" -verify_return_error -verify_ip 10.20.1.6
finish
