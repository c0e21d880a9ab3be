# kubelet on node1 holding a long watch on the apiserver over TLS 1.3; tcpdump starts one second
# after the handshake, so the capture only holds application data records mid-stream.
CAP_NAME=handshake-not-observed
serve cp 6443 $(peer http-peer.mjs) --listen 10.20.0.10:6443 --cert apiserver --ca ca --request-cert
ip netns exec cw-node1 $(peer http-peer.mjs) --url 'https://10.20.0.10:6443/api/v1/pods?fieldSelector=spec.nodeName%3Dnode1&watch=true' \
  --cert node1-client --ca ca --hold 3500 >> "$LAB/log/$CAP_NAME.node1.log" 2>&1 &
watcher=$!
sleep 1.2
capture handshake-not-observed
wait "$watcher"
finish
