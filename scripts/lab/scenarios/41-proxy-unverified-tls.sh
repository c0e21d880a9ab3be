# kube-apiserver -> pod 10.244.1.7:8443 through .../pods/https:web:8443/proxy/: TLS, but the
# apiserver neither verifies the pod's self-signed cert nor sends a client cert (curl -k, no SNI
# since it dials an IP). TLS 1.3; SSLKEYLOGFILE keeps the keys.
capture proxy-unverified-tls
serve pod 8443 $(peer http-peer.mjs) --listen 10.244.1.7:8443 --cert pod-web
run cp env SSLKEYLOGFILE="$(KL)" curl -s -k -o /dev/null -A 'Mozilla/5.0' -H 'X-Forwarded-For: 192.168.50.23' https://10.244.1.7:8443/
finish
