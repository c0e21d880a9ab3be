# A pod (10.244.1.7) -> the kubernetes service VIP 10.96.0.1:443 over TLS 1.3, verifying the
# apiserver against the mounted ca.crt, with its bound service-account token (in-cluster config).
capture pod-apiserver-token
serve cp 443 $(peer http-peer.mjs) --listen 10.96.0.1:443 --cert apiserver --ca ca --request-cert
run pod $(peer http-peer.mjs) --url https://10.96.0.1:443/api/v1/namespaces/default/configmaps/web-config \
  --url https://10.96.0.1:443/apis/apps/v1/namespaces/default/deployments/web \
  --ca ca --bearer-sa default:web:web-6d4cf56db6-x7k2p --user-agent 'web/v0.0.0 (linux/amd64) kubernetes/$Format' --keylog "$(KL)"
finish
