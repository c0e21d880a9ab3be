# konnectivity-agent on node1 -> 10.20.0.10:8132 in mTLS mode (--cluster-ca-cert): the server
# requires a client cert (RequireAndVerifyClientCert) and the agent presents
# CN=system:konnectivity-agent; no token. TLS 1.3, key log kept.
capture konnectivity-agent-mtls
serve cp 8132 $(peer konnectivity.mjs) agent-server --listen 10.20.0.10:8132 --cert konnectivity-server --ca ca --require-cert
run node1 $(peer konnectivity.mjs) agent --server 10.20.0.10:8132 --ca ca --cert konnectivity-agent-client --keylog "$(KL)"
finish
