# node1 -> apiserver's old insecure port :8080 (--insecure-port, removed in 1.20): plain HTTP, no credentials.
capture apiserver-insecure-port
serve cp 8080 $(peer http-peer.mjs) --listen 10.20.0.10:8080
run node1 $(peer http-peer.mjs) --url http://10.20.0.10:8080/api/v1/nodes/node1 \
  --url 'http://10.20.0.10:8080/api/v1/pods?fieldSelector=spec.nodeName%3Dnode1'
finish
