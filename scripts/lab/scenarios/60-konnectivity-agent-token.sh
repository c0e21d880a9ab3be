# konnectivity-agent on node1 -> konnectivity-server agent port 10.20.0.10:8132, gRPC
# /AgentService/Connect over TLS 1.3 (ALPN h2, no SNI), server sends no CertificateRequest,
# agent authenticates with a bound SA token (aud system:konnectivity-server) in `authorization`.
# The server then drives one DIAL_REQ / DATA / CLOSE_REQ round through the tunnel.
capture konnectivity-agent-token
serve cp 8132 $(peer konnectivity.mjs) agent-server --listen 10.20.0.10:8132 --cert konnectivity-server
run node1 $(peer konnectivity.mjs) agent --server 10.20.0.10:8132 --ca ca --token --keylog "$(KL)"
finish
