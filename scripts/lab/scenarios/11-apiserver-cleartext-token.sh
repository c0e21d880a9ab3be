# A pod -> apiserver :8080 in plain HTTP with a legacy (secret-based, no exp) service-account
# token in the Authorization header: the token crosses the wire readable.
capture apiserver-cleartext-token
serve cp 8080 $(peer http-peer.mjs) --listen 10.20.0.10:8080
run pod $(peer http-peer.mjs) --url http://10.20.0.10:8080/api/v1/namespaces/default/secrets \
  --bearer-sa default:default --legacy-token --user-agent 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'
finish
