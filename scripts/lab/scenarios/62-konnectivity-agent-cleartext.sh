# A non-standard konnectivity build/sidecar speaking h2c (gRPC without TLS) on :8132: the agent's
# SA token and the tunnelled request travel in the clear.
capture konnectivity-agent-cleartext
serve cp 8132 $(peer konnectivity.mjs) agent-server --listen 10.20.0.10:8132 --cleartext
run node1 $(peer konnectivity.mjs) agent --server 10.20.0.10:8132 --cleartext --token
finish
