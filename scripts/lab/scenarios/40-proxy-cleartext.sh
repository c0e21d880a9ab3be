# kube-apiserver -> pod 10.244.1.7:8080 for `kubectl proxy` / .../pods/web:8080/proxy/: plain HTTP
# (the apiserver proxy's default), forwarding the original caller's request.
capture proxy-cleartext
serve pod 8080 $(peer http-peer.mjs) --listen 10.244.1.7:8080
run cp curl -s -o /dev/null -A 'Mozilla/5.0' -H 'X-Forwarded-For: 192.168.50.23' -H 'X-Forwarded-Proto: https' \
  -H 'X-Forwarded-Host: 10.20.0.10:6443' -H 'X-Forwarded-Uri: /api/v1/namespaces/default/pods/web-6d4cf56db6-x7k2p:8080/proxy/' \
  http://10.244.1.7:8080/ http://10.244.1.7:8080/metrics
finish
