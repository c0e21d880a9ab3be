# apiserver -> kubelet :10250 on node1: self-signed serving pair, but x509 client auth is on
# (CertificateRequest, tls.RequestClientCert) and the apiserver presents
# CN=kube-apiserver-kubelet-client,O=system:masters. Only the unverifiable serving cert is wrong.
capture kubelet-selfsigned-mtls
sserver node1 10250 $(crt kubelet-node1) -cert_chain "$PKI/kubelet-node1-ca.crt" -tls1_2 -verify 1 -CAfile "$PKI/ca.crt"
sclient cp 'GET /exec/default/web-6d4cf56db6-x7k2p/web?command=date&output=1 HTTP/1.1\r\nHost: 10.20.1.5:10250\r\n\r\n' \
  -connect 10.20.1.5:10250 -noservername $(crt apiserver-kubelet-client)
finish
