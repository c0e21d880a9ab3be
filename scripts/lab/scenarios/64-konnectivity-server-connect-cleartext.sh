# The same HTTP-CONNECT frontend on :8131 without TLS: the CONNECT line is readable; the inner
# TLS 1.3 handshake to node2's kubelet is then seen as if untunnelled.
capture konnectivity-server-connect-cleartext
serve cp 8131 $(peer konnectivity.mjs) frontend --listen 10.20.0.10:8131 --cleartext --inner-cert kubelet-node2 --inner-ca ca
run cp2 $(peer konnectivity.mjs) connect --server 10.20.0.10:8131 --cleartext --target 10.20.1.6:10250 \
  --inner-cert apiserver-kubelet-client --inner-ca ca --keylog "$(KL)"
finish
