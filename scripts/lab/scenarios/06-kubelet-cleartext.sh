# apiserver -> kubelet :10250 in plain HTTP (a kubelet serving its API without TLS):
# exec and logs requests readable on the wire. No Authorization header is sent.
capture kubelet-cleartext
serve node1 10250 $(peer http-peer.mjs) --listen 10.20.1.5:10250
run cp $(peer http-peer.mjs) --method POST \
  --url 'http://10.20.1.5:10250/exec/default/web-6d4cf56db6-x7k2p/web?command=cat&command=%2Fetc%2Fshadow&output=1' \
  --url 'http://10.20.1.5:10250/containerLogs/default/web-6d4cf56db6-x7k2p/web' --user-agent kube-apiserver/v1.32.0
finish
